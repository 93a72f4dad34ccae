"""Simulate a team and write it out: FIT files (or per-run summaries), roster, injuries, truth.

Every athlete has their own random streams, derived from the seed and their index, so the same
seed writes the same bytes whatever the number of worker processes. Summary-only mode skips
FIT encoding and computes `runs.parquet` with the very functions `stridewise features --runs`
applies to decoded files, from the records frame a decoder would build.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from stridewise.features.runs import RECORD_COLUMNS, RUN_FEATURE_SCHEMA, run_features, runs_frame
from stridewise.models.labels import INJURY_SCHEMA
from stridewise.simulator.athletes import Athlete, draw_athlete, roster_frame
from stridewise.simulator.fitfile import ActivitySpec, Leg, encode_activity, timer_seconds
from stridewise.simulator.hazard import FACTORS, Effects, Hazard
from stridewise.simulator.runs import ride_track, season_tracks
from stridewise.simulator.track import concat_tracks, track_records
from stridewise.simulator.training import (
    AthleteSeason,
    plan_warmups,
    scatter_balance,
    simulate_season,
)

DEFAULT_START = date(2026, 6, 1)
"""A Monday. Fixed, so that the same seed gives the same files on any day."""
HAZARD_RATIOS = "hazard_ratios.json"
"""The world's true hazard ratio per factor of the hazard model, for recovery tests."""
TRUTH_RUNS = "truth_runs.parquet"
OUTPUTS = (
    "inbox",
    "runs.parquet",
    "roster.csv",
    "injuries.csv",
    "truth.parquet",
    TRUTH_RUNS,
    HAZARD_RATIOS,
)
"""Everything `simulate` writes in its folder (and replaces, when asked to)."""
CHUNK = 5
"""Athletes per unit of work (one task for a worker process)."""

TRUTH_SCHEMA: dict[str, pl.DataType] = {
    "athlete_id": pl.String(),
    "date": pl.Date(),
    "injured": pl.Boolean(),
    "onset": pl.Boolean(),
    "hazard": pl.Float64(),
    "km": pl.Float64(),
    "spike_ratio": pl.Float64(),
    **{f"log_hr_{name}": pl.Float64() for name in FACTORS},
    "oracle_today": pl.Float64(),
    "oracle_14d": pl.Float64(),
}
"""Per athlete-day: the true daily hazard, the km really run (recorded or not), the spike
ratio, each factor's log hazard ratio, and the two oracles of a 14-day onset
(`simulator.training._oracles`)."""
TRUTH_RUNS_SCHEMA: dict[str, pl.DataType] = {
    "athlete_id": pl.String(),
    "start_time_utc": pl.Datetime("us", "UTC"),
    "warmup_min": pl.Float64(),
    "cooldown_min": pl.Float64(),
}
"""Per recorded run: the moving minutes of easy running the simulator put before its first
harder piece and after its last (null: no harder part), for checking the measured ones."""


@dataclass(frozen=True)
class Config:
    athletes: int
    weeks: int
    seed: int
    start: date = DEFAULT_START
    squads: int = 2
    recording: str = "smart"
    hazard_scale: float = 1.0
    prodrome_pct: float = 0.0
    """A pre-onset GCT-balance shift (pp): off by default, for sensitivity analysis only."""
    effects: Effects = "published"

    @property
    def hazard(self) -> Hazard:
        return Hazard(self.effects, self.hazard_scale)


@dataclass(frozen=True)
class RecordedActivity:
    """One recorded activity of the season, ready to encode or to summarise."""

    athlete: Athlete
    start_utc: datetime
    utc_offset_s: int
    leg: Leg
    pauses: list[tuple[int, int]]
    warmup_cooldown_min: tuple[float | None, float | None] = (None, None)
    """What the simulator ran: `TRUTH_RUNS_SCHEMA`'s minutes (a ride: none)."""

    @property
    def run_id(self) -> str:
        return f"{self.athlete.athlete_id}/{self.start_utc:%Y-%m-%dT%H%M%SZ}"


def team(config: Config) -> list[Athlete]:
    """The athletes of the team, in roster order."""
    return [_athlete(config, i) for i in range(config.athletes)]


def _athlete(config: Config, index: int) -> Athlete:
    rng = np.random.default_rng([config.seed, index, 0])
    squad, number = index % config.squads, index // config.squads
    return draw_athlete(rng, number, squad, config.start)


def _season(
    config: Config, index: int, *, positions: bool
) -> tuple[AthleteSeason, Iterator[RecordedActivity]]:
    athlete = _athlete(config, index)
    season = simulate_season(
        athlete,
        np.random.default_rng([config.seed, index, 1]),
        config.start,
        config.weeks,
        config.hazard,
        config.prodrome_pct,
    )
    scatter_balance(season, np.random.default_rng([config.seed, index, 3]))
    plan_warmups(season, np.random.default_rng([config.seed, index, 4]))
    rng = np.random.default_rng([config.seed, index, 2])
    return season, _activities(season, rng, config, positions=positions)


def _activities(
    season: AthleteSeason, rng: np.random.Generator, config: Config, *, positions: bool
) -> Iterator[RecordedActivity]:
    """The recorded runs and rides of a season, in time order, with their records."""
    athlete = season.athlete
    zone = ZoneInfo(athlete.timezone)
    tracks = season_tracks(athlete, season.runs, rng, config.recording, positions=positions)
    Event = tuple[int, float, Leg, list[tuple[int, int]], tuple[float | None, float | None]]
    events: list[Event] = [
        (
            r.day,
            r.local_hour,
            Leg("running", tracks.session(i), r.sub_sport),
            tracks.pauses[i],
            tracks.profiles[i].warmup_cooldown_min(),
        )
        for i, r in enumerate(season.runs)
        if r.recorded
    ]
    events += [
        (day, hour, Leg("cycling", ride_track(rng, athlete, minutes), "road"), [], (None, None))
        for day, hour, minutes in season.rides
    ]
    for day, hour, leg, pauses, truth in sorted(events, key=lambda e: (e[0], e[1])):
        local = datetime.combine(season.date(day), datetime.min.time(), zone)
        local += timedelta(seconds=round(hour * 3600))
        offset = local.utcoffset() or timedelta()
        yield RecordedActivity(
            athlete, local.astimezone(UTC), int(offset.total_seconds()), leg, pauses, truth
        )


def fit_bytes(activity: RecordedActivity) -> bytes:
    return encode_activity(
        ActivitySpec(
            activity.start_utc,
            [activity.leg],
            utc_offset_s=activity.utc_offset_s,
            pauses=activity.pauses,
            device=activity.athlete.device,
        )
    )


def summary_row(activity: RecordedActivity) -> dict[str, object]:
    """The `RUN_SCHEMA` row a decoder reads from this activity's FIT file."""
    seconds = float(timer_seconds(activity.leg, activity.pauses))
    running = activity.leg.sport == "running"
    return {
        "run_id": activity.run_id,
        "athlete_id": activity.athlete.athlete_id,
        "sha256": None,
        "start_time_utc": activity.start_utc,
        "local_date": (activity.start_utc + timedelta(seconds=activity.utc_offset_s)).date(),
        "utc_offset_s": activity.utc_offset_s,
        "sport": activity.leg.sport,
        "sub_sport": activity.leg.sub_sport,
        "device": activity.athlete.device_name,
        "running_s": seconds if running else 0.0,
        "cross_training_s": 0.0 if running else seconds,
        "total_ascent_m": None,
    }


def records_batch(activities: list[RecordedActivity]) -> pl.DataFrame:
    """The records of many activities in one frame, as decoding their files would give."""
    tracks = [a.leg.track for a in activities]
    lengths = np.array([len(t) for t in tracks])
    owner = np.repeat(np.arange(len(tracks)), lengths)
    first_t = np.array([t.t[0] for t in tracks], dtype=np.float64)[owner]
    values = track_records(concat_tracks(tracks), first_t)
    total = int(lengths.sum())
    return pl.DataFrame(
        {
            "run_id": pl.Series([a.run_id for a in activities], dtype=pl.String).gather(owner),
            "running": np.array([a.leg.sport == "running" for a in activities])[owner],
            "elapsed_s": values["elapsed_s"],
            "session": pl.zeros(total, pl.UInt16, eager=True),
            "moving": pl.repeat(True, total, eager=True),
            **{
                name: pl.Series(name, values[name], nan_to_null=True)
                for name in RECORD_COLUMNS
                if name not in ("elapsed_s", "session", "moving")
            },
        }
    )


def _truth(season: AthleteSeason) -> pl.DataFrame:
    days = len(season.truth["hazard"])
    onsets = {i.onset_day for i in season.injuries}
    return pl.DataFrame(
        {
            "athlete_id": [season.athlete.athlete_id] * days,
            "date": [season.date(d) for d in range(days)],
            "injured": [bool(x) for x in season.truth["injured"]],
            "onset": [d in onsets for d in range(days)],
            "hazard": season.truth["hazard"],
            "km": season.truth["km"],
            "spike_ratio": season.truth["spike_ratio"],
            **{f"log_hr_{name}": season.truth[name] for name in FACTORS},
            "oracle_today": season.truth["oracle_today"],
            "oracle_14d": season.truth["oracle_14d"],
        },
        schema=TRUTH_SCHEMA,
    )


def _injuries(season: AthleteSeason) -> list[dict[str, object]]:
    return [
        {
            "athlete_id": season.athlete.athlete_id,
            "onset_date": season.date(i.onset_day),
            "region": i.region,
            "subtype": i.subtype,
            "side": i.side,
            "severity": i.severity,
            "days_lost": i.days_lost,
        }
        for i in season.injuries
    ]


WORKER_ENVIRONMENT = {
    "POLARS_MAX_THREADS": "1",
    "MALLOC_MMAP_THRESHOLD_": str(1 << 28),
    "MALLOC_TRIM_THRESHOLD_": str(1 << 30),
    "NUMPY_MADVISE_HUGEPAGE": "0",
    "_RJEM_MALLOC_CONF": "dirty_decay_ms:-1,muzzy_decay_ms:-1",
}
"""One core per worker process (polars single-threaded), and allocators that keep freed memory
(glibc for numpy, jemalloc for polars): otherwise every large temporary array is page-faulted
in afresh, and the kernel's share of the time rose to a third."""


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables while worker processes start (they inherit them)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass(frozen=True)
class ChunkResult:
    truth: pl.DataFrame
    truth_runs: list[dict[str, object]]
    injuries: list[dict[str, object]]
    runs: pl.DataFrame | None
    files: int


def simulate_chunk(config: Config, indices: range, out: Path | None) -> ChunkResult:
    """Simulate athletes `indices`; write their FIT files under `out`, else summarise them."""
    truths, truth_runs, injuries, activities, files = [], [], [], [], 0
    for index in indices:
        season, recorded = _season(config, index, positions=out is not None)
        truths.append(_truth(season))
        injuries += _injuries(season)
        for activity in recorded:
            if activity.leg.sport == "running":
                warmup, cooldown = activity.warmup_cooldown_min
                truth_runs.append(
                    {
                        "athlete_id": activity.athlete.athlete_id,
                        "start_time_utc": activity.start_utc,
                        "warmup_min": warmup,
                        "cooldown_min": cooldown,
                    }
                )
            if out is None:
                activities.append(activity)
                continue
            path = out / "inbox" / activity.run_id.replace("/", os.sep)
            path = path.with_suffix(".fit")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(fit_bytes(activity))
            files += 1
    runs = None
    if out is None and activities:
        meta = runs_frame([summary_row(a) for a in activities])
        roster = roster_frame([_athlete(config, i) for i in indices])
        runs = run_features(records_batch(activities), meta, roster)
    return ChunkResult(pl.concat(truths), truth_runs, injuries, runs, files)


def simulate(
    config: Config,
    out: Path,
    *,
    summary_only: bool = False,
    workers: int = 1,
    progress: Callable[[int], None] = lambda athletes: None,
) -> dict[str, int]:
    """Write the simulated team under `out`; return counts for the caller to report."""
    out.mkdir(parents=True, exist_ok=True)
    chunks = [range(i, min(i + CHUNK, config.athletes)) for i in range(0, config.athletes, CHUNK)]
    target = None if summary_only else out
    results: list[ChunkResult] = []
    if workers > 1 and len(chunks) > 1:
        with (
            _environment(WORKER_ENVIRONMENT),
            ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool,
        ):
            futures = [pool.submit(simulate_chunk, config, c, target) for c in chunks]
            for chunk, future in zip(chunks, futures, strict=True):
                results.append(future.result())
                progress(len(chunk))
    else:
        for chunk in chunks:
            results.append(simulate_chunk(config, chunk, target))
            progress(len(chunk))
    roster_frame(team(config)).write_csv(out / "roster.csv")
    injuries = pl.DataFrame([i for r in results for i in r.injuries], schema=INJURY_SCHEMA)
    injuries.sort("athlete_id", "onset_date").write_csv(out / "injuries.csv")
    pl.concat([r.truth for r in results]).write_parquet(out / "truth.parquet")
    truth_runs = [row for r in results for row in r.truth_runs]
    pl.DataFrame(truth_runs, schema=TRUTH_RUNS_SCHEMA, orient="row").sort(
        "athlete_id", "start_time_utc"
    ).write_parquet(out / TRUTH_RUNS)
    (out / HAZARD_RATIOS).write_text(json.dumps(config.hazard.ratios(), indent=2) + "\n")
    counts = {"athletes": config.athletes, "injuries": injuries.height}
    if summary_only:
        parts = [r.runs for r in results if r.runs is not None]
        runs = pl.concat(parts) if parts else pl.DataFrame(schema=RUN_FEATURE_SCHEMA)
        runs.sort("athlete_id", "start_time_utc").write_parquet(out / "runs.parquet")
        counts["runs"] = runs.height
    else:
        counts["files"] = sum(r.files for r in results)
    return counts
