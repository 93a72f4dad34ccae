"""The per-run measures, over the records of many runs at once, in numpy.

Each run's records are contiguous, so every measure is a masked sum, count, minimum or maximum
per run (`stridewise.features.segments`): one pass of array operations whatever the number of
runs. A one-hour run costs about a millisecond, where a chain of polars queries paid a fixed
cost per step ten times over. Definitions: docs/features.md.
"""

from __future__ import annotations

import numpy as np

from stridewise.features.efforts import moving_steps, warmup_cooldown
from stridewise.features.segments import Segments

REFERENCE_SPEED_MPS = 3.0
"""The prior's pivot (5:33 min/km): the reference speed of an athlete whose roster gives none.
A reference speed is the athlete's, fixed, not fitted from their runs: so that each run's
features never depend on the athlete's other runs."""
PRIOR_CADENCE_SPM = 165.0
PRIOR_SLOPE_SPM_PER_MPS = 7.0
"""Population cadence-speed relation, 165 + 7·(v - 3 m/s) steps/min (van Oeveren 2017)."""
SLOPE_PRIOR_VARIANCE = 0.05
"""(m/s)²: a run whose speed varies by SD 0.22 m/s weighs its own slope and the prior equally."""
WALK_CADENCE_SPM = 140.0
WARM_UP_S = 300.0
MIN_DRIFT_SPAN_S = 900.0
"""Cadence and SI drift need at least 15 minutes of running segment to split in thirds."""
MAX_STEP_S = 30.0
"""A longer gap between records is a pause: it counts as at most this for TRIMP."""
DOWNHILL_GRADE = -0.03
GRADE_SPAN_RECORDS = 10
HIGH_INTENSITY_HRR = 0.8

RUNNING_DYNAMICS = ("gct_ms", "gct_balance_left_pct", "vertical_oscillation_mm", "step_length_mm")
MOVING_MEANS = (
    "speed_mps",
    "heart_rate_bpm",
    "gct_ms",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "step_length_mm",
)
"""Measures averaged over the moving running records."""


def _lagged(values: np.ndarray, same: np.ndarray, n: int) -> np.ndarray:
    """values[k] - values[k - n] where record k - n is of the same run and session, else NaN."""
    out = np.full(len(values), np.nan)
    out[n:] = np.where(same[n:], values[n:] - values[:-n], np.nan)
    return out


def run_measures(
    columns: dict[str, np.ndarray], athlete: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Every per-run measure, one value per run in order of appearance.

    `columns`: `run` (a number that changes between runs), `running`, `moving` (booleans),
    `session` and the contract's measures (float, NaN for missing). `athlete`: per run, the
    athlete's `hr_max`, `hr_rest`, TRIMP coefficients `trimp_a`, `trimp_b`,
    `reference_speed` and `easy_speed` (NaN: not in the roster).
    """
    runs = Segments.of_labels(columns["run"])
    c = _time_ordered(runs, columns)
    same = {
        n: np.concatenate(
            [
                np.zeros(min(n, len(c["run"])), dtype=bool),
                (c["run"][n:] == c["run"][:-n]) & (c["session"][n:] == c["session"][:-n]),
            ]
        )
        for n in (1, GRADE_SPAN_RECORDS)
    }
    running, moving_run = c["running"], c["running"] & c["moving"]
    with np.errstate(invalid="ignore", divide="ignore"):
        segment = (
            moving_run
            & (c["cadence_spm"] >= WALK_CADENCE_SPM)
            & (c["elapsed_s"] >= WARM_UP_S)
            & (c["speed_mps"] > 0)
        )
        span = _lagged(c["distance_m"], same[GRADE_SPAN_RECORDS], GRADE_SPAN_RECORDS)
        grade = _lagged(c["altitude_m"], same[GRADE_SPAN_RECORDS], GRADE_SPAN_RECORDS) / span
        downhill = (grade <= DOWNHILL_GRADE) & (span > 0)
        limits = {k: runs.spread(v) for k, v in athlete.items()}
        hrr = (c["heart_rate_bpm"] - limits["hr_rest"]) / (limits["hr_max"] - limits["hr_rest"])
    hrr = np.clip(hrr, 0.0, 1.0)
    step_s = np.nan_to_num(np.clip(_lagged(c["elapsed_s"], same[1], 1), 0, MAX_STEP_S))
    step_m = np.nan_to_num(np.clip(_lagged(c["distance_m"], same[1], 1), 0, None))
    climb = _lagged(c["altitude_m"], same[1], 1)
    trimp = step_s / 60 * hrr * limits["trimp_a"] * np.exp(limits["trimp_b"] * hrr)
    hr_known = runs.count(c["heart_rate_bpm"], moving_run) > 0
    dynamics = np.logical_or.reduce([~np.isnan(c[name]) for name in RUNNING_DYNAMICS])

    speed, cadence = c["speed_mps"], c["cadence_spm"]
    speed_seg = runs.mean(speed, segment)
    cadence_seg = runs.mean(cadence, segment)
    covariance = runs.mean(speed * cadence, segment) - speed_seg * cadence_seg
    variance = runs.mean(speed * speed, segment) - speed_seg**2
    slope = (covariance + SLOPE_PRIOR_VARIANCE * PRIOR_SLOPE_SPM_PER_MPS) / (
        variance + SLOPE_PRIOR_VARIANCE
    )
    reference = athlete["reference_speed"]
    at_reference = cadence_seg + slope * (reference - speed_seg)
    prior = PRIOR_CADENCE_SPM + PRIOR_SLOPE_SPM_PER_MPS * (reference - REFERENCE_SPEED_MPS)
    balance = runs.mean(c["gct_balance_left_pct"], moving_run)
    warmup, cooldown = warmup_cooldown(runs, c, hrr, moving_run, athlete["easy_speed"])
    moving_s = moving_steps(runs, c["elapsed_s"], moving_run)
    with np.errstate(invalid="ignore", divide="ignore"):
        walking = runs.total(moving_s, cadence < WALK_CADENCE_SPM) / runs.total(moving_s)
    return {
        "distance_km": runs.total(step_m, running) / 1000,
        **{name: runs.mean(c[name], moving_run) for name in MOVING_MEANS},
        "cadence_spm": cadence_seg,
        "cadence_sd_spm": runs.std(cadence, segment),
        "cadence_slope_spm_per_mps": slope,
        "cadence_at_ref_spm": at_reference,
        "cadence_prior_residual_spm": at_reference - prior,
        **_drifts(runs, c, segment, slope, speed_seg),
        "gct_balance_left_pct": balance,
        "gct_si_pct": 4 * balance - 200,
        "trimp": np.where(hr_known, runs.total(trimp, moving_run), np.nan),
        "high_intensity_km": np.where(
            hr_known, runs.total(step_m, moving_run & (hrr >= HIGH_INTENSITY_HRR)) / 1000, np.nan
        ),
        "ascent_m": runs.total(np.clip(climb, 0, None), running),
        "descent_m": -runs.total(np.clip(climb, None, 0), running),
        "downhill_km": runs.total(step_m, running & downhill) / 1000,
        "warmup_min": warmup,
        "cooldown_min": cooldown,
        "walk_share": walking,
        "has_running_dynamics": runs.any(running & dynamics),
    }


def _time_ordered(runs: Segments, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The records with each run's in time order (those without a time last), its times
    counted from the earliest.

    A file's records can go back in time (the second part of a chained file, a clock reset,
    a record written late), and every step, lag and window here assumes they do not. Runs
    already in order, nearly all, are handed back as they are.
    """
    t = columns["elapsed_s"]
    timed = ~np.isnan(t)
    back = (t[1:] < t[:-1]) | (timed[1:] & ~timed[:-1])
    if not (back & (runs.owner[1:] == runs.owner[:-1])).any():
        return columns
    order = np.lexsort((t, runs.owner))
    ordered = {name: values[order] for name, values in columns.items()}
    t, timed = t[order], timed[order]
    ordered["elapsed_s"] = t - runs.spread(runs.lowest(t, timed))
    return ordered


def _drifts(
    runs: Segments,
    c: dict[str, np.ndarray],
    segment: np.ndarray,
    slope: np.ndarray,
    speed_seg: np.ndarray,
) -> dict[str, np.ndarray]:
    """Late minus early third (by time) of each running segment: cadence at matched speed, SI."""
    t = c["elapsed_s"]
    t_lo, t_hi = runs.lowest(t, segment), runs.highest(t, segment)
    with np.errstate(invalid="ignore", divide="ignore"):
        third = (t - runs.spread(t_lo)) / runs.spread(t_hi - t_lo)
    early, late = segment & (third <= 1 / 3), segment & (third >= 2 / 3)
    matched = c["cadence_spm"] - runs.spread(slope) * (c["speed_mps"] - runs.spread(speed_seg))
    si = 4 * c["gct_balance_left_pct"] - 200
    long_enough = t_hi - t_lo >= MIN_DRIFT_SPAN_S
    return {
        "cadence_drift_spm": np.where(
            long_enough, runs.mean(matched, late) - runs.mean(matched, early), np.nan
        ),
        "gct_si_drift_pct": np.where(
            long_enough, runs.mean(si, late) - runs.mean(si, early), np.nan
        ),
    }
