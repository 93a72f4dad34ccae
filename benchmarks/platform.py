"""A platform-sized night: 1,000 athletes, each with one new 1-hour run and a year (then four
years) of history in the store, on the thread pool and on Dask `LocalCluster`s of 1 and 2
worker processes.

    python -m benchmarks.platform [--athletes 1000] [--years 1 4] [--repeats 3]

The history is the summary-only simulator's year (its per-run table merged into the store's
runs table, the athlete-days computed from it, as the nightly flow leaves them), for four
years preceded by three copies of it shifted by 52 weeks each; each athlete then syncs one
1-hour run recorded every second, dated the day after the history: the same night on both
histories. Each night is
`stridewise nightly` as a whole process on a fresh copy of that store, timed from start to
exit, with its peak memory (max RSS, from `/usr/bin/time`):

- on the default thread pool, with the temporary Prefect server a one-off run starts (the
  60 s target), then with `PREFECT_API_URL` naming a long-lived server;
- on Dask, as an always-on deployment runs it: the long-lived server, and a cluster started
  beforehand whose workers have imported stridewise (`--dask-address`); its workers' memory
  is theirs, not the flow's. The ratio of 1 to 2 workers is the spread (target 1.5 x), and
  the flow's memory on 1 and 4 years of history is what it holds of the history (target:
  flat). The first night of a just-started 2-worker cluster is timed too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from benchmarks.corpus import one_hour_run
from benchmarks.nightly import stridewise_process
from stridewise.features.daily import athlete_days
from stridewise.flows.server import local_server
from stridewise.store.tables import Store
from tests.flows.common import free_port

TARGET_S = 60.0
TARGET_SPREAD = 1.5


def _simulated_year(folder: Path, athletes: int) -> pl.DataFrame:
    """The summary-only simulator's year of runs (its roster left in `folder`)."""
    from stridewise.simulator.team import Config, simulate

    cohort = folder / "cohort"
    simulate(Config(athletes, 52, seed=5), cohort, summary_only=True, workers=2)
    shutil.copy(cohort / "roster.csv", folder)
    runs = pl.read_parquet(cohort / "runs.parquet")
    shutil.rmtree(cohort)
    return runs


def _years_earlier(runs: pl.DataFrame, years: int) -> pl.DataFrame:
    """The same runs 52 weeks x `years` earlier (same weekdays), with their own run ids."""
    start = pl.col("start_time_utc") - timedelta(weeks=52 * years)
    return runs.with_columns(
        start_time_utc=start,
        local_date=pl.col("local_date") - timedelta(weeks=52 * years),
        run_id=pl.format("{}/{}", "athlete_id", start.dt.strftime("%Y-%m-%dT%H%M%SZ")),
    )


def _history(folder: Path, year: pl.DataFrame, years: int) -> Path:
    """A data directory holding `years` of history, as the nightly flow leaves one: the
    simulated year, preceded by copies of it (simulating four years takes 15 min here), and a
    Prefect home already set up (as every night but the first finds it)."""
    runs = pl.concat(_years_earlier(year, back) for back in range(years))
    data = folder / f"history-{years}y"
    store = Store(data)
    store.merge("runs", runs)
    store.merge("athlete_days", athlete_days(runs))
    shutil.copy(folder / "roster.csv", data)
    shutil.copytree(folder / "prefect-home" / "prefect", data / "prefect")
    return data


def _prefect_home(folder: Path) -> None:
    """A data directory whose Prefect home the CLI has created (a run on an empty inbox)."""
    (folder / "empty-inbox").mkdir()
    stridewise_process("nightly", folder / "empty-inbox", "--data", folder / "prefect-home")


def _inbox(folder: Path, athletes: list[str], day: date) -> Path:
    start = datetime.combine(day, datetime.min.time(), UTC).replace(hour=6)
    for i, athlete in enumerate(athletes):
        moment = start + timedelta(seconds=37 * i)  # distinct starts: distinct files
        path = folder / athlete / f"{moment:%Y-%m-%dT%H%M%SZ}.fit"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(one_hour_run(moment))
    return folder


def _night(
    inbox: Path, history: Path, work: Path, *options: str, api_url: str | None = None
) -> tuple[float, float]:
    """Wall seconds and peak MB of one `stridewise nightly` process on a copy of `history`."""
    data = work / "data"
    shutil.copytree(history, data)
    report = work / "time.txt"
    seconds = stridewise_process(
        "nightly", inbox, "--data", data, *options,
        api_url=api_url, wrapper=("/usr/bin/time", "-f", "%M", "-o", str(report)),
    )  # fmt: skip
    peak_mb = int(report.read_text().split()[-1]) / 1024
    shutil.rmtree(data)
    return seconds, peak_mb


def _nights(inbox: Path, history: Path, work: Path, url: str) -> dict[str, tuple[float, float]]:
    """One night on each runner."""
    from distributed import Client, LocalCluster

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # the workers', as the CLI's

    nights = {
        "thread pool, temporary Prefect server": _night(inbox, history, work),
        "thread pool, long-lived server": _night(inbox, history, work, api_url=url),
    }
    for workers in (1, 2):
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            name = f"Dask, {workers} worker{'s' * (workers > 1)}, long-lived server"
            address = ("--dask-address", cluster.scheduler_address)
            if workers == 2:  # the first night of a cluster: its workers import everything
                nights[f"{name}, cluster just started"] = _night(
                    inbox, history, work, *address, api_url=url
                )
            client.run(__import__, "stridewise.flows.nightly")  # an always-on cluster's state
            nights[name] = _night(inbox, history, work, *address, api_url=url)
    return nights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=1000)
    parser.add_argument("--years", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results: dict[tuple[str, int], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        work, home = tmp / "work", tmp / "prefect-server"
        work.mkdir()
        home.mkdir()
        year = _simulated_year(tmp, args.athletes)
        athletes = sorted(year["athlete_id"].unique().to_list())
        inbox = _inbox(tmp / "inbox", athletes, year["local_date"].max() + timedelta(days=1))
        _prefect_home(tmp)
        with local_server(home, free_port()) as url:
            for years in args.years:
                history = _history(tmp, year, years)
                for _ in range(args.repeats):
                    for name, night in _nights(inbox, history, work, url).items():
                        results.setdefault((name, years), []).append(night)
                shutil.rmtree(history)
    print(
        f"{args.athletes} athletes, one new 1-hour 1 Hz run each, history of "
        f"{' and '.join(map(str, args.years))} years; whole process, median of {args.repeats}"
    )
    heading = " | ".join(f"{y} y: wall s | {y} y: flow MB" for y in args.years)
    print(f"| runner | {heading} |\n|---|{'---:|' * 2 * len(args.years)}")
    medians = {
        key: tuple(sorted(r[i] for r in runs)[len(runs) // 2] for i in (0, 1))
        for key, runs in results.items()
    }
    for name in dict.fromkeys(name for name, _ in results):
        cells = " | ".join(
            f"{medians[name, y][0]:.1f} | {medians[name, y][1]:.0f}" for y in args.years
        )
        print(f"| {name} | {cells} |")
    for years in args.years:
        one, two = (
            medians[f"Dask, {w}, long-lived server", years][0] for w in ("1 worker", "2 workers")
        )
        print(f"{years} y: 2 Dask workers {one / two:.2f} x one (target {TARGET_SPREAD} x)")
    print(f"target: the thread pool's night with a temporary server at most {TARGET_S:.0f} s")


if __name__ == "__main__":
    main()
