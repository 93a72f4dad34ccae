"""Athlete-day features: load, spikes, ratios and gait baselines on the local calendar.

One row per athlete and local calendar day from the athlete's first recorded activity to
`until`, rest days included (a day without a file is a row of zeros with `has_data` false, and
`coverage_*` says how much of each window had data). Windows count calendar days, today
included unless a name says `prev`. Definitions, units and sources: docs/features.md.
"""

from __future__ import annotations

from datetime import date

import polars as pl

SPIKE_BINS = ("<=10%", "10-30%", "30-100%", ">100%")
"""Frandsen et al. 2025: the day's longest run vs the longest of the previous 30 days."""
SPIKE_BIN = pl.Enum(SPIKE_BINS)
PROGRESSION_FLAG = 0.30
"""Nielsen et al. 2014: more than 30 % more km than the previous week."""
LOW_VOLUME_KM_PER_WEEK = 25.0
LOW_FREQUENCY_RUNS_PER_WEEK = 2.0
BASELINE_DAYS = 60
BASELINE_MIN_RUN_DAYS = 3
CADENCE_SD_FLOOR_SPM = 1.0
"""A steady athlete's cadence SD can be tiny; this floor keeps the z-score from exploding."""
FALLBACK_TRIMP_PER_MIN = 1.5
"""Load of a run without heart rate: an easy run's TRIMP per minute."""

_ATHLETE = "athlete_id"


def athlete_days(runs: pl.DataFrame, until: date | None = None) -> pl.DataFrame:
    """The athlete-day table of a per-run table (`features.runs.RUN_FEATURE_SCHEMA`)."""
    days = _calendar(_day_totals(runs), until)
    return (
        days.with_columns(_windows())
        .with_columns(_ratios())
        .select(pl.col(name).cast(dtype) for name, dtype in DAY_SCHEMA.items())
    )


def _weighted(column: str) -> pl.Expr:
    """Distance-weighted mean over the day's runs that have `column`."""
    weight = pl.col("distance_km").filter(pl.col(column).is_not_null())
    value = pl.col(column).filter(pl.col(column).is_not_null())
    return pl.when(weight.sum() > 0).then((value * weight).sum() / weight.sum())


def _day_totals(runs: pl.DataFrame) -> pl.DataFrame:
    running = pl.col("is_running")
    load = pl.coalesce("trimp", pl.col("running_s") / 60 * FALLBACK_TRIMP_PER_MIN)
    return (
        runs.filter(pl.col("local_date").is_not_null())
        .group_by(_ATHLETE, "local_date")
        .agg(
            runs=running.sum().cast(pl.Int32),
            distance_km=pl.col("distance_km").filter(running).sum(),
            duration_min=pl.col("running_s").sum() / 60,
            load=load.filter(running).sum(),
            longest_run_km=pl.col("distance_km").filter(running).max(),
            cross_training_min=pl.col("cross_training_s").sum() / 60,
            high_intensity_km=pl.col("high_intensity_km").filter(running).sum(),
            downhill_km=pl.col("downhill_km").filter(running).sum(),
            ascent_m=pl.col("ascent_m").filter(running).sum(),
            treadmill=pl.col("treadmill").any(),
            cadence_at_ref_spm=_weighted("cadence_at_ref_spm"),
            cadence_drift_spm=_weighted("cadence_drift_spm"),
            gct_balance_left_pct=_weighted("gct_balance_left_pct"),
            gct_si_drift_pct=_weighted("gct_si_drift_pct"),
        )
    )


_SUMS = (
    "distance_km",
    "duration_min",
    "load",
    "cross_training_min",
    "high_intensity_km",
    "downhill_km",
    "ascent_m",
)


def _calendar(totals: pl.DataFrame, until: date | None) -> pl.DataFrame:
    """Every day from each athlete's first activity to `until` (default: the last day seen)."""
    last = until or totals["local_date"].max()
    spans = (
        totals.group_by(_ATHLETE)
        .agg(first=pl.col("local_date").min())
        .filter(pl.col("first") <= last)
        .select(_ATHLETE, local_date=pl.date_ranges("first", pl.lit(last, pl.Date)))
        .explode("local_date")
    )
    return (
        spans.join(totals, on=[_ATHLETE, "local_date"], how="left")
        .with_columns(
            has_data=pl.col("runs").is_not_null(),
            runs=pl.col("runs").fill_null(0),
            treadmill=pl.col("treadmill").fill_null(value=False),
            **{c: pl.col(c).fill_null(0.0) for c in _SUMS},
        )
        .sort(_ATHLETE, "local_date")
    )


def _sum(column: str, days: int) -> pl.Expr:
    return pl.col(column).rolling_sum(days, min_samples=1).over(_ATHLETE)


def _ewma(column: str, span: int) -> pl.Expr:
    """Exponentially weighted daily mean, lambda = 2 / (span + 1) (Williams 2017)."""
    return pl.col(column).ewm_mean(alpha=2 / (span + 1), adjust=False).over(_ATHLETE)


def _baseline(column: str, stat: str) -> pl.Expr:
    """Mean or SD of `column` over the previous BASELINE_DAYS days (today excluded)."""
    rolling = getattr(pl.col(column), f"rolling_{stat}")
    return rolling(BASELINE_DAYS, min_samples=BASELINE_MIN_RUN_DAYS).shift(1).over(_ATHLETE)


def _windows() -> list[pl.Expr]:
    ran = pl.col("runs") > 0
    active = ran | (pl.col("cross_training_min") > 0)
    return [
        pl.int_range(1, pl.len() + 1).over(_ATHLETE).cast(pl.Int32).alias("history_days"),
        _sum("distance_km", 7).alias("km_7d"),
        pl.col("distance_km")
        .rolling_sum(7, min_samples=1)
        .shift(7)
        .over(_ATHLETE)
        .alias("km_prev_7d"),
        _sum("distance_km", 28).alias("km_28d"),
        _sum("runs", 7).alias("runs_7d"),
        _sum("runs", 28).alias("runs_28d"),
        _sum("load", 7).alias("load_7d"),
        _sum("high_intensity_km", 7).alias("high_intensity_km_7d"),
        _sum("downhill_km", 7).alias("downhill_km_7d"),
        _sum("ascent_m", 7).alias("ascent_m_7d"),
        _sum("cross_training_min", 7).alias("cross_training_min_7d"),
        pl.col("longest_run_km")
        .rolling_max(30, min_samples=1)
        .shift(1)
        .over(_ATHLETE)
        .fill_null(0.0)
        .alias("longest_prev_30d_km"),
        _ewma("distance_km", 7).alias("ewma_7d_km"),
        _ewma("distance_km", 28).alias("ewma_28d_km"),
        pl.col("load").rolling_mean(7, min_samples=1).over(_ATHLETE).alias("load_mean_7d"),
        pl.col("load").rolling_std(7, min_samples=2).over(_ATHLETE).alias("load_sd_7d"),
        ran.cast(pl.Int32).cum_sum().over(_ATHLETE, (~ran).cum_sum()).alias("consecutive_run_days"),
        active.cast(pl.Int32)
        .cum_sum()
        .over(_ATHLETE, (~active).cum_sum())
        .alias("days_since_rest"),
        pl.col("has_data")
        .cast(pl.Float64)
        .rolling_mean(7, min_samples=1)
        .over(_ATHLETE)
        .alias("coverage_7d"),
        pl.col("has_data")
        .cast(pl.Float64)
        .rolling_mean(28, min_samples=1)
        .over(_ATHLETE)
        .alias("coverage_28d"),
        _baseline("cadence_at_ref_spm", "mean").alias("cadence_baseline_spm"),
        _baseline("cadence_at_ref_spm", "std").alias("cadence_baseline_sd_spm"),
        _baseline("gct_balance_left_pct", "mean").alias("gct_balance_baseline_pct"),
    ]


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator / denominator)


def _ratios() -> list[pl.Expr]:
    spike = _ratio(pl.col("longest_run_km"), pl.col("longest_prev_30d_km")) - 1
    chronic = (pl.col("km_28d") - pl.col("km_7d")) / 21
    monotony = _ratio(pl.col("load_mean_7d"), pl.col("load_sd_7d"))
    cadence_sd = pl.max_horizontal("cadence_baseline_sd_spm", pl.lit(CADENCE_SD_FLOOR_SPM))
    return [
        spike.alias("spike_ratio"),
        pl.when(spike <= 0.10)
        .then(pl.lit(SPIKE_BINS[0]))
        .when(spike <= 0.30)
        .then(pl.lit(SPIKE_BINS[1]))
        .when(spike <= 1.0)
        .then(pl.lit(SPIKE_BINS[2]))
        .when(spike > 1.0)
        .then(pl.lit(SPIKE_BINS[3]))
        .cast(SPIKE_BIN)
        .alias("spike_bin"),
        (_ratio(pl.col("km_7d"), pl.col("km_prev_7d")) - 1).alias("weekly_progression"),
        (_ratio(pl.col("km_7d"), pl.col("km_prev_7d")) - 1 > PROGRESSION_FLAG)
        .fill_null(value=False)
        .alias("progression_flag"),
        _ratio(pl.col("km_7d") / 7, chronic).alias("acwr"),
        _ratio(pl.col("ewma_7d_km"), pl.col("ewma_28d_km")).alias("acwr_ewma"),
        monotony.alias("monotony"),
        (pl.col("load_7d") * monotony).alias("strain"),
        ((pl.col("ewma_28d_km") - pl.col("ewma_28d_km").shift(7).over(_ATHLETE)) * 7).alias(
            "ramp_rate_km_per_week"
        ),
        (pl.col("km_28d") / 4 < LOW_VOLUME_KM_PER_WEEK).alias("low_volume"),
        (pl.col("runs_28d") / 4 < LOW_FREQUENCY_RUNS_PER_WEEK).alias("low_frequency"),
        (pl.col("cadence_at_ref_spm") - pl.col("cadence_baseline_spm")).alias(
            "cadence_residual_spm"
        ),
        ((pl.col("cadence_at_ref_spm") - pl.col("cadence_baseline_spm")) / cadence_sd).alias(
            "cadence_residual_z"
        ),
        (pl.col("gct_balance_left_pct") - pl.col("gct_balance_baseline_pct")).alias(
            "gct_balance_change_pct"
        ),
    ]


DAY_SCHEMA: dict[str, pl.DataType] = {
    "athlete_id": pl.String(),
    "local_date": pl.Date(),
    "history_days": pl.Int32(),
    "has_data": pl.Boolean(),
    "runs": pl.Int32(),
    "distance_km": pl.Float64(),
    "duration_min": pl.Float64(),
    "load": pl.Float64(),
    "longest_run_km": pl.Float64(),
    "cross_training_min": pl.Float64(),
    "high_intensity_km": pl.Float64(),
    "downhill_km": pl.Float64(),
    "ascent_m": pl.Float64(),
    "treadmill": pl.Boolean(),
    "longest_prev_30d_km": pl.Float64(),
    "spike_ratio": pl.Float64(),
    "spike_bin": SPIKE_BIN,
    "km_7d": pl.Float64(),
    "km_prev_7d": pl.Float64(),
    "weekly_progression": pl.Float64(),
    "progression_flag": pl.Boolean(),
    "km_28d": pl.Float64(),
    "runs_7d": pl.Int32(),
    "runs_28d": pl.Int32(),
    "acwr": pl.Float64(),
    "ewma_7d_km": pl.Float64(),
    "ewma_28d_km": pl.Float64(),
    "acwr_ewma": pl.Float64(),
    "load_7d": pl.Float64(),
    "monotony": pl.Float64(),
    "strain": pl.Float64(),
    "ramp_rate_km_per_week": pl.Float64(),
    "consecutive_run_days": pl.Int32(),
    "days_since_rest": pl.Int32(),
    "low_volume": pl.Boolean(),
    "low_frequency": pl.Boolean(),
    "coverage_7d": pl.Float64(),
    "coverage_28d": pl.Float64(),
    "high_intensity_km_7d": pl.Float64(),
    "downhill_km_7d": pl.Float64(),
    "ascent_m_7d": pl.Float64(),
    "cross_training_min_7d": pl.Float64(),
    "cadence_at_ref_spm": pl.Float64(),
    "cadence_baseline_spm": pl.Float64(),
    "cadence_residual_spm": pl.Float64(),
    "cadence_residual_z": pl.Float64(),
    "cadence_drift_spm": pl.Float64(),
    "gct_balance_left_pct": pl.Float64(),
    "gct_balance_baseline_pct": pl.Float64(),
    "gct_balance_change_pct": pl.Float64(),
    "gct_si_drift_pct": pl.Float64(),
}
"""The athlete-day table (`stridewise features --out`)."""
