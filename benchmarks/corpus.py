"""The files the benchmarks run on: the running files of ../shared/fit_corpus (MANIFEST.csv)."""

from __future__ import annotations

import csv
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "fit_corpus"
RUNNING_KINDS = ("running", "multisport_with_run")


def running_files() -> list[Path]:
    """Running files that the reference decoder reads (MANIFEST kinds running, multisport)."""
    manifest = CORPUS / "MANIFEST.csv"
    if not manifest.exists():
        sys.exit(f"error: {manifest} not found: the benchmarks need ../shared/fit_corpus")
    with manifest.open(newline="") as f:
        return [CORPUS / row["path"] for row in csv.DictReader(f) if row["kind"] in RUNNING_KINDS]


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """Median wall time of `repeats` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
