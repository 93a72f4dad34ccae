"""Per-run features: one row per activity, from the records of many runs at once.

Runs are computed in batches (a `run_id` column in one records frame) because per-run work in
Python would dominate: the nightly ingest and the simulator's summary-only cohorts both hand
thousands of runs to one call. This module shapes the tables; `run_measures` computes.
Definitions, units and sources: docs/features.md.
"""

from __future__ import annotations

import polars as pl

from stridewise.features.expressions import ratio
from stridewise.features.fit import RECORD_SCHEMA, Activity
from stridewise.features.run_measures import REFERENCE_SPEED_MPS, run_measures

HR_MAX_DEFAULT_BPM = 190.0
HR_REST_DEFAULT_BPM = 60.0
TRIMP_COEFFICIENTS = {"female": (0.86, 1.67), "male": (0.64, 1.92), None: (0.75, 1.795)}
"""Banister TRIMP weighting a·exp(b·HRr) by sex; unknown sex takes the mean."""

RUN_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "athlete_id": pl.String(),
    "sha256": pl.String(),
    "start_time_utc": pl.Datetime("us", "UTC"),
    "local_date": pl.Date(),
    "utc_offset_s": pl.Int32(),
    "sport": pl.String(),
    "sub_sport": pl.String(),
    "device": pl.String(),
    "running_s": pl.Float64(),
    "cross_training_s": pl.Float64(),
    "total_ascent_m": pl.Float64(),
}
"""What the records cannot say about a run: who, when, what sport, the watch's timer and its
own total ascent (barometric on most watches: null when the file has none)."""

ATHLETE_SCHEMA: dict[str, pl.DataType] = {
    "athlete_id": pl.String(),
    "sex": pl.String(),
    "birth_year": pl.Int32(),
    "hr_max_bpm": pl.Float64(),
    "hr_rest_bpm": pl.Float64(),
    "reference_speed_mps": pl.Float64(),
}
"""The roster columns per-run features use; any may be null (then estimated or defaulted)."""


def run_id(athlete_id: str, activity: Activity) -> str:
    """`<athlete>/<UTC start>`: stable across re-exports of the same run (unlike the hash)."""
    start = activity.start_time_utc
    return f"{athlete_id}/{start:%Y-%m-%dT%H%M%SZ}" if start else f"{athlete_id}/{activity.sha256}"


def run_row(athlete_id: str, activity: Activity) -> dict[str, object]:
    """The `RUN_SCHEMA` row of one decoded activity."""
    return {
        "run_id": run_id(athlete_id, activity),
        "athlete_id": athlete_id,
        "sha256": activity.sha256,
        "start_time_utc": activity.start_time_utc,
        "local_date": activity.local_date,
        "utc_offset_s": activity.utc_offset_s,
        "sport": activity.sport,
        "sub_sport": activity.sub_sport,
        "device": str(activity.device),
        "running_s": _timer_seconds(activity, running=True),
        "cross_training_s": _timer_seconds(activity, running=False),
        "total_ascent_m": _running_ascent(activity),
    }


def _running_ascent(activity: Activity) -> float | None:
    """The watch's total ascent of the running sessions (None unless each one has it)."""
    ascents = [s.ascent_m for s in activity.sessions if s.is_running]
    known = [a for a in ascents if a is not None]
    return float(sum(known)) if known and len(known) == len(ascents) else None


def _timer_seconds(activity: Activity, *, running: bool) -> float:
    """The watch's timer time of the running (or other) sessions; moving time if it is missing."""
    sessions = [s for s in activity.sessions if s.is_running == running]
    known = [s.timer_time_s for s in sessions if s.timer_time_s is not None]
    if len(known) < len(sessions) and len(sessions) == len(activity.sessions):
        return activity.moving_time_s
    return float(sum(known))


def run_records(run: str, activity: Activity) -> pl.DataFrame:
    """The records of one activity, keyed for a batch: `run_id`, `running` and the contract."""
    return activity.records.select(
        pl.lit(run).alias("run_id"),
        activity.is_running_record().alias("running"),
        *RECORD_COLUMNS,
    )


RECORD_COLUMNS = (
    "elapsed_s",
    "session",
    "moving",
    "distance_m",
    "speed_mps",
    "altitude_m",
    "heart_rate_bpm",
    "cadence_spm",
    "gct_ms",
    "gct_balance_left_pct",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "step_length_mm",
)
"""The contract columns per-run features read (with `run_id` and `running` in front)."""
BATCH_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "running": pl.Boolean(),
    **{name: RECORD_SCHEMA[name] for name in RECORD_COLUMNS},
}
"""A batch of records for `run_features`."""


def runs_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=RUN_SCHEMA, orient="row")


def run_features(
    records: pl.DataFrame, runs: pl.DataFrame, athletes: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per run of `runs`: its `RUN_SCHEMA` columns, then every per-run feature.

    `records`: `run_id`, `running` and `RECORD_COLUMNS`, each run's records together and in
    time order (`run_records` of each activity, concatenated).
    `athletes`: `ATHLETE_SCHEMA` rows for heart-rate zones (defaults for those missing).
    """
    typed = records.select(pl.col(name).cast(dtype) for name, dtype in BATCH_SCHEMA.items())
    features = _measured(typed, _athlete_profile(runs, athletes))
    return (
        runs.join(features, on="run_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("distance_km", "ascent_m", "descent_m", "downhill_km").fill_null(0.0),
            pl.col("has_running_dynamics").fill_null(value=False),
            *_run_flags(),
        )
        .with_columns(
            pace_s_per_km=ratio(pl.col("running_s"), pl.col("distance_km")),
            ascent_m=pl.coalesce("total_ascent_m", "ascent_m"),
        )
        .select(pl.col(name).cast(dtype) for name, dtype in RUN_FEATURE_SCHEMA.items())
    )


def _athlete_profile(runs: pl.DataFrame, athletes: pl.DataFrame | None) -> pl.DataFrame:
    """Per run: max and rest HR (roster, else Tanaka's 208 - 0.7·age, else defaults), TRIMP a
    and b by sex, the reference speed for cadence (roster, else the prior's 3 m/s) and the
    easy speed harder efforts are judged against (roster, else unknown)."""
    roster = pl.DataFrame(schema=ATHLETE_SCHEMA) if athletes is None else athletes
    roster = roster.select(
        pl.col(name).cast(dtype) if name in roster.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in ATHLETE_SCHEMA.items()
    )
    age = pl.col("local_date").dt.year() - pl.col("birth_year")
    sex = pl.col("sex").str.to_lowercase()
    return (
        runs.select("run_id", "athlete_id", "local_date")
        .join(roster, on="athlete_id", how="left")
        .select(
            "run_id",
            hr_max=pl.coalesce("hr_max_bpm", 208 - 0.7 * age, pl.lit(HR_MAX_DEFAULT_BPM)),
            hr_rest=pl.col("hr_rest_bpm").fill_null(HR_REST_DEFAULT_BPM),
            trimp_a=_by_sex(sex, 0),
            trimp_b=_by_sex(sex, 1),
            reference_speed=pl.col("reference_speed_mps").fill_null(REFERENCE_SPEED_MPS),
            easy_speed=pl.col("reference_speed_mps"),
        )
    )


def _by_sex(sex: pl.Expr, i: int) -> pl.Expr:
    return (
        pl.when(sex == "female")
        .then(TRIMP_COEFFICIENTS["female"][i])
        .when(sex == "male")
        .then(TRIMP_COEFFICIENTS["male"][i])
        .otherwise(TRIMP_COEFFICIENTS[None][i])
    )


def _measured(records: pl.DataFrame, profile: pl.DataFrame) -> pl.DataFrame:
    """`run_id` and the measures of each run of the records, in order of appearance."""
    if records.is_empty():
        measured = (*FEATURE_COLUMNS, "has_running_dynamics")
        return pl.DataFrame(schema={n: RUN_FEATURE_SCHEMA[n] for n in ("run_id", *measured)})
    ids = records["run_id"].rle().struct.field("value").rename("run_id")
    per_run = ids.to_frame().join(profile, on="run_id", how="left", maintain_order="left")
    columns = {
        "run": records["run_id"].rle_id().to_numpy(),
        "running": records["running"].fill_null(value=False).to_numpy(),
        "moving": records["moving"].fill_null(value=False).to_numpy(),
        "session": records["session"].to_numpy(),
        **{name: records[name].to_numpy() for name in RECORD_COLUMNS if name not in _FLAGS},
    }
    athlete = {name: per_run[name].to_numpy() for name in profile.columns if name != "run_id"}
    measures = run_measures(columns, athlete)
    return pl.DataFrame(
        [ids, *(pl.Series(name, values, nan_to_null=True) for name, values in measures.items())]
    )


_FLAGS = ("session", "moving")


def _run_flags() -> list[pl.Expr]:
    return [
        (pl.col("running_s") > 0).alias("is_running"),
        (pl.col("sub_sport") == "treadmill").fill_null(value=False).alias("treadmill"),
        (pl.col("sub_sport") == "trail").fill_null(value=False).alias("trail"),
    ]


FEATURE_COLUMNS = (
    "distance_km",
    "speed_mps",
    "cadence_spm",
    "cadence_sd_spm",
    "cadence_slope_spm_per_mps",
    "cadence_at_ref_spm",
    "cadence_prior_residual_spm",
    "cadence_drift_spm",
    "gct_balance_left_pct",
    "gct_si_pct",
    "gct_si_drift_pct",
    "gct_ms",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "step_length_mm",
    "heart_rate_bpm",
    "trimp",
    "high_intensity_km",
    "ascent_m",
    "descent_m",
    "downhill_km",
    "warmup_min",
    "cooldown_min",
    "walk_share",
)
"""What `run_measures` computes, in the table's order (then `has_running_dynamics`)."""
FLAG_COLUMNS = ("is_running", "treadmill", "trail")

RUN_FEATURE_SCHEMA: dict[str, pl.DataType] = {
    **RUN_SCHEMA,
    **{name: pl.Float64() for name in FEATURE_COLUMNS},
    "has_running_dynamics": pl.Boolean(),
    **{name: pl.Boolean() for name in FLAG_COLUMNS},
    "pace_s_per_km": pl.Float64(),
}
"""The per-run table (`stridewise features --runs`, the simulator's `runs.parquet`)."""
