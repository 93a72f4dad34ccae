"""Crafted FIT files (issue 24): whole-process time and peak memory of decoding each class.

    python -m benchmarks.crafted [--before-site /work/before-site] [--timeout 150]

Each class of tests/features/fit/crafted.py is built at the size the issue reported, plus the
largest files the limits accept, written to a temporary folder and decoded by
`read_activity(path)` in a fresh process run under `/usr/bin/time` (wall seconds, max RSS).
With `--before-site`, the same files are also decoded by the code installed there (put first
on PYTHONPATH), e.g. the code before the limits; a run past `--timeout` is stopped.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.features.fit import crafted

CLASSES: dict[str, Callable[[], bytes]] = {
    "65,280 descriptions, 4,000 developer restarts": lambda: crafted.descriptions_then_resets(
        65_280, 4_000
    ),
    "300 x 255 uniquely named developer fields": lambda: crafted.unique_developer_fields(300),
    "3.8 million one-byte messages": lambda: crafted.one_byte_messages(3_800_000),
    "2 million distinct definitions": lambda: crafted.definitions(2_000_000),
    "largest accepted: 5,000 descriptions, 5,000 restarts": lambda: (
        crafted.descriptions_then_resets(5_000, 5_000)
    ),
    "largest accepted: 999,997 one-byte records": lambda: crafted.one_byte_messages(999_997),
    "largest accepted: 999,997 records of 64 bytes": lambda: crafted.large_records(999_997),
    "largest accepted: 9,945 developer columns, 489 rows": lambda: crafted.unique_developer_fields(
        39, records=450
    ),
    "largest accepted: 9,999 distinct definitions, a record each": lambda: crafted.definitions(
        9_999, records=True
    ),
}

DECODE = """
import sys
from stridewise.features.fit import FitDecodeError, read_activity
try:
    print(f"decoded: {read_activity(sys.argv[1]).records.height:,} records")
except FitDecodeError as error:
    print(f"refused: {error.reason}")
"""


def measure(path: Path, site: str | None, timeout: float) -> tuple[str, str, str]:
    """(seconds, peak MiB, outcome) of one decoding process; site: PYTHONPATH first."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env |= {"PYTHONPATH": site} if site else {}
    with tempfile.NamedTemporaryFile("r") as report:
        command = ["/usr/bin/time", "-f", "%e %M", "-o", report.name]
        command += [sys.executable, "-c", DECODE, str(path)]
        try:
            done = subprocess.run(
                command, env=env, cwd="/", capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return f"> {timeout:.0f}", "?", "stopped"
        seconds, kib = report.read().split()[-2:]
    outcome = done.stdout.strip() or done.stderr.strip().splitlines()[-1]
    return seconds, f"{int(kib) / 1024:.0f}", outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before-site", help="site folder of the code to compare with")
    parser.add_argument("--timeout", type=float, default=150, help="seconds per process")
    args = parser.parse_args()
    sites = {"after": None} | ({"before": args.before_site} if args.before_site else {})
    header = " | ".join(f"{name} s | {name} peak MiB | {name}" for name in sites)
    print(f"| crafted file | MiB | {header} |")
    print("|---|---:|" + "---:|---:|---|" * len(sites))
    with tempfile.TemporaryDirectory() as folder:
        for name, build in CLASSES.items():
            path = Path(folder) / "crafted.fit"
            path.write_bytes(build())
            cells = [" | ".join(measure(path, site, args.timeout)) for site in sites.values()]
            size = path.stat().st_size / 2**20
            print(f"| {name} | {size:.2f} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
