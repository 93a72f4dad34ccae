"""Whole process: `stridewise score` of a 1-hour run against the athlete's history in a store.

    python -m benchmarks.score [--repeats 7]

The store is a simulated 50-athlete team's year (the summary-only per-run table merged into
the store's runs table, roster and injury log); the run is a 1-hour file recorded every
second, dated the day after the season of the team's first athlete. Timed from process start
to exit, median of `--repeats` runs after one warm-up; in the same run, the references:
`stridewise inspect` of the same file (start-up and decoding, nothing else) and a bare
`python -c pass`. Target: at most 1.5 s.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from benchmarks.corpus import median_seconds, one_hour_run
from stridewise.store.tables import Store

TARGET_S = 1.5


def _store(folder: Path) -> tuple[str, datetime]:
    """Simulate the team into `folder`; the first athlete and the day after their last run."""
    from stridewise.simulator.team import Config, simulate

    simulate(Config(50, 52, seed=3), folder, summary_only=True, workers=2)
    runs = pl.read_parquet(folder / "runs.parquet")
    Store(folder).merge("runs", runs)  # where the nightly flow leaves it
    athlete = runs["athlete_id"].min()
    last = runs.filter(pl.col("athlete_id") == athlete)["local_date"].max()
    return athlete, datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)


def _timed(*args: str | Path) -> float:
    """One process, start to exit (output discarded, failure raised)."""
    command = [sys.executable, *map(str, args)]
    return median_seconds(
        lambda: subprocess.run(
            command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ),
        1,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        athlete, day = _store(store)
        run = Path(tmp) / "inbox" / athlete / "run.fit"
        run.parent.mkdir(parents=True)
        run.write_bytes(one_hour_run(day.replace(hour=7)))
        size = run.stat().st_size
        jobs = {
            "stridewise score (with history)": ("-m", "stridewise", "score", run, "--data", store),
            "stridewise score --json": (
                "-m",
                "stridewise",
                "score",
                run,
                "--data",
                store,
                "--json",
            ),
            "stridewise inspect (reference)": ("-m", "stridewise", "inspect", run),
            "python -c pass (reference)": ("-c", "pass"),
        }
        for job in jobs.values():  # warm-up: page in the interpreter and libraries
            _timed(*job)
        seconds = {
            name: median_seconds(lambda j=job: _timed(*j), args.repeats)
            for name, job in jobs.items()
        }
    print(
        f"1-hour run at 1 Hz ({size / 1e6:.1f} MB), scored against a 52-week history; "
        f"median of {args.repeats} processes"
    )
    print("| process | wall s | target |\n|---|---:|---:|")
    for name, value in seconds.items():
        target = f"{TARGET_S}" if name.startswith("stridewise score") else ""
        print(f"| {name} | {value:.2f} | {target} |")
    ratio = seconds["stridewise score (with history)"] / seconds["stridewise inspect (reference)"]
    print(f"\nscore / inspect: {ratio:.2f}x")


if __name__ == "__main__":
    main()
