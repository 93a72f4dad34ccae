"""Inside each session: speed, terrain, heart rate, cadence and gait, in numpy.

A session is built as pieces (warm-up, steady, reps, walk breaks...), sampled at the moments
the watch records (smart recording: every 3-5 s), shaped by terrain and noise, and scaled to
cover exactly the planned distance (the distance the hazard saw). Timer pauses add wall time
between records. All sessions of a season are computed together, as one long array with
per-session parameters, because a season has hundreds of them. Models: docs/simulator.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stridewise.features.run_measures import (
    PRIOR_CADENCE_SPM,
    PRIOR_SLOPE_SPM_PER_MPS,
    REFERENCE_SPEED_MPS,
)
from stridewise.features.segments import Segments
from stridewise.simulator.athletes import Athlete
from stridewise.simulator.track import Track
from stridewise.simulator.training import PlannedRun

WALK_SPEED_MPS = 1.5
HR_LAG_S = 60.0
RECORDING_STEPS = {"smart": (3, 6), "1s": (1, 2)}
"""Seconds between records (low, high + 1): smart recording keeps one every 3-5 s."""
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class SeasonTracks:
    """The records of many sessions end to end: session i is rows starts[i]:starts[i + 1]."""

    track: Track
    starts: np.ndarray
    pauses: list[list[tuple[int, int]]]
    """Per session, the timer's (stop, restart) times in seconds since its start."""

    def session(self, i: int) -> Track:
        return self.track.take(slice(self.starts[i], self.starts[i + 1]))


def _pieces(kind: str, km: float, v: float, walk_share: float) -> list[tuple[float, float]]:
    """(moving seconds, speed m/s) pieces of a session; the last piece takes the remainder."""
    metres = km * 1000
    warm = [(300.0, 0.85 * v)]
    if kind == "race":
        factor = 1.2 if km <= 10 else (1.12 if km <= 21.1 else 1.04)
        return [(120.0, 0.9 * factor * v), (0.0, factor * v)]
    if kind == "tempo":
        tempo_s = 0.35 * metres / (1.2 * v)
        return [(600.0, 0.9 * v), (tempo_s, 1.2 * v), (0.0, 0.9 * v)]
    if kind == "intervals":
        reps = int(np.clip(metres * 0.35 // 800, 3, 10))
        work = [(800 / (1.4 * v), 1.4 * v), (90.0, 0.6 * v)] * reps
        return [(900.0, 0.9 * v), *work, (0.0, 0.9 * v)]
    if kind == "hills":
        return [(900.0, 0.9 * v), *[(75.0, 0.8 * v), (100.0, 0.75 * v)] * 8, (0.0, 0.9 * v)]
    if kind == "walk_run":
        walk_s, run_s = 60.0 * walk_share / (1 - walk_share + 1e-9), 60.0
        cycle = [(walk_s, WALK_SPEED_MPS), (run_s, 0.85 * v)] if walk_s >= 1 else []
        return [*cycle * 40, (0.0, 0.85 * v)]
    steady = 0.95 * v if kind == "long" else v
    return [*warm, (0.0, steady)]


def _profile(pieces: list[tuple[float, float]], metres: float) -> tuple[np.ndarray, np.ndarray]:
    """(end time, speed) of each piece until `metres` are covered, in whole moving seconds."""
    ends, speeds = [], []
    covered = elapsed = 0.0
    for seconds, speed in pieces:
        needed = np.ceil((metres - covered) / speed)
        n = min(seconds, needed) if seconds else needed
        if n <= 0:
            break
        elapsed += int(n)
        covered += int(n) * speed
        ends.append(elapsed)
        speeds.append(speed)
    return np.array(ends), np.array(speeds)


def _record_times(
    rng: np.random.Generator, durations: np.ndarray, recording: str
) -> tuple[np.ndarray, Segments]:
    """Moving seconds at which the watch writes records: each session's start, every few
    seconds, its end; all sessions end to end."""
    low, high = RECORDING_STEPS[recording]
    draws = Segments(durations // low + 1)
    every = draws.cumsum(rng.integers(low, high, int(draws.starts[-1])))
    keep = every < draws.spread(durations)  # a prefix of each session's draws
    inside = np.flatnonzero(keep)
    seg = Segments(np.add.reduceat(keep.astype(np.int64), draws.first) + 2)
    t = np.empty(int(seg.starts[-1]))
    t[seg.first], t[seg.last] = 0.0, durations
    owner = draws.owner[inside]
    t[seg.first[owner] + 1 + inside - draws.first[owner]] = every[inside]
    return t, seg


def season_tracks(
    athlete: Athlete,
    runs: Sequence[PlannedRun],
    rng: np.random.Generator,
    recording: str = "smart",
    *,
    positions: bool = True,
) -> SeasonTracks:
    """The records of every planned run of a season (GPS positions only if asked: they have a
    random stream of their own, so leaving them out changes nothing else)."""
    gps = rng.spawn(1)[0]
    if not runs:
        nothing = np.empty(0)
        return SeasonTracks(Track(nothing, nothing, nothing), np.zeros(1, dtype=np.int64), [])
    v = athlete.easy_speed_mps
    profiles = [_profile(_pieces(r.kind, r.km, v, r.walk_share), r.km * 1000) for r in runs]
    durations = np.array([ends[-1] for ends, _ in profiles], dtype=np.int64)
    t, seg = _record_times(rng, durations, recording)
    # one time axis for the whole season: noise is drawn once, not once per session
    offsets = np.concatenate([[0], np.cumsum(durations[:-1] + 600)])
    clock = t + seg.spread(offsets)
    piece_ends = np.concatenate([ends + o for (ends, _), o in zip(profiles, offsets, strict=True)])
    piece = np.minimum(np.searchsorted(piece_ends, clock), len(piece_ends) - 1)
    speed = np.concatenate([speeds for _, speeds in profiles])[piece]
    walking = speed <= WALK_SPEED_MPS
    speed = speed * (1 + _wander(rng, clock, 0.025, 20))
    dt = seg.steps(t)
    dt[seg.first] = 0.0
    indoor = seg.spread([r.sub_sport == "treadmill" for r in runs])
    climb = seg.spread([athlete.hilliness_m * (2 if r.sub_sport == "trail" else 1) for r in runs])
    repeats = seg.spread([r.kind == "hills" for r in runs])
    x = seg.cumsum(speed * dt)
    altitude = _terrain(rng, seg, x, climb, repeats)
    grade = np.where(indoor, 0.0, seg.steps(altitude) / np.maximum(seg.steps(x), 0.5))
    speed = speed * np.clip(1 - 2.5 * grade, 0.6, 1.25)
    speed *= seg.spread(np.array([r.km * 1000 for r in runs]) / seg.total(speed * dt))
    distance = seg.cumsum(speed * dt)
    hours = t / 3600
    effort = np.where(walking, 0.35, 0.62 + 1.1 * (speed / v - 1) + 6 * grade + 0.04 * hours)
    mean_step = np.mean(RECORDING_STEPS[recording]) - 0.5
    hrr = seg.trailing_mean(np.clip(effort, 0.3, 1.0), max(1, round(HR_LAG_S / mean_step)))
    cadence = (
        PRIOR_CADENCE_SPM
        + PRIOR_SLOPE_SPM_PER_MPS * (speed - REFERENCE_SPEED_MPS)
        + athlete.cadence_offset_spm
        + seg.spread([r.cadence_shift_spm for r in runs])
        + 20 * grade
        - 1.0 * hours
        - 3.0 * np.clip(hours - 1, 0, None)
        + _wander(rng, clock, 1.2, 8)
    )
    walk_cadence = 112 + 15 * (speed - WALK_SPEED_MPS) + _wander(rng, clock, 2.0, 5)
    cadence = np.where(walking, walk_cadence, cadence)
    hr = athlete.hr_rest_bpm + hrr * (athlete.hr_max_bpm - athlete.hr_rest_bpm)
    allowed = ~indoor[seg.first] & np.array([r.kind != "race" for r in runs])
    wall, pauses = _pauses(rng, seg, t, clock, allowed)
    outdoor = np.where(indoor, np.nan, 1.0)
    track = Track(
        t=wall,
        distance_m=distance,
        speed_mps=speed,
        heart_rate_bpm=np.round(hr + _normal(rng, 1.5, len(t))),
        cadence_spm=cadence,
        altitude_m=altitude * outdoor,
        **{
            k: c * outdoor
            for k, c in (
                _positions(gps, athlete, seg, distance, clock) if positions else {}
            ).items()
        },
        **(
            _dynamics(
                rng, athlete, seg.spread([r.balance_shift_pct for r in runs]), speed, cadence, hours
            )
            if athlete.has_strap
            else {}
        ),
    )
    return SeasonTracks(track, seg.starts, pauses)


def _wander(rng: np.random.Generator, t: np.ndarray, sd: float, every_s: float) -> np.ndarray:
    """Smooth noise at times `t`: normal knots every `every_s` seconds, joined by lines."""
    knots = np.arange(0.0, t[-1] + 2 * every_s, every_s)
    return np.interp(t, knots, rng.normal(0, sd, len(knots)))


def _pauses(
    rng: np.random.Generator,
    seg: Segments,
    t: np.ndarray,
    clock: np.ndarray,
    allowed: np.ndarray,
) -> tuple[np.ndarray, list[list[tuple[int, int]]]]:
    """Wall-clock times of the records and the timer pauses (a stopped timer at a crossing).

    A pause adds wall time after a record, as a watch writes records at stop and start.
    """
    duration = t[seg.last]
    counts = np.where(allowed & (duration > 900), rng.poisson(0.8, len(duration)), 0)
    session = np.repeat(np.arange(len(duration)), counts)
    moment = clock[seg.first][session] + 300 + rng.random(len(session)) * (duration[session] - 360)
    at = np.unique(np.searchsorted(clock, moment) - 1)  # the record before; a pause once
    stopped = rng.integers(15, 90, len(at))
    added = np.zeros(len(t), dtype=np.int64)
    added[at + 1] = stopped
    wall = t.astype(np.int64) + seg.cumsum(added)  # t and wall start at 0 in every session
    pauses: list[list[tuple[int, int]]] = [[] for _ in duration]
    for a, s in zip(at.tolist(), stopped.tolist(), strict=True):
        pauses[seg.owner[a]].append((int(wall[a]), int(wall[a]) + s))
    return wall, pauses


def _terrain(
    rng: np.random.Generator,
    seg: Segments,
    x: np.ndarray,
    climb_per_km: np.ndarray,
    repeats: np.ndarray,
) -> np.ndarray:
    """Altitude along each route: two rolling waves sized to climb `climb_per_km` m per km.

    Hill reps go up and down the same 8 % slope.
    """
    phase = seg.spread(rng.uniform(0, 2 * np.pi, len(seg.first)))
    base = seg.spread(rng.uniform(200, 600, len(seg.first)))
    altitude = base + climb_per_km * (
        0.7 * np.sin(2 * np.pi * x / 2000 + phase) + 0.1 * np.sin(2 * np.pi * x / 700 + 2 * phase)
    )
    reps = np.flatnonzero(repeats)
    altitude[reps] = base[reps] + 30 * np.abs(np.sin(np.pi * x[reps] / 750 + phase[reps]))
    return altitude


def _positions(
    rng: np.random.Generator,
    athlete: Athlete,
    seg: Segments,
    distance: np.ndarray,
    clock: np.ndarray,
) -> dict[str, np.ndarray]:
    """GPS positions along a wandering heading from the athlete's home."""
    heading = seg.spread(rng.uniform(0, 2 * np.pi, len(seg.first))) + _wander(rng, clock, 0.8, 120)
    step = seg.steps(distance)
    step[seg.first] = 0.0
    lat0, lon0 = athlete.home
    north = seg.cumsum(step * np.cos(heading)) / METRES_PER_DEGREE
    east = seg.cumsum(step * np.sin(heading)) / (METRES_PER_DEGREE * np.cos(np.radians(lat0)))
    return {"latitude_deg": lat0 + north, "longitude_deg": lon0 + east}


def _normal(rng: np.random.Generator, sd: float, n: int) -> np.ndarray:
    """Gaussian sensor noise (drawn in single precision: twice as fast, and plenty)."""
    return rng.standard_normal(n, dtype=np.float32) * sd


def _dynamics(
    rng: np.random.Generator,
    athlete: Athlete,
    balance_shift: np.ndarray,
    speed: np.ndarray,
    cadence: np.ndarray,
    hours: np.ndarray,
) -> dict[str, np.ndarray]:
    """Running dynamics from a strap: GCT, balance (drifting with fatigue), oscillation."""
    n = len(speed)
    direction = 1.0 if athlete.balance_baseline_pct >= 50 else -1.0
    balance = (
        athlete.balance_baseline_pct
        + balance_shift
        + direction * 0.25 * hours
        + _normal(rng, athlete.balance_noise_pct, n)
    )
    step_mm = speed * 60 / cadence * 1000
    oscillation = 88 - 3 * (speed - REFERENCE_SPEED_MPS) + _normal(rng, 2.5, n)
    return {
        "gct_ms": 255 - 28 * (speed - REFERENCE_SPEED_MPS) + _normal(rng, 4, n),
        "gct_balance_left_pct": balance,
        "vertical_oscillation_mm": oscillation,
        "vertical_ratio_pct": oscillation / step_mm * 100,
        "step_length_mm": step_mm,
    }


def ride_track(rng: np.random.Generator, athlete: Athlete, minutes: float) -> Track:
    """A road ride, smart-recorded: speed, distance, heart rate (no steps cadence)."""
    t, _ = _record_times(rng, np.array([int(minutes * 60)]), "smart")
    speed = np.clip(7.5 + _wander(rng, t, 0.8, 20), 3.0, 14.0)
    hrr = np.clip(0.5 + 0.05 * (speed - 7.5), 0.3, 0.9)
    hr = np.round(athlete.hr_rest_bpm + hrr * (athlete.hr_max_bpm - athlete.hr_rest_bpm))
    return Track(
        t=t.astype(np.int64),
        distance_m=np.cumsum(speed * np.diff(t, prepend=0.0)),
        speed_mps=speed,
        heart_rate_bpm=hr,
    )
