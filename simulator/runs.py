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
    profiles: list[Profile]

    def session(self, i: int) -> Track:
        return self.track.take(slice(self.starts[i], self.starts[i + 1]))


@dataclass(frozen=True)
class Piece:
    """A stretch of a session at one speed: `seconds` of moving time (0: the rest of the
    distance); `hard`: a harder effort (the truth of `truth_runs.parquet`); `grade`: a hill
    rep's slope, run at `speed` as given (None: the route's own terrain shapes the speed)."""

    seconds: float
    speed: float
    hard: bool = False
    grade: float | None = None


HILL_GRADE = 0.10
"""Hill reps go up and down one 10 % slope: 2:30 up, hard, 3:20 jogging down the same way,
so the rep section climbs 50 m per km and the session about the 40 m/km the hazard counts."""
MAX_EASY_SHARE = 0.6
"""A short quality session shortens its warm-up and cool-down to leave the harder part 40 %."""
RACE_HARD_FACTOR = 1.1
"""A race faster than this multiple of easy speed is a harder effort from start to finish."""


def _pieces(run: PlannedRun, v: float) -> list[Piece]:
    """The pieces of a session: the athlete's warm-up (`run.warmup_s`) and cool-down
    (`run.cooldown_s`) at 0.85 x easy speed around the harder part of a quality session; easy
    and long runs start with 5 gentle minutes; the last piece takes the remaining distance."""
    metres, easy = run.km * 1000, 0.85 * v
    around = (run.warmup_s + run.cooldown_s) * easy
    shrink = min(1.0, MAX_EASY_SHARE * metres / around) if around else 1.0
    warm = Piece(round(run.warmup_s * shrink), easy)
    hard_m = metres - around * shrink
    if run.kind == "race":
        factor = 1.2 if run.km <= 10 else (1.12 if run.km <= 21.1 else 1.04)
        return [Piece(0.0, factor * v, hard=factor >= RACE_HARD_FACTOR)]
    if run.kind == "tempo":
        return [warm, Piece(hard_m / (1.2 * v), 1.2 * v, hard=True), Piece(0.0, easy)]
    if run.kind == "intervals":
        rep_m = 800 + 90 * 0.6 * v
        reps = int(np.clip(hard_m // rep_m, 3, 10))
        work = [Piece(800 / (1.4 * v), 1.4 * v, hard=True), Piece(90.0, 0.6 * v)] * reps
        return [warm, *work, Piece(0.0, easy)]
    if run.kind == "hills":
        rep_m = 150 * 0.8 * v + 200 * 0.6 * v
        reps = int(np.clip(hard_m // rep_m, 4, 10))
        up = Piece(150.0, 0.8 * v, hard=True, grade=HILL_GRADE)
        down = Piece(200.0, 0.6 * v, grade=-HILL_GRADE)
        return [warm, *[up, down] * reps, Piece(0.0, easy)]
    if run.kind == "walk_run":
        walk_s, run_s = 60.0 * run.walk_share / (1 - run.walk_share + 1e-9), 60.0
        cycle = [Piece(walk_s, WALK_SPEED_MPS), Piece(run_s, 0.85 * v)] if walk_s >= 1 else []
        return [*cycle * 40, Piece(0.0, 0.85 * v)]
    steady = 0.95 * v if run.kind == "long" else v
    return [Piece(300.0, easy), Piece(0.0, steady)]


@dataclass(frozen=True)
class Profile:
    """The pieces a session ran until its distance was covered: each one's end (whole moving
    seconds since the start), speed, grade (NaN: the route's) and whether it was hard."""

    ends: np.ndarray
    speeds: np.ndarray
    grades: np.ndarray
    hard: np.ndarray

    def warmup_cooldown_min(self) -> tuple[float | None, float | None]:
        """Moving minutes before the first hard piece and after the last (None: none hard)."""
        hard = np.flatnonzero(self.hard)
        if not len(hard):
            return None, None
        starts = np.concatenate([[0], self.ends[:-1]])
        return float(starts[hard[0]]) / 60, float(self.ends[-1] - self.ends[hard[-1]]) / 60


def _profile(pieces: list[Piece], metres: float) -> Profile:
    """The pieces until `metres` are covered, in whole moving seconds."""
    kept: list[tuple[float, Piece]] = []
    covered = elapsed = 0.0
    for piece in pieces:
        needed = np.ceil((metres - covered) / piece.speed)
        n = min(piece.seconds, needed) if piece.seconds else needed
        if n <= 0:
            break
        elapsed += int(n)
        covered += int(n) * piece.speed
        kept.append((elapsed, piece))
    return Profile(
        ends=np.array([end for end, _ in kept]),
        speeds=np.array([p.speed for _, p in kept]),
        grades=np.array([np.nan if p.grade is None else p.grade for _, p in kept]),
        hard=np.array([p.hard for _, p in kept], dtype=bool),
    )


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


def session_profiles(athlete: Athlete, runs: Sequence[PlannedRun]) -> list[Profile]:
    """The pieces each planned run was run in (what `truth_runs.parquet` reports)."""
    return [_profile(_pieces(r, athlete.easy_speed_mps), r.km * 1000) for r in runs]


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
        return SeasonTracks(Track(nothing, nothing, nothing), np.zeros(1, dtype=np.int64), [], [])
    v = athlete.easy_speed_mps
    profiles = session_profiles(athlete, runs)
    durations = np.array([p.ends[-1] for p in profiles], dtype=np.int64)
    t, seg = _record_times(rng, durations, recording)
    # one time axis for the whole season: noise is drawn once, not once per session
    offsets = np.concatenate([[0], np.cumsum(durations[:-1] + 600)])
    clock = t + seg.spread(offsets)
    piece_ends = np.concatenate([p.ends + o for p, o in zip(profiles, offsets, strict=True)])
    piece = np.minimum(np.searchsorted(piece_ends, clock), len(piece_ends) - 1)
    speed = np.concatenate([p.speeds for p in profiles])[piece]
    rep_grade = np.concatenate([p.grades for p in profiles])[piece]
    walking = speed <= WALK_SPEED_MPS
    speed = speed * (1 + _wander(rng, clock, 0.025, 20))
    dt = seg.steps(t)
    dt[seg.first] = 0.0
    indoor = seg.spread([r.sub_sport == "treadmill" for r in runs])
    climb = seg.spread([athlete.hilliness_m * (2 if r.sub_sport == "trail" else 1) for r in runs])
    x = seg.cumsum(speed * dt)
    altitude = _terrain(rng, seg, x, climb, rep_grade)
    grade = np.where(indoor, 0.0, seg.steps(altitude) / np.maximum(seg.steps(x), 0.5))
    speed = np.where(np.isnan(rep_grade), speed * np.clip(1 - 2.5 * grade, 0.6, 1.25), speed)
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
    return SeasonTracks(track, seg.starts, pauses, profiles)


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
    rep_grade: np.ndarray,
) -> np.ndarray:
    """Altitude along each route: two rolling waves sized to climb `climb_per_km` m per km,
    except on hill reps, which climb and descend at their own grade (`rep_grade`, NaN: none)."""
    phase = seg.spread(rng.uniform(0, 2 * np.pi, len(seg.first)))
    base = seg.spread(rng.uniform(200, 600, len(seg.first)))
    route = climb_per_km * (
        0.7 * np.sin(2 * np.pi * x / 2000 + phase) + 0.1 * np.sin(2 * np.pi * x / 700 + 2 * phase)
    )
    step = seg.steps(route)
    on_rep = ~np.isnan(rep_grade)
    step[on_rep] = rep_grade[on_rep] * seg.steps(x)[on_rep]
    step[seg.first] = 0.0
    return base + seg.spread(route[seg.first]) + seg.cumsum(step)


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
