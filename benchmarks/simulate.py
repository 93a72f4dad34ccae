"""Whole process: `stridewise simulate`, FIT files and summary-only, against their targets.

    python -m benchmarks.simulate [--repeats 3]

1. 20 athletes x 26 weeks, smart recording, FIT files (target: at most 3 minutes);
2. the same team summary-only, and the reference path it replaces: `stridewise features --runs`
   over the FIT files of step 1 (same per-run table, see tests/simulator/test_team.py);
3. 1,000 athletes x 52 weeks, summary-only (target: at most 2 minutes).

Each is a separate process timed from start to exit; medians of `--repeats` runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

from benchmarks.corpus import median_seconds


def stridewise(*args: str | Path) -> None:
    command = [sys.executable, "-m", "stridewise", *map(str, args)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def simulate(out: Path, athletes: int, weeks: int, *extra: str) -> None:
    stridewise(
        "simulate",
        "--athletes",
        str(athletes),
        "--weeks",
        str(weeks),
        "--seed",
        "7",
        "--out",
        out,
        "--force",
        *extra,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        team, summary, cohort = Path(tmp, "team"), Path(tmp, "summary"), Path(tmp, "cohort")
        fit = median_seconds(lambda: simulate(team, 20, 26), args.repeats)
        files = list(team.rglob("*.fit"))
        size = sum(p.stat().st_size for p in files)
        short = median_seconds(lambda: simulate(summary, 20, 26, "--summary-only"), args.repeats)
        decode = median_seconds(
            lambda: stridewise(
                "features",
                team / "inbox",
                "--roster",
                team / "roster.csv",
                "--out",
                Path(tmp, "days.parquet"),
                "--runs",
                Path(tmp, "runs.parquet"),
            ),
            args.repeats,
        )
        large = median_seconds(lambda: simulate(cohort, 1000, 52, "--summary-only"), args.repeats)
        runs = pl.read_parquet(cohort / "runs.parquet").height
    print(f"stridewise simulate, {os.cpu_count()} cores, median of {args.repeats} runs\n")
    print("| job | wall s | target s | share of target |\n|---|---:|---:|---:|")
    print(
        f"| 20 athletes x 26 weeks, FIT files ({len(files)} files, {size / 1e6:.1f} MB) "
        f"| {fit:.1f} | 180 | {fit / 180:.0%} |"
    )
    print(
        f"| 1,000 athletes x 52 weeks, summary-only ({runs:,} activities) "
        f"| {large:.1f} | 120 | {large / 120:.0%} |"
    )
    print("\n| per-run table of 20 athletes x 26 weeks | wall s |\n|---|---:|")
    print(f"| `simulate --summary-only` | {short:.1f} |")
    print(f"| reference: `features --runs` over the FIT files | {decode:.1f} |")
    print(
        f"\nsummary-only vs simulating FIT files and decoding them: "
        f"{(fit + decode) / short:.1f}x faster"
    )


if __name__ == "__main__":
    main()
