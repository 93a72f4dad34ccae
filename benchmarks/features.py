"""Features speed: the athlete-day table of 1,000 athletes x 3 years, and one run's features.

    python -m benchmarks.features [--repeats 5]

1. Athlete-day table from per-run features (target: at most 2 s and 2 GB). The per-run
   table is a simulated summary-only cohort of 100 athletes x 156 weeks, copied ten times
   under new athlete ids (1,000 athletes); built once and kept in benchmarks/results/.
   Timed in a fresh process each repeat (read the table, compute, peak RSS of the process).
2. Per-run features of a 1-hour run recorded every second (target: at most 20 ms), from its
   decoded records; the decode of the same file, in the same run, for scale.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import polars as pl

from benchmarks.corpus import median_seconds, one_hour_run

RESULTS = Path(__file__).resolve().parent / "results"
RUNS = RESULTS / "runs_1000x3y.parquet"

_DAYS_JOB = """
import json, resource, sys, time
import polars as pl
from stridewise.features.daily import athlete_days
runs = pl.read_parquet(sys.argv[1])
start = time.perf_counter()
days = athlete_days(runs)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "rows": days.height}))
"""


def per_run_table() -> pl.DataFrame:
    if not RUNS.exists():
        RESULTS.mkdir(exist_ok=True)
        cohort = RESULTS / "cohort_100x3y"
        command = [
            sys.executable,
            "-m",
            "stridewise",
            "simulate",
            "--athletes",
            "100",
            "--weeks",
            "156",
            "--seed",
            "3",
            "--summary-only",
            "--out",
            str(cohort),
            "--force",
        ]
        subprocess.run(command, check=True)
        base = pl.read_parquet(cohort / "runs.parquet")
        copies = [
            base.with_columns(pl.col("athlete_id") + f"-{i}", pl.col("run_id") + f"-{i}")
            for i in range(10)
        ]
        pl.concat(copies).write_parquet(RUNS)
    return pl.read_parquet(RUNS)


def athlete_day_job() -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _DAYS_JOB, str(RUNS)], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from stridewise.features.fit import read_activity
    from stridewise.features.runs import run_features, run_records, run_row, runs_frame

    runs = per_run_table()
    jobs = [athlete_day_job() for _ in range(args.repeats)]
    seconds = sorted(j["seconds"] for j in jobs)[len(jobs) // 2]
    peak = max(j["peak_bytes"] for j in jobs)
    print(
        f"athlete-day table: {runs['athlete_id'].n_unique():,} athletes, {runs.height:,} "
        f"activities -> {jobs[0]['rows']:,} athlete-days, median of {args.repeats}"
    )
    print("| measure | value | target |\n|---|---:|---:|")
    print(f"| compute time | {seconds:.2f} s | 2 s |")
    print(f"| peak process memory (RSS, incl. the input) | {peak / 2**30:.2f} GB | 2 GB |")

    data = one_hour_run()
    activity = read_activity(data)
    row = run_row("a", activity)
    records, meta = run_records(row["run_id"], activity), runs_frame([row])
    for _ in range(5):  # warm-up: first calls fill caches and page in memory
        run_features(records, meta)
    repeats = max(50, args.repeats)
    features = median_seconds(lambda: run_features(records, meta), repeats)
    decode = median_seconds(lambda: read_activity(data), repeats)
    print(f"\none run, 1 h at 1 Hz ({activity.records.height:,} records), median of {repeats}")
    print("| step | ms | target |\n|---|---:|---:|")
    print(f"| per-run features | {features * 1000:.1f} | 20 |")
    print(f"| decoding the file (for scale) | {decode * 1000:.1f} | — |")


if __name__ == "__main__":
    main()
