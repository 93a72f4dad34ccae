"""Whole process: `stridewise inspect` over the corpus' running files, default decoder vs fitparse.

    python -m benchmarks.inspect_cli [--repeats 3]

The same command, once with the default decoder and once with `--decoder fitparse` (the same
job through fitparse), each timed from process start to exit; medians of `--repeats` runs.
The target is a ratio of at least 10.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from benchmarks.corpus import median_seconds, running_files


def _inspect(files: list[Path], *extra: str) -> None:
    command = [sys.executable, "-m", "stridewise", "inspect", "--json", *extra, *map(str, files)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    files = running_files()
    size = sum(p.stat().st_size for p in files)
    fast = median_seconds(lambda: _inspect(files), args.repeats)
    slow = median_seconds(lambda: _inspect(files, "--decoder", "fitparse"), args.repeats)
    print(
        f"stridewise inspect, {len(files)} running files, {size / 1e6:.1f} MB, "
        f"median of {args.repeats} runs"
    )
    print("| decoder | wall s | MB/s |\n|---|---:|---:|")
    for name, seconds in (("numpy (default)", fast), ("fitparse", slow)):
        print(f"| {name} | {seconds:.2f} | {size / seconds / 1e6:.2f} |")
    print(f"\nwhole-process speed-up: {slow / fast:.1f}x")


if __name__ == "__main__":
    main()
