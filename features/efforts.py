"""Harder efforts inside a run, and the easy minutes around them: the warm-up and cool-down.

A record is harder when its mean speed over the `SMOOTHING_S` around it is at least
`HARD_SPEED_FACTOR` x the athlete's easy speed, or its heart rate is at least `HARD_HRR` of
the reserve (hill reps are slow and hard; the bar is above the high-intensity km's 80 %, which
the climbs of a hilly easy run reach; speed downhill does not count). Harder records less than
`MERGE_GAP_S` of moving time apart are one effort; an effort of `SUSTAINED_S` or more is
sustained (a surge at a crossing is not). The warm-up is the moving time before the first
sustained effort, the cool-down the moving time after the last; both None for a run without
one (an easy run). Times are moving time: a step longer than `MOVING_GAP_S` counts as that
much (a pause is not a warm-up). Definitions: docs/features.md.
"""

from __future__ import annotations

import numpy as np

from stridewise.features.segments import Segments

HARD_SPEED_FACTOR = 1.1
HARD_HRR = 0.85
SMOOTHING_S = 30.0
DOWNHILL_GRADE = -0.02
MERGE_GAP_S = 60.0
SUSTAINED_S = 60.0
MOVING_GAP_S = 10.0


def moving_steps(runs: Segments, t: np.ndarray, moving: np.ndarray) -> np.ndarray:
    """Seconds each record adds to its run's moving time (its step from the record before,
    at most `MOVING_GAP_S`; 0 for a run's first record and for records off the timer)."""
    step = np.clip(runs.steps(t), 0.0, MOVING_GAP_S)
    step[runs.first] = 0.0
    return np.where(moving & ~np.isnan(step), step, 0.0)


def centred_window(runs: Segments, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first and last record of the `SMOOTHING_S` centred on each record, within its run
    (a record without a time: itself alone).

    Each run's records are in time order, those without a time last (`run_measures` sees to
    it). One clock orders every timed record of the batch: each run's times from its first,
    shifted past the previous run's last by more than the window, whatever a file's clock
    says (a fixed shift per run failed once a run's times spanned more than the shift).
    """
    timed = ~np.isnan(t)
    first = runs.lowest(t, timed)
    span = np.nan_to_num(runs.highest(t, timed) - first) + SMOOTHING_S + 1
    clock = (t - runs.spread(first) + runs.spread(np.cumsum(span) - span))[timed]
    low, high = np.arange(len(t)), np.arange(len(t))
    rows = high[timed]
    low[timed] = rows[np.searchsorted(clock, clock - SMOOTHING_S / 2, side="left")]
    high[timed] = rows[np.searchsorted(clock, clock + SMOOTHING_S / 2, side="right") - 1]
    return low, high


def smoothed_speed(runs: Segments, t: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """Each record's mean speed over the `SMOOTHING_S` centred on it, within its run."""
    low, high = centred_window(runs, t)
    step = np.nan_to_num(np.clip(runs.steps(t), 0.0, None))  # no time, no step (a NaN
    step[runs.first] = 0.0  # would void every later sum of the run)
    distance = runs.cumsum(np.nan_to_num(speed) * step)
    span = t[high] - t[low]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(span > 0, (distance[high] - distance[low]) / span, speed)


def downhill(
    runs: Segments, t: np.ndarray, distance: np.ndarray, altitude: np.ndarray
) -> np.ndarray:
    """Whether the `SMOOTHING_S` around each record descends by more than `DOWNHILL_GRADE`
    (False where altitude is unknown): running fast downhill is not a harder effort."""
    low, high = centred_window(runs, t)
    with np.errstate(invalid="ignore", divide="ignore"):
        grade = (altitude[high] - altitude[low]) / (distance[high] - distance[low])
    return np.nan_to_num(grade, nan=0.0, posinf=0.0, neginf=0.0) < DOWNHILL_GRADE


def median(runs: Segments, values: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Median per run of the values where `where` holds (NaN: none)."""
    keep = where & ~np.isnan(values)
    owner, kept = runs.owner[keep], values[keep]
    order = np.lexsort((kept, owner))
    owner, kept = owner[order], kept[order]
    counts = np.bincount(owner, minlength=len(runs.first))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    out = np.full(len(runs.first), np.nan)
    has = counts > 0
    low = starts[has] + (counts[has] - 1) // 2
    high = starts[has] + counts[has] // 2
    out[has] = (kept[low] + kept[high]) / 2
    return out


def warmup_cooldown(
    runs: Segments,
    c: dict[str, np.ndarray],
    hrr: np.ndarray,
    moving: np.ndarray,
    easy_speed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per run, the warm-up and cool-down minutes (NaN: no sustained harder effort).

    `c`: the records' `elapsed_s`, `speed_mps`, `distance_m` and `altitude_m`;
    `hrr`: heart-rate reserve (NaN: no heart rate);
    `moving`: the moving running records; `easy_speed`: per run, the athlete's easy speed
    (NaN: unknown, then the run's median moving speed stands in).
    """
    t, speed = c["elapsed_s"], c["speed_mps"]
    easy = np.where(np.isnan(easy_speed), median(runs, speed, moving), easy_speed)
    with np.errstate(invalid="ignore"):
        fast = smoothed_speed(runs, t, speed) >= HARD_SPEED_FACTOR * runs.spread(easy)
    fast &= ~downhill(runs, t, c["distance_m"], c["altitude_m"])
    with np.errstate(invalid="ignore"):
        hard = moving & (fast | (hrr >= HARD_HRR))
    step = moving_steps(runs, t, moving)
    elapsed = runs.cumsum(step)
    at = np.flatnonzero(hard)
    warmup, cooldown = np.full(len(runs.first), np.nan), np.full(len(runs.first), np.nan)
    if not len(at):
        return warmup, cooldown
    run, moment = runs.owner[at], elapsed[at]
    new = np.ones(len(at), dtype=bool)
    new[1:] = (run[1:] != run[:-1]) | (moment[1:] - moment[:-1] >= MERGE_GAP_S)
    first = np.flatnonzero(new)
    last = np.concatenate([first[1:] - 1, [len(at) - 1]])
    sustained = moment[last] - moment[first] >= SUSTAINED_S
    begins, ends = at[first[sustained]], at[last[sustained]]
    owner = run[first[sustained]]
    start_s = np.full(len(runs.first), np.inf)
    np.minimum.at(start_s, owner, elapsed[begins] - step[begins])
    end_s = np.full(len(runs.first), -np.inf)
    np.maximum.at(end_s, owner, elapsed[ends])
    found = np.isfinite(start_s)
    total = elapsed[runs.last]
    warmup[found] = start_s[found] / 60
    cooldown[found] = (total[found] - end_s[found]) / 60
    return warmup, cooldown
