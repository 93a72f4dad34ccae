"""Warm-up and cool-down: by hand on generated records, against fitparse on a real file, and
against the simulator's truth of what it ran."""

from __future__ import annotations

import statistics
from pathlib import Path

import fitparse
import numpy as np
import polars as pl
import pytest

from stridewise.features.fit import read_activity
from stridewise.features.runs import ATHLETE_SCHEMA, run_features, run_records, run_row, runs_frame
from stridewise.simulator.team import TRUTH_RUNS, Config, simulate
from tests.corpus import CORPUS
from tests.features.test_runs import features, records

ROSTER = pl.DataFrame(
    [{"athlete_id": "a", "hr_max_bpm": 190.0, "hr_rest_bpm": 60.0, "reference_speed_mps": 2.5}],
    schema=ATHLETE_SCHEMA,
)
"""Easy speed 2.5 m/s: harder from 2.75; heart-rate reserve 130 bpm: harder from 170.5."""


def tempo(fast: float = 3.5, **extra: list[float] | np.ndarray) -> dict[str, object]:
    """One record a second: 10 min at 2.5 m/s, 10 min at `fast`, 5 min at 2.5 (t = 0..1500)."""
    t = np.arange(1501.0)
    speed = np.where((t >= 600) & (t < 1200), fast, 2.5)
    columns = {"elapsed_s": extra.pop("elapsed_s", t), "speed_mps": speed, **extra}
    return features(records(**columns), ROSTER)


def test_a_tempo_run_by_hand() -> None:
    # The 30 records around record k (k-14 .. k+15) average 2.75 m/s or more once 8 of them
    # are fast: from k = 592 (8 fast: 600..607) to k = 1206 (1192..1199).
    done = tempo()
    assert done["warmup_min"] == pytest.approx(591 / 60)  # moving time before record 592
    assert done["cooldown_min"] == pytest.approx((1500 - 1206) / 60)


def test_a_pause_in_the_warm_up_counts_ten_seconds_at_most() -> None:
    t = np.arange(1501.0)
    paused = np.where(t > 300, t + 120, t)  # the watch stopped for 2 min after 5 min
    # the record after the gap adds 10 s, not 121: 591 - 1 + 10 = 600 s
    assert tempo(elapsed_s=paused)["warmup_min"] == pytest.approx(600 / 60)


def test_heart_rate_alone_marks_a_slow_hard_effort() -> None:
    t = np.arange(1501.0)
    hr = np.where((t >= 600) & (t < 1200), 177.0, 130.0)  # 0.9 and 0.54 of the reserve
    done = tempo(fast=2.5, heart_rate_bpm=hr)
    assert done["warmup_min"] == pytest.approx(599 / 60)
    assert done["cooldown_min"] == pytest.approx((1500 - 1199) / 60)


def test_easy_runs_surges_and_fast_downhills_have_no_harder_part() -> None:
    assert tempo(fast=2.5)["warmup_min"] is None  # all easy
    t = np.arange(1501.0)
    surge = np.where((t >= 600) & (t < 640), 3.5, 2.5)  # 40 s: not sustained
    assert features(records(elapsed_s=t, speed_mps=surge), ROSTER)["warmup_min"] is None
    distance = np.cumsum(np.where((t >= 600) & (t < 1200), 3.5, 2.5))
    altitude = 500 - 0.05 * np.clip(distance - distance[600], 0, None) * ((t >= 600) & (t < 1200))
    downhill = tempo(distance_m=distance, altitude_m=altitude)  # 5 % down while fast
    assert downhill["warmup_min"] is None and downhill["cooldown_min"] is None


def test_without_a_roster_the_runs_median_speed_is_the_easy_one() -> None:
    t = np.arange(1501.0)
    speed = np.where((t >= 600) & (t < 1200), 3.5, 2.5)  # median 2.5: 901 of 1501 records
    assert features(records(elapsed_s=t, speed_mps=speed))["warmup_min"] == pytest.approx(591 / 60)


def _fitparse_warmup_cooldown(path: Path) -> tuple[float, float]:
    """The rule of docs/features.md, record by record, on what fitparse decodes (no roster:
    heart-rate reserve 60-190 bpm, easy speed the median moving speed)."""
    fit = fitparse.FitFile(str(path))
    rows = [
        (
            r.get_value("timestamp").timestamp(),
            r.get_value("enhanced_speed") or r.get_value("speed"),
            r.get_value("heart_rate"),
        )
        for r in fit.get_messages("record")
    ]
    t0 = rows[0][0]
    t = [row[0] - t0 for row in rows]
    speed = [row[1] for row in rows]
    easy = statistics.median(s for s in speed if s is not None)
    moving, elapsed = 0.0, []
    for k in range(len(t)):
        moving += min(t[k] - t[k - 1], 10.0) if k else 0.0
        elapsed.append(moving)
    hard = []
    for k in range(len(t)):
        window = [j for j in range(len(t)) if t[k] - 15 <= t[j] <= t[k] + 15]
        lo, hi = window[0], window[-1]
        span = t[hi] - t[lo]
        travelled = sum((speed[j] or 0.0) * (t[j] - t[j - 1]) for j in range(lo + 1, hi + 1))
        mean = travelled / span if span > 0 else speed[k]
        hr = rows[k][2]
        hard.append((mean or 0) >= 1.1 * easy or (hr is not None and (hr - 60) / 130 >= 0.85))
    efforts: list[list[int]] = []
    for k in (k for k in range(len(t)) if hard[k]):
        if efforts and elapsed[k] - elapsed[efforts[-1][-1]] < 60:
            efforts[-1].append(k)
        else:
            efforts.append([k])
    sustained = [e for e in efforts if elapsed[e[-1]] - elapsed[e[0]] >= 60]
    first, last = sustained[0][0], sustained[-1][-1]
    step = elapsed[first] - elapsed[first - 1] if first else 0.0
    return (elapsed[first] - step) / 60, (elapsed[-1] - elapsed[last]) / 60


REAL_RUN = CORPUS / "ActivityLog2" / "310xt-run.fit"
"""A 40-minute run on a Forerunner 310XT with heart rate, read whole by fitparse. None of its
harder stretches is downhill, so the reference leaves the grade out."""


@pytest.mark.skipif(not REAL_RUN.exists(), reason="the shared FIT corpus is not here")
def test_a_real_run_matches_the_rule_worked_on_fitparses_records() -> None:
    activity = read_activity(REAL_RUN)
    row = run_row("x", activity)
    done = run_features(run_records(row["run_id"], activity), runs_frame([row])).row(0, named=True)
    warmup, cooldown = _fitparse_warmup_cooldown(REAL_RUN)
    assert done["warmup_min"] == pytest.approx(warmup, abs=0.05)
    assert done["cooldown_min"] == pytest.approx(cooldown, abs=0.05)


def test_the_measured_warm_up_and_cool_down_match_what_the_simulator_ran(tmp_path: Path) -> None:
    """Within 1.5 min on at least 90 % of the sessions with a harder part (issue 16's bar)."""
    simulate(Config(athletes=24, weeks=10, seed=16), tmp_path, summary_only=True)
    measured = pl.read_parquet(tmp_path / "runs.parquet")
    truth = pl.read_parquet(tmp_path / TRUTH_RUNS)
    both = measured.join(truth, on=["athlete_id", "start_time_utc"], suffix="_true")
    assert both.height == truth.height  # every recorded run has its truth
    harder = both.filter(pl.col("warmup_min_true").is_not_null())
    assert harder.height > 100
    for name in ("warmup_min", "cooldown_min"):
        error = (harder[name] - harder[f"{name}_true"]).abs().fill_null(float("inf"))
        assert (error <= 1.5).mean() >= 0.9, name
    easy = both.filter(pl.col("warmup_min_true").is_null())
    flat = easy.filter(pl.col("ascent_m") <= 10 * pl.col("distance_km"))
    assert flat.height > 300
    assert flat["warmup_min"].is_not_null().mean() < 0.01  # climbs, not easy running, read hard
