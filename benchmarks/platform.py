"""A platform-sized night: 1,000 athletes, each with a year of history in the store and one new
1-hour run, on the thread pool and on Dask `LocalCluster`s of 1 and 2 worker processes.

    python -m benchmarks.platform [--athletes 1000] [--repeats 1]

The history is the summary-only simulator's year (its per-run table merged into the store's
runs table, the athlete-days computed from it, as the nightly flow leaves them); each athlete
then syncs one 1-hour run recorded every second, dated the day after the season. Each night
is `stridewise nightly` as a whole process (Prefect's temporary server included) on a fresh
copy of that store, timed from start to exit, with its peak memory (max RSS, from
`/usr/bin/time`); on Dask, the cluster is started beforehand and named by `--dask-address`
(its workers' memory is theirs, not the flow's). Target: at most 60 s.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from benchmarks.corpus import one_hour_run
from benchmarks.nightly import cli_env
from stridewise.features.daily import athlete_days
from stridewise.store.tables import Store

TARGET_S = 60.0


def _history(folder: Path, athletes: int) -> tuple[Path, list[str], date]:
    """A data directory with the simulated year; the athletes and the day after it."""
    from stridewise.simulator.team import Config, simulate

    cohort = folder / "cohort"
    simulate(Config(athletes, 52, seed=5), cohort, summary_only=True, workers=2)
    runs = pl.read_parquet(cohort / "runs.parquet")
    data = folder / "history"
    store = Store(data)
    store.merge("runs", runs)
    store.merge("athlete_days", athlete_days(runs))
    shutil.copy(cohort / "roster.csv", data)
    ids = sorted(runs["athlete_id"].unique().to_list())
    return data, ids, runs["local_date"].max() + timedelta(days=1)


def _inbox(folder: Path, athletes: list[str], day: date) -> Path:
    start = datetime.combine(day, datetime.min.time(), UTC).replace(hour=6)
    for i, athlete in enumerate(athletes):
        moment = start + timedelta(seconds=37 * i)  # distinct starts: distinct files
        path = folder / athlete / f"{moment:%Y-%m-%dT%H%M%SZ}.fit"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(one_hour_run(moment))
    return folder


def _night(inbox: Path, history: Path, work: Path, *options: str) -> tuple[float, float]:
    """Wall seconds and peak MB of one `stridewise nightly` process on a copy of `history`."""
    data = work / "data"
    shutil.copytree(history, data)
    report = work / "time.txt"
    command = ["/usr/bin/time", "-f", "%M", "-o", str(report), sys.executable, "-m", "stridewise"]
    start = time.perf_counter()
    subprocess.run(
        [*command, "nightly", str(inbox), "--data", str(data), *options],
        check=True, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    peak_mb = int(report.read_text().split()[-1]) / 1024
    shutil.rmtree(data)
    return seconds, peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        history, athletes, day = _history(tmp, args.athletes)
        inbox = _inbox(tmp / "inbox", athletes, day)
        size = sum(p.stat().st_size for p in inbox.rglob("*.fit")) / 1e6
        results: dict[str, list[tuple[float, float]]] = {}
        work = tmp / "work"
        work.mkdir()
        for _ in range(args.repeats):
            results.setdefault("thread pool, 2 threads (default)", []).append(
                _night(inbox, history, work)
            )
            for workers in (1, 2):
                with LocalCluster(
                    n_workers=workers, threads_per_worker=1, dashboard_address=None
                ) as cluster:
                    name = f"Dask LocalCluster, {workers} worker{'s' * (workers > 1)}"
                    results.setdefault(name, []).append(
                        _night(inbox, history, work, "--dask-address", cluster.scheduler_address)
                    )
    print(
        f"{args.athletes} athletes, a year of history each; one new 1-hour 1 Hz run each "
        f"({size:.0f} MB); whole process, median of {args.repeats}"
    )
    print(f"| runner | wall s (target <= {TARGET_S:.0f}) | flow process peak MB |\n|---|---:|---:|")
    for name, runs in results.items():
        wall = sorted(r[0] for r in runs)[len(runs) // 2]
        peak = sorted(r[1] for r in runs)[len(runs) // 2]
        print(f"| {name} | {wall:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
