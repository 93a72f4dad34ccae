"""The nightly flow: a team's night, and a backfill on the thread pool and on Dask.

    python -m benchmarks.nightly [--repeats 5] [--backfill-repeats 3]

A simulated 50-athlete team (10 weeks of FIT files, `smart` recording). Its first 2,000 files
are the history, written by a first `stridewise nightly`; then:

- **A night**: each athlete syncs one new 1-hour run (1 Hz), dated the day after the team's
  last; `stridewise nightly` is timed as a whole process, Prefect's start-up included, on a
  fresh copy of the history each time (median of `--repeats`). Where the time goes comes from
  Prefect's own database: the flow run's start and end, and its task runs' durations. Then the
  same nights with `PREFECT_API_URL` naming a long-lived Prefect server (as `stridewise serve`
  runs one), which the process uses instead of starting a temporary one.
- **A backfill**: the 2,000 files into an empty data directory, the flow in this process
  (Prefect's server already up), on the default thread pool (2 threads), 1 thread, and a Dask
  `LocalCluster` of 1 and 2 single-threaded worker processes (median of `--backfill-repeats`).
- **A backfill as fast as decoding**: the same 2,000 files, whole processes side by side
  (median of `--backfill-repeats`): `stridewise inspect --json` over them (decoding alone),
  then `stridewise nightly` into an empty data directory whose Prefect home exists (a
  temporary server started by the process, as a one-off run does), and with `PREFECT_API_URL`
  naming a long-lived server. Target: the nightly at most 1.5 x the decoding.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.corpus import median_seconds, one_hour_run
from stridewise.flows.server import local_server
from tests.flows.common import free_port

ATHLETES, WEEKS, SEED = 50, 10, 11
BACKFILL_FILES = 2000
TARGET_NIGHT_S = 30.0


def _team(folder: Path) -> tuple[list[Path], datetime]:
    """Simulate the team; its first 2,000 files in date order, and the day after the last."""
    from stridewise.simulator.team import Config, simulate

    simulate(Config(ATHLETES, WEEKS, seed=SEED), folder, workers=2)
    files = sorted((folder / "inbox").rglob("*.fit"), key=lambda p: p.name)
    if len(files) < BACKFILL_FILES:
        sys.exit(f"error: the simulated team has {len(files)} files, fewer than {BACKFILL_FILES}")
    history = files[:BACKFILL_FILES]
    last = datetime.strptime(history[-1].stem, "%Y-%m-%dT%H%M%SZ").replace(tzinfo=UTC)
    return history, (last + timedelta(days=1)).replace(hour=6, minute=30, second=0)


def _inbox(folder: Path, files: list[Path]) -> Path:
    for path in files:
        (folder / path.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, folder / path.parent.name / path.name)
    return folder


def stridewise_process(
    *args: str | Path, api_url: str | None = None, wrapper: tuple[str, ...] = ()
) -> float:
    """Seconds of one `stridewise` process, start to exit (output discarded, failure raised),
    with the CLI's own Prefect defaults (its home in the data directory: no PREFECT_ variable
    of ours), or `api_url` as its PREFECT_API_URL; `wrapper` runs it (`/usr/bin/time ...`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    start = time.perf_counter()
    subprocess.run(
        [*wrapper, sys.executable, "-m", "stridewise", *map(str, args)],
        check=True,
        env=env | ({"PREFECT_API_URL": api_url} if api_url else {}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def _nightly_process(inbox: Path, data: Path, api_url: str | None = None) -> float:
    return stridewise_process("nightly", inbox, "--data", data, api_url=api_url)


def _prefect_times(data: Path) -> tuple[float, float]:
    """The last flow run's duration, and the time inside it when some task was running (the
    union of the task runs' intervals: decoding tasks overlap), in seconds."""
    with sqlite3.connect(data / "prefect" / "prefect.db") as db:
        run_id, start, end = db.execute(
            "SELECT id, start_time, end_time FROM flow_run ORDER BY start_time DESC LIMIT 1"
        ).fetchone()
        tasks = db.execute(
            "SELECT start_time, end_time FROM task_run WHERE flow_run_id = ? ORDER BY start_time",
            (run_id,),
        ).fetchall()
    busy, reached = 0.0, None
    for task_start, task_end in ((_moment(a), _moment(b)) for a, b in tasks):
        begin = max(task_start, reached) if reached else task_start
        if task_end > begin:
            busy += (task_end - begin).total_seconds()
        reached = max(reached, task_end) if reached else task_end
    return (_moment(end) - _moment(start)).total_seconds(), busy


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def night(tmp: Path, history: list[Path], day: datetime, repeats: int) -> dict[str, float]:
    """The history ingested once; then the same inbox with one new file per athlete (each
    starting a minute later than the one before: files of equal bytes are duplicates)."""
    before, inbox = tmp / "history-data", _inbox(tmp / "inbox", history)
    before.mkdir()
    shutil.copy(tmp / "team" / "roster.csv", before)
    _nightly_process(inbox, before)  # also creates and migrates the Prefect home
    for i, athlete in enumerate(sorted({p.parent.name for p in history})):
        start = day + timedelta(minutes=i)
        (inbox / athlete / f"{start:%Y-%m-%dT%H%M%SZ}.fit").write_bytes(one_hour_run(start))
    walls, flows, tasks = [], [], []
    for i in range(repeats):
        data = tmp / f"night-{i}"
        shutil.copytree(before, data)
        walls.append(_nightly_process(inbox, data))
        flow_s, tasks_s = _prefect_times(data)
        flows.append(flow_s)
        tasks.append(tasks_s)
        shutil.rmtree(data)
    median = sorted(range(repeats), key=walls.__getitem__)[repeats // 2]
    home = tmp / "prefect-server"
    home.mkdir()
    with local_server(home, free_port()) as url:
        served = []
        for i in range(repeats):
            data = tmp / f"served-night-{i}"
            shutil.copytree(before, data)
            served.append(_nightly_process(inbox, data, url))
            shutil.rmtree(data)
    return {
        "wall": walls[median],
        "flow": flows[median],
        "tasks": tasks[median],
        "served": statistics.median(served),
    }


def backfill(tmp: Path, history: list[Path], repeats: int) -> dict[str, float]:
    """Files per second of each runner, the flow in this process."""
    os.environ.update(
        PREFECT_HOME=str(tmp / "prefect-bench"),
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
    )
    from distributed import LocalCluster
    from prefect.task_runners import ThreadPoolTaskRunner

    from stridewise.flows.nightly import nightly, on_dask

    inbox = _inbox(tmp / "backfill-inbox", history)
    counter = iter(range(10**6))

    def timed(flow: Callable[..., object]) -> float:
        return median_seconds(lambda: flow(inbox, tmp / f"backfill-{next(counter)}"), repeats)

    timed(nightly.with_options(task_runner=ThreadPoolTaskRunner(max_workers=2)))  # warm-up
    seconds = {
        f"thread pool, {n} thread{'s' * (n > 1)}": timed(
            nightly.with_options(task_runner=ThreadPoolTaskRunner(max_workers=n))
        )
        for n in (1, 2)
    }
    for workers in (1, 2):
        with LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address=None
        ) as cluster:
            name = f"Dask LocalCluster, {workers} worker{'s' * (workers > 1)}"
            seconds[name] = timed(on_dask(cluster.scheduler_address))
    return {name: BACKFILL_FILES / s for name, s in seconds.items()}


def backfill_processes(tmp: Path, history: list[Path], repeats: int) -> dict[str, float]:
    """Whole-process seconds: decoding the files alone, and backfilling them with a temporary
    and with a long-lived Prefect server (each backfill into a fresh copy of a data directory
    that has only its roster and a migrated Prefect home)."""
    inbox = _inbox(tmp / "process-inbox", history)
    primed = tmp / "primed"
    primed.mkdir()
    shutil.copy(tmp / "team" / "roster.csv", primed)
    empty = tmp / "empty-inbox"
    empty.mkdir()
    _nightly_process(empty, primed)  # creates and migrates the Prefect home, nothing else
    shutil.rmtree(primed / "tables", ignore_errors=True)
    counter = iter(range(10**6))

    def backfill(api_url: str | None) -> float:
        data = tmp / f"process-backfill-{next(counter)}"
        shutil.copytree(primed, data)
        seconds = _nightly_process(inbox, data, api_url)
        shutil.rmtree(data)
        return seconds

    decoding = statistics.median(
        stridewise_process("inspect", "--json", inbox) for _ in range(repeats)
    )
    temporary = statistics.median(backfill(None) for _ in range(repeats))
    home = tmp / "prefect-backfill-server"
    home.mkdir()
    with local_server(home, free_port()) as url:
        served = statistics.median(backfill(url) for _ in range(repeats))
    return {"inspect": decoding, "temporary": temporary, "served": served}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backfill-repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        history, day = _team(tmp / "team")
        size = sum(p.stat().st_size for p in history) / 1e6
        tonight = night(tmp, history, day, args.repeats)
        processes = backfill_processes(tmp, history, args.backfill_repeats)
        rates = backfill(tmp, history, args.backfill_repeats)
    start_up = tonight["wall"] - tonight["flow"]
    orchestration = tonight["flow"] - tonight["tasks"]
    print(
        f"{ATHLETES} athletes; history {BACKFILL_FILES} files ({size:.0f} MB); "
        f"one new 1-hour 1 Hz run each"
    )
    print(f"\n## A night (whole process, median of {args.repeats})\n")
    print("| | s | share |\n|---|---:|---:|")
    for name, value in (
        ("wall time (target <= 30 s)", tonight["wall"]),
        ("process and Prefect start-up, imports, exit", start_up),
        ("flow run: between and around tasks", orchestration),
        ("flow run: tasks running (hashing, decoding, writing, scoring)", tonight["tasks"]),
    ):
        print(f"| {name} | {value:.1f} | {value / tonight['wall']:.0%} |")
    print(
        f"\nWith `PREFECT_API_URL` naming a long-lived server: {tonight['served']:.1f} s "
        f"({tonight['wall'] - tonight['served']:.1f} s of temporary-server start-up saved)."
    )
    print(
        f"\n## Backfill of {BACKFILL_FILES} files (in process, median of {args.backfill_repeats})\n"
    )
    print("| runner | files/s |\n|---|---:|")
    for name, rate in rates.items():
        print(f"| {name} | {rate:.1f} |")
    decoding = processes["inspect"]
    print(
        f"\n## Backfill against decoding ({BACKFILL_FILES} files, whole processes, "
        f"median of {args.backfill_repeats})\n"
    )
    print("| process | wall s | / decoding (target <= 1.5) |\n|---|---:|---:|")
    for name, key in (
        ("`stridewise inspect --json` (decoding alone)", "inspect"),
        ("`stridewise nightly`, temporary Prefect server", "temporary"),
        ("`stridewise nightly`, `PREFECT_API_URL` (long-lived server)", "served"),
    ):
        print(f"| {name} | {processes[key]:.1f} | {processes[key] / decoding:.2f} |")


if __name__ == "__main__":
    main()
