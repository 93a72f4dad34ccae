"""The files the benchmarks run on: the running files of ../shared/fit_corpus (MANIFEST.csv)."""

from __future__ import annotations

import csv
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
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


def one_hour_run(start: datetime = datetime(2026, 1, 5, 7, tzinfo=UTC)) -> bytes:
    """A simulated easy run of one hour, recorded every second, as FIT bytes."""
    import numpy as np

    from stridewise.simulator.athletes import draw_athlete
    from stridewise.simulator.fitfile import ActivitySpec, Leg, encode_activity
    from stridewise.simulator.runs import season_tracks
    from stridewise.simulator.training import PlannedRun

    athlete = draw_athlete(np.random.default_rng(1), 0, 0, start.date())
    km = 3600 * athlete.easy_speed_mps / 1000
    run = PlannedRun(0, "easy", round(km, 2), 7.0, "generic", True, 0.0, 0.0)
    track = season_tracks(athlete, [run], np.random.default_rng(2), "1s").session(0)
    return encode_activity(ActivitySpec(start, [Leg("running", track)]))
