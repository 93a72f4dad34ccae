"""Weeks of training for one athlete, day by day, with hip injuries drawn from the hazard.

Each week is planned at its start (block, spikes, session types), then lived day by day: the
day's true load updates the hazard, an injury may start, and an injured athlete stops, then
returns through a walk-run progression. Runs the watch did not record still count as load:
the truth knows them, the features do not (`coverage` is how a model can tell).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np

from stridewise.features.daily import SPIKE_EFFECT_DAYS
from stridewise.models.labels import SUBTYPES
from stridewise.simulator.athletes import Athlete
from stridewise.simulator.hazard import (
    FACTORS,
    FATIGUE_CADENCE_SPM_PER_ACWR,
    FLEXOR_FACTORS,
    LATERAL_FACTORS,
    PUBLISHED,
    Hazard,
    LoadState,
    spike_bin,
)

Session = tuple[str, float, float]
"""(kind, km, share of the time walked): one planned session."""

BLOCK = (1.0, 1.07, 1.14, 0.78)
"""Base, build, build, cut-back: weekly volume factors of a four-week block."""
TAPER = 0.7
"""A race week's easy runs, as a share of the usual."""
QUALITY_KINDS = ("intervals", "tempo", "hills")
SEVERITY = (("mild", 0.55, (3, 10)), ("moderate", 0.33, (14, 35)), ("severe", 0.12, (42, 90)))
"""Share of injuries and days lost by severity."""
WALK_RUN_PHASES = 6
"""Return to running: six phases, each done twice, a rest day between runs."""
PRODROME_DAYS = 21
"""An optional pre-onset balance shift lasts this long (`prodrome_pct`, off by default)."""
HORIZON_DAYS = 14
"""The horizon of the oracles the simulator writes (the model's label window)."""
TRUTH_COLUMNS = ("hazard", "injured", "km", "spike_ratio", *FACTORS)
"""What the simulator records per day: the hazard, true km (recorded or not), the spike, and
each factor's log hazard ratio."""
BALANCE_OU_SD, BALANCE_OU_DAYS = 0.5, 30.0
"""The runner's GCT balance wanders around the baseline (SD, mean reversion time)."""
BALANCE_RUN_SD = 0.4
"""Run-to-run scatter of a run's GCT balance (pp) from strap placement, speed and terrain: an
assumption (docs/simulator.md), about the half-width of Garmin's green band."""


def scatter_balance(season: AthleteSeason, rng: np.random.Generator) -> None:
    """Each run's balance off the day's drift by N(0, BALANCE_RUN_SD), from a stream of its
    own: the season's draws, and so its injuries, stay what they were without it."""
    offsets = rng.normal(0.0, BALANCE_RUN_SD, len(season.runs))
    season.runs = [
        replace(run, balance_shift_pct=run.balance_shift_pct + float(offset))
        for run, offset in zip(season.runs, offsets, strict=True)
    ]


WARMUP_MEDIAN_MIN, COOLDOWN_MEDIAN_MIN, HABIT_SD_LOG = 8.0, 6.0, 0.6
"""Runners' habits around quality sessions: lognormal warm-ups (median 8 min, 2-25) and
cool-downs (median 6 min, 1-20), each session within N(0, SESSION_SD_LOG) of the habit in
log terms. An assumption, documented in docs/simulator.md: no study measured them."""
SESSION_SD_LOG = 0.2


def plan_warmups(season: AthleteSeason, rng: np.random.Generator) -> None:
    """The athlete's warm-up and cool-down habits, and each run's, from a stream of their own:
    the season's draws, and so its injuries, stay what they were without them."""
    habit = np.exp(rng.normal(np.log([WARMUP_MEDIAN_MIN, COOLDOWN_MEDIAN_MIN]), HABIT_SD_LOG))
    habit = np.clip(habit, [2.0, 1.0], [25.0, 20.0])
    scatter = np.exp(rng.normal(0.0, SESSION_SD_LOG, (len(season.runs), 2)))
    season.runs = [
        replace(run, warmup_s=round(60 * habit[0] * s[0]), cooldown_s=round(60 * habit[1] * s[1]))
        for run, s in zip(season.runs, scatter, strict=True)
    ]


@dataclass(frozen=True)
class PlannedRun:
    """One session the athlete did: what, how far, when (local), whether the watch recorded it."""

    day: int
    kind: str
    km: float
    local_hour: float
    sub_sport: str
    recorded: bool
    cadence_shift_spm: float
    balance_shift_pct: float
    walk_share: float = 0.0
    warmup_s: float = 600.0
    cooldown_s: float = 300.0
    """Moving seconds of easy running before and after a quality session's harder part."""


@dataclass(frozen=True)
class Injury:
    onset_day: int
    region: str
    subtype: str
    side: str
    severity: str
    days_lost: int


@dataclass
class AthleteSeason:
    """Everything the simulator decided for one athlete over the season."""

    athlete: Athlete
    first_day: date
    runs: list[PlannedRun] = field(default_factory=list)
    rides: list[tuple[int, float, float]] = field(default_factory=list)
    """(day, local hour, minutes) of cross-training rides."""
    injuries: list[Injury] = field(default_factory=list)
    truth: dict[str, list[float]] = field(default_factory=dict)

    def date(self, day: int) -> date:
        return self.first_day + timedelta(days=day)


HISTORY_DAYS = 42
"""Six weeks of habitual training before the first day (not written)."""


@dataclass
class _Life:
    """What a season carries from one day to the next; a copy of it lives on healthy after an
    onset, for the oracle that knows the planned training (`_healthy_hazards`)."""

    km: list[float]
    longest: list[float]
    intense: list[float]
    climb: list[float]
    spike_hr: list[float]
    previous_injury: bool
    balance_drift: float = 0.0
    unavailable_until: int = -1
    return_plan: list[Session] = field(default_factory=list)
    plan: dict[int, list[Session]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Day:
    contributions: dict[str, float]
    hazard: float
    injured: bool
    km: float
    spike_ratio: float | None


def simulate_season(
    athlete: Athlete,
    rng: np.random.Generator,
    first_day: date,
    weeks: int,
    hazard: Hazard = PUBLISHED,
    prodrome_pct: float = 0.0,
) -> AthleteSeason:
    """Plan and live `weeks` weeks from `first_day` (a Monday)."""
    season = AthleteSeason(athlete, first_day)
    days = weeks * 7
    habitual = athlete.weekly_km / athlete.runs_per_week
    weekdays = _run_weekdays(athlete)
    km = [habitual if d % 7 in weekdays else 0.0 for d in range(HISTORY_DAYS)] + [0.0] * days
    zeros = [0.0] * len(km)
    life = _Life(
        km, km.copy(), zeros.copy(), zeros.copy(), [1.0] * len(km), athlete.previous_injury
    )
    truth: dict[str, list[float | None]] = {name: [] for name in TRUTH_COLUMNS}
    wander = rng.normal(0, BALANCE_OU_SD * math.sqrt(2 / BALANCE_OU_DAYS), days).tolist()
    draws = rng.random(days).tolist()
    ghosts: dict[int, list[float]] = {}
    for day in range(days):
        lived = _live_day(athlete, rng, life, day, wander[day], season, hazard)
        for name, value in lived.contributions.items():
            truth[name].append(value)
        truth["hazard"].append(lived.hazard)
        truth["injured"].append(float(lived.injured))
        truth["km"].append(lived.km)
        truth["spike_ratio"].append(lived.spike_ratio)
        if not lived.injured and draws[day] < -math.expm1(-lived.hazard):
            ghosts[day] = _healthy_hazards(athlete, rng, life, day, wander, hazard)
            injury = _injury(rng, day, lived.contributions, life.balance_drift)
            season.injuries.append(injury)
            life.previous_injury = True
            life.unavailable_until = day + injury.days_lost
            life.return_plan = _return_plan(athlete, injury)
    truth["oracle_today"], truth["oracle_14d"] = _oracles(truth["hazard"], ghosts)
    season.truth = truth
    _add_prodromes(season, prodrome_pct)
    return season


def _live_day(
    athlete: Athlete,
    rng: np.random.Generator,
    life: _Life,
    day: int,
    wander: float,
    season: AthleteSeason | None,
    hazard: Hazard,
) -> _Day:
    """One day: the week's plan at its start, the sessions (kept in `season`, unless this is
    the healthy copy), the true loads and the hazard they give."""
    h = day + HISTORY_DAYS
    if day % 7 == 0:
        life.plan = _plan_week(athlete, rng, _week_volume(athlete, rng, day // 7))
    life.balance_drift += -life.balance_drift / BALANCE_OU_DAYS + wander
    injured = day <= life.unavailable_until
    sessions = [] if injured else _today(life.plan.get(day % 7, []), life.return_plan)
    acwr = _acwr(life.km, h - 1)
    fatigue = -FATIGUE_CADENCE_SPM_PER_ACWR * max(0.0, (acwr or 1.0) - 1.0)
    for n, (kind, distance, walk) in enumerate(sessions):
        hour = _start_hour(athlete, rng, kind, second=n > 0)
        run = _run(athlete, rng, day, (kind, distance, walk), hour, fatigue, life.balance_drift)
        if season is not None:
            season.runs.append(run)
        life.km[h] += distance
        life.longest[h] = max(life.longest[h], distance)
        life.intense[h] += distance * (0.45 if kind in ("intervals", "tempo", "race") else 0.0)
        life.climb[h] += distance * (40.0 if kind == "hills" else athlete.hilliness_m)
    if life.return_plan and sessions:
        life.return_plan.pop(0)
    if not sessions and not injured and rng.random() < _ride_chance(athlete):
        ride = (day, 17 + 3 * rng.random(), 40 + 50 * rng.random())
        if season is not None:
            season.rides.append(ride)
    km, longest = life.km, life.longest
    before = max(longest[h - 30 : h])
    ratio = longest[h] / before - 1 if longest[h] > 0 and before > 0 else None
    life.spike_hr[h] = hazard.spike_hr[spike_bin(longest[h], before)] if ratio is not None else 1.0
    week_km = sum(km[h - 6 : h + 1])
    state = LoadState(
        spike_hr=max(life.spike_hr[h - SPIKE_EFFECT_DAYS + 1 : h + 1]),
        weekly_progression=_progression(km, h),
        acwr=_acwr(km, h),
        monotony=_monotony(km[h - 6 : h + 1]),
        cadence_deficit_spm=max(0.0, -(athlete.cadence_offset_spm + fatigue)),
        asymmetry_pct=abs(life.balance_drift),
        previous_injury=life.previous_injury,
        km_per_week_28d=sum(km[h - 27 : h + 1]) / 4,
        intensity_share=_share(sum(life.intense[h - 6 : h + 1]), week_km),
        hills_m_per_km=_share(sum(life.climb[h - 6 : h + 1]), week_km),
    )
    contributions = hazard.log_contributions(state)
    rate = 0.0 if injured else hazard.daily(contributions)
    return _Day(contributions, rate, injured, km[h], ratio)


def _healthy_hazards(
    athlete: Athlete,
    rng: np.random.Generator,
    life: _Life,
    onset: int,
    wander: list[float],
    hazard: Hazard,
) -> list[float]:
    """The hazards of the days after an onset had the runner stayed healthy: a copy of the
    season (state and random stream) lives on as planned, records nothing, draws no injury."""
    ghost, ghost_rng = copy.deepcopy(life), copy.deepcopy(rng)
    last = min(onset + HORIZON_DAYS, len(wander))
    return [
        _live_day(athlete, ghost_rng, ghost, day, wander[day], None, hazard).hazard
        for day in range(onset + 1, last)
    ]


def _oracles(
    hazard: list[float | None], ghosts: dict[int, list[float]]
) -> tuple[list[float | None], list[float | None]]:
    """Per day, P(an onset in the next HORIZON_DAYS): `oracle_today` if today's true hazard
    held; `oracle_14d` from the true hazards of the days ahead, the planned training as if the
    runner stayed healthy (after the first onset ahead, its healthy copy's). The last
    HORIZON_DAYS days, whose future the season does not reach, have no `oracle_14d`."""
    today = [-math.expm1(-HORIZON_DAYS * (h or 0.0)) for h in hazard]
    ahead: list[float | None] = []
    for t in range(len(hazard)):
        end = t + HORIZON_DAYS
        if end >= len(hazard):
            ahead.append(None)
            continue
        onset = next((o for o in sorted(ghosts) if t < o <= end), None)
        lived = hazard[t + 1 : (onset if onset is not None else end) + 1]
        planned = ghosts[onset][: end - onset] if onset is not None else []
        ahead.append(-math.expm1(-(sum(h or 0.0 for h in lived) + sum(planned))))
    return today, ahead


def _run_weekdays(athlete: Athlete) -> list[int]:
    """Long-run day first, then quality days (Tue, Thu), then the rest of the week."""
    other_weekend = 6 if athlete.long_run_weekday == 5 else 5
    order = [athlete.long_run_weekday, 1, 3, other_weekend, 0, 2, 4]
    return order[: athlete.runs_per_week]


def _week_volume(athlete: Athlete, rng: np.random.Generator, week: int) -> float:
    """Block periodisation around the habitual volume, with occasional camps and breaks."""
    growth = 1 + min(0.12, 0.02 * (week // len(BLOCK)))
    target = athlete.weekly_km * BLOCK[week % len(BLOCK)] * growth
    if rng.random() < 0.025:
        return 0.0  # a week off: holiday, illness; the next week returns at the usual volume
    if rng.random() < 0.015:
        return target * 1.6  # a camp week
    return float(target * rng.normal(1.0, 0.06))


def _plan_week(
    athlete: Athlete, rng: np.random.Generator, volume: float
) -> dict[int, list[Session]]:
    """Weekday -> [(kind, km)]: a long run, quality sessions, easy runs, sometimes a spike."""
    if volume <= 0:
        return {}
    weekdays = _run_weekdays(athlete)
    long_km = volume * athlete.long_run_share
    easy_km = max(3.0, (volume - long_km) / max(1, len(weekdays) - 1))
    kind, quality = "long", athlete.quality_per_week
    if rng.random() < 0.03:  # a race week is a taper: shorter easy runs, no quality sessions
        kind, long_km = "race", float(rng.choice([10.0, 21.1, 42.2 if volume > 50 else 21.1]))
        easy_km, quality = max(3.0, TAPER * easy_km), 0
    elif rng.random() < 0.05:
        long_km *= rng.uniform(1.4, 2.2)  # a long-run jump
    plan = {weekdays[0]: [(kind, round(long_km, 2), 0.0)]}
    for i, weekday in enumerate(weekdays[1:]):
        session = str(rng.choice(QUALITY_KINDS)) if i < quality else "easy"
        plan[weekday] = [(session, round(max(3.0, easy_km * rng.normal(1.0, 0.1)), 2), 0.0)]
    if volume > 1.4 * athlete.weekly_km:  # camp: doubles on the easy days
        for weekday in weekdays[1 + athlete.quality_per_week :]:
            plan[weekday].append(("easy", round(max(3.0, easy_km * 0.6), 2), 0.0))
    return plan


def _today(planned: list[Session], return_plan: list[Session]) -> list[Session]:
    """The planned sessions, or, on a planned running day, the next step of a return."""
    if not return_plan:
        return planned
    return return_plan[:1] if planned else []


def _return_plan(athlete: Athlete, injury: Injury) -> list[Session]:
    """Sessions after the days lost: easy and short when mild, else walk-run phases."""
    easy = athlete.weekly_km / athlete.runs_per_week
    if injury.severity == "mild":
        return [("easy", round(0.5 * easy, 2), 0.0)] * 4
    return [
        ("walk_run", round(3.0 + 0.5 * phase, 2), 1 - (phase + 1) / (WALK_RUN_PHASES + 1))
        for phase in range(WALK_RUN_PHASES)
        for _ in range(2)
    ]


def _ride_chance(athlete: Athlete) -> float:
    return athlete.rides_per_week / max(1, 7 - athlete.runs_per_week)


def _start_hour(athlete: Athlete, rng: np.random.Generator, kind: str, *, second: bool) -> float:
    """Local start: long runs and races at 8, others at the athlete's habit, a day's second run
    in the other half of the day, and 3 % late runs (their UTC date may be tomorrow)."""
    if second:
        return (6.5 if athlete.start_hour >= 12 else 17.5) + rng.uniform(0, 1)
    if rng.random() < 0.03:
        return rng.uniform(22.5, 23.5)
    return (8.0 if kind in ("long", "race") else athlete.start_hour) + rng.uniform(0, 1)


def _run(
    athlete: Athlete,
    rng: np.random.Generator,
    day: int,
    session: Session,
    hour: float,
    fatigue: float,
    balance_drift: float,
) -> PlannedRun:
    kind, km, walk = session
    sub_sport = "generic"
    if kind == "easy" and rng.random() < athlete.treadmill_share:
        sub_sport = "treadmill"
    elif kind in ("long", "easy") and rng.random() < athlete.trail_share:
        sub_sport = "trail"
    return PlannedRun(
        day=day,
        kind=kind,
        km=km,
        local_hour=float(hour),
        sub_sport=sub_sport,
        recorded=bool(rng.random() >= athlete.missing_share),
        cadence_shift_spm=fatigue,
        balance_shift_pct=balance_drift,
        walk_share=walk,
    )


def _progression(km: list[float], h: int) -> float | None:
    previous = sum(km[h - 13 : h - 6])
    return sum(km[h - 6 : h + 1]) / previous - 1 if previous > 0 else None


def _acwr(km: list[float], h: int) -> float | None:
    chronic = sum(km[h - 27 : h - 6]) / 21
    return sum(km[h - 6 : h + 1]) / 7 / chronic if chronic > 0 else None


def _monotony(week: list[float]) -> float | None:
    """Mean ÷ sample SD of the week's daily km (Foster 1998)."""
    mean = sum(week) / len(week)
    variance = sum((x - mean) ** 2 for x in week) / (len(week) - 1)
    return mean / math.sqrt(variance) if variance > 0 else None


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def _injury(
    rng: np.random.Generator, day: int, contributions: dict[str, float], balance_drift: float
) -> Injury:
    """Subtype by mechanism, side from the asymmetry, severity and days lost by the table."""
    lateral = 0.7 * math.exp(sum(contributions[f] for f in LATERAL_FACTORS))
    flexor = 0.3 * math.exp(sum(contributions[f] for f in FLEXOR_FACTORS))
    if rng.random() < lateral / (lateral + flexor):
        region, first_share = "lateral_hip", 0.45  # IT-band syndrome, else gluteal
    else:
        region, first_share = "anterior_hip", 0.8  # hip-flexor tendinopathy, else labral
    subtype = SUBTYPES[region][0 if rng.random() < first_share else 1]
    side = "left" if rng.random() < (0.65 if balance_drift < 0 else 0.35) else "right"
    severity, _, (low, high) = SEVERITY[rng.choice(len(SEVERITY), p=[s[1] for s in SEVERITY])]
    return Injury(day, region, subtype, side, severity, int(rng.integers(low, high + 1)))


def _add_prodromes(season: AthleteSeason, prodrome_pct: float) -> None:
    """Optional, off by default (no prospective study shows it): before an onset the runner
    offloads the painful side, balance shifting up to `prodrome_pct` pp away from it. It
    makes a future onset change what the watch records: for sensitivity analysis only."""
    if not prodrome_pct:
        return
    onsets = [(i.onset_day, -1.0 if i.side == "left" else 1.0) for i in season.injuries]
    for n, run in enumerate(season.runs):
        shift = sum(
            direction * prodrome_pct * (1 - (onset - run.day) / PRODROME_DAYS)
            for onset, direction in onsets
            if 0 <= onset - run.day < PRODROME_DAYS
        )
        if shift:
            season.runs[n] = replace(run, balance_shift_pct=run.balance_shift_pct + shift)
