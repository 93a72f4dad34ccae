"""Per-run features: one row per activity, from the records of many runs at once.

Runs are computed in batches (a `run_id` column in one records frame) because per-run work in
Python would dominate: the nightly ingest and the simulator's summary-only cohorts both hand
thousands of runs to one call. Definitions, units and sources: docs/features.md.
"""

from __future__ import annotations

import polars as pl

from features.fit import RECORD_SCHEMA, Activity

REFERENCE_SPEED_MPS = 3.0
"""Cadence is compared at one fixed speed (the prior's pivot, 5:33 min/km), so that runs of one
athlete stay comparable without depending on each other; the athlete's own baseline enters in
the athlete-day features."""
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
HIGH_INTENSITY_HRR = 0.8
DOWNHILL_GRADE = -0.03
GRADE_SPAN_RECORDS = 10

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
}
"""What the records cannot say about a run: who, when, what sport, the watch's timer."""

ATHLETE_SCHEMA: dict[str, pl.DataType] = {
    "athlete_id": pl.String(),
    "sex": pl.String(),
    "birth_year": pl.Int32(),
    "hr_max_bpm": pl.Float64(),
    "hr_rest_bpm": pl.Float64(),
}
"""The roster columns per-run features use; any may be null (then estimated)."""


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
    }


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
    steps = _steps(_keyed(typed, _heart_rate_profile(runs, athletes)))
    sums = steps.group_by("run").agg(_aggregates()).with_columns(slope=_slope())
    features = (
        sums.join(_drifts(steps, sums), on="run", how="left").with_columns(_derived()).drop("run")
    )
    return (
        runs.join(features, on="run_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("distance_km", "ascent_m", "descent_m", "downhill_km").fill_null(0.0),
            pl.col("has_running_dynamics").fill_null(value=False),
            *_run_flags(),
        )
        .with_columns(pace_s_per_km=_ratio(pl.col("running_s"), pl.col("distance_km")))
        .select(pl.col(name).cast(dtype) for name, dtype in RUN_FEATURE_SCHEMA.items())
    )


def _heart_rate_profile(runs: pl.DataFrame, athletes: pl.DataFrame | None) -> pl.DataFrame:
    """Per run: max and rest HR (roster, else Tanaka's 208 - 0.7·age, else defaults), TRIMP a, b."""
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


def _keyed(records: pl.DataFrame, heart_rate: pl.DataFrame) -> pl.DataFrame:
    """Records with `run` (a run's number in the batch, cheaper than its id) and its HR profile.

    Per-run values are spread over the records by position: no join on millions of rows.
    """
    keyed = records.with_columns(run=pl.col("run_id").rle_id())
    in_order = keyed.group_by("run", maintain_order=True).agg(pl.col("run_id").first())
    per_run = in_order.join(heart_rate, on="run_id", how="left", maintain_order="left")
    run, session = pl.col("run"), pl.col("session")
    return keyed.with_columns(
        *(
            ((run == run.shift(n)) & (session == session.shift(n)))
            .fill_null(value=False)
            .alias(f"same_{n}")
            for n in (1, GRADE_SPAN_RECORDS)
        ),
        *(pl.lit(per_run[c]).gather(run).alias(c) for c in heart_rate.columns if c != "run_id"),
    )


def _diff(column: str, n: int = 1) -> pl.Expr:
    """Change over the last `n` records of the same run and session (records are contiguous)."""
    same = pl.col(f"same_{n}")  # computed in `_keyed` for n = 1 and GRADE_SPAN_RECORDS
    return pl.when(same).then(pl.col(column).diff(n))


def _steps(records: pl.DataFrame) -> pl.DataFrame:
    """Per record: steps from the previous record, and each measure masked to where it counts.

    Masking to null here, then plain sums and means per run, is several times faster than
    filtering inside the group-by.
    """
    running = pl.col("running")
    moving_run = (running & pl.col("moving")).fill_null(value=False)
    segment = (
        moving_run
        & (pl.col("cadence_spm") >= WALK_CADENCE_SPM)
        & (pl.col("elapsed_s") >= WARM_UP_S)
        & (pl.col("speed_mps") > 0)
    ).fill_null(value=False)
    span = _diff("distance_m", GRADE_SPAN_RECORDS)
    downhill = (_diff("altitude_m", GRADE_SPAN_RECORDS) / span <= DOWNHILL_GRADE) & (span > 0)
    step_s = _diff("elapsed_s").clip(0, MAX_STEP_S).fill_null(0.0)
    step_m = _diff("distance_m").clip(lower_bound=0).fill_null(0.0)
    hrr = (pl.col("heart_rate_bpm") - pl.col("hr_rest")) / (pl.col("hr_max") - pl.col("hr_rest"))
    hrr = hrr.clip(0.0, 1.0)
    trimp = step_s / 60 * hrr * pl.col("trimp_a") * (pl.col("trimp_b") * hrr).exp()
    dynamics = pl.any_horizontal(pl.col(_RUNNING_DYNAMICS).is_not_null())
    return records.select(
        "run",
        "run_id",
        "elapsed_s",
        "cadence_spm",
        "speed_mps",
        "gct_balance_left_pct",
        segment.alias("segment"),
        pl.when(running).then(step_m).alias("run_m"),
        pl.when(running).then(_diff("altitude_m")).alias("climb_m"),
        pl.when(running & downhill).then(step_m).alias("downhill_m"),
        pl.when(running).then(dynamics).alias("dynamics"),
        pl.when(moving_run).then(trimp).alias("trimp"),
        pl.when(moving_run & (hrr >= HIGH_INTENSITY_HRR)).then(step_m).alias("intense_m"),
        pl.when(segment).then(pl.col("speed_mps")).alias("seg_v"),
        pl.when(segment).then(pl.col("cadence_spm")).alias("seg_c"),
        pl.when(segment).then(pl.col("elapsed_s")).alias("seg_t"),
        *(pl.when(moving_run).then(pl.col(c)).alias(f"mr_{c}") for c in _MOVING_MEANS),
    )


_MOVING_MEANS = (
    "speed_mps",
    "heart_rate_bpm",
    "gct_balance_left_pct",
    "gct_ms",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "step_length_mm",
)
_RUNNING_DYNAMICS = ("gct_ms", "gct_balance_left_pct", "vertical_oscillation_mm", "step_length_mm")


def _aggregates() -> list[pl.Expr]:
    """Per run (in a group-by): sums and means, and what the cadence-speed fit needs."""
    hr_known = pl.col("mr_heart_rate_bpm").count() > 0
    seg_v, seg_c = pl.col("seg_v"), pl.col("seg_c")
    return [
        pl.col("run_id").first(),
        pl.col("run_m").sum().alias("distance_m_sum"),
        *(pl.col(f"mr_{c}").mean().alias(c) for c in _MOVING_MEANS),
        seg_c.mean().alias("cadence_spm"),
        seg_c.std().alias("cadence_sd_spm"),
        seg_v.mean().alias("speed_seg"),
        (seg_v * seg_c).mean().alias("seg_vc"),
        (seg_v * seg_v).mean().alias("seg_vv"),
        pl.col("seg_t").min().alias("t_lo"),
        pl.col("seg_t").max().alias("t_hi"),
        pl.when(hr_known).then(pl.col("trimp").sum()).alias("trimp"),
        pl.when(hr_known).then(pl.col("intense_m").sum()).alias("high_intensity_m"),
        pl.col("climb_m").clip(lower_bound=0).sum().alias("ascent_m"),
        (-pl.col("climb_m").clip(upper_bound=0).sum()).alias("descent_m"),
        pl.col("downhill_m").sum().alias("downhill_m"),
        pl.col("dynamics").any().alias("has_running_dynamics"),
    ]


def _slope() -> pl.Expr:
    """The run's cadence-speed slope (least squares), shrunk towards the population prior."""
    cov = pl.col("seg_vc") - pl.col("speed_seg") * pl.col("cadence_spm")
    var = pl.col("seg_vv") - pl.col("speed_seg") ** 2
    return (cov + SLOPE_PRIOR_VARIANCE * PRIOR_SLOPE_SPM_PER_MPS) / (var + SLOPE_PRIOR_VARIANCE)


def _drifts(steps: pl.DataFrame, runs: pl.DataFrame) -> pl.DataFrame:
    """Late minus early third of each run's running segment: cadence at matched speed, SI."""
    span = pl.col("t_hi") - pl.col("t_lo")
    third = (pl.col("elapsed_s") - pl.col("t_lo")) / span
    matched = pl.col("cadence_spm") - pl.col("slope") * (pl.col("speed_mps") - pl.col("speed_seg"))
    si = 4 * pl.col("gct_balance_left_pct") - 200
    early, late = third <= 1 / 3, third >= 2 / 3
    return (
        steps.filter(pl.col("segment"))
        .select("run", "elapsed_s", "cadence_spm", "speed_mps", "gct_balance_left_pct")
        .join(
            runs.filter(span >= MIN_DRIFT_SPAN_S).select(
                "run", "t_lo", "t_hi", "slope", "speed_seg"
            ),
            on="run",
        )
        .group_by("run")
        .agg(
            cadence_drift_spm=matched.filter(late).mean() - matched.filter(early).mean(),
            gct_si_drift_pct=si.filter(late).mean() - si.filter(early).mean(),
        )
    )


def _derived() -> list[pl.Expr]:
    at_reference = pl.col("cadence_spm") + pl.col("slope") * (
        REFERENCE_SPEED_MPS - pl.col("speed_seg")
    )
    return [
        pl.col("distance_m_sum").truediv(1000).alias("distance_km"),
        pl.col("slope").alias("cadence_slope_spm_per_mps"),
        at_reference.alias("cadence_at_ref_spm"),
        (at_reference - PRIOR_CADENCE_SPM).alias("cadence_prior_residual_spm"),
        (4 * pl.col("gct_balance_left_pct") - 200).alias("gct_si_pct"),
        pl.col("high_intensity_m").truediv(1000).alias("high_intensity_km"),
        pl.col("downhill_m").truediv(1000).alias("downhill_km"),
    ]


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator / denominator)


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
    "has_running_dynamics",
)
FLAG_COLUMNS = ("is_running", "treadmill", "trail")


def _run_flags() -> list[pl.Expr]:
    return [
        (pl.col("running_s") > 0).alias("is_running"),
        (pl.col("sub_sport") == "treadmill").fill_null(value=False).alias("treadmill"),
        (pl.col("sub_sport") == "trail").fill_null(value=False).alias("trail"),
    ]


RUN_FEATURE_SCHEMA: dict[str, pl.DataType] = {
    **RUN_SCHEMA,
    **{name: pl.Float64() for name in FEATURE_COLUMNS},
    "has_running_dynamics": pl.Boolean(),
    **{name: pl.Boolean() for name in FLAG_COLUMNS},
    "pace_s_per_km": pl.Float64(),
}
"""The per-run table (`stridewise features --runs`, the simulator's `runs.parquet`)."""
