"""Athlete-day features: load, spikes, ratios and gait baselines on the local calendar.

One row per athlete and local calendar day from the athlete's first recorded activity to
`until`, rest days included (a day without a file is a row of zeros with `has_data` false, and
`coverage_*` says how much of each window had data). Windows count calendar days, today
included unless a name says `prev`. Definitions, units and sources: docs/features.md.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

SPIKE_BINS = ("<=10%", "10-30%", "30-100%", ">100%")
SPIKE_EDGES = (0.10, 0.30, 1.00)
"""Frandsen et al. 2025: the day's longest run vs the longest of the previous 30 days. A run
is in the first bin whose edge it does not pass: longest <= (1 + edge) x previous longest."""
SPIKE_BIN = pl.Enum(SPIKE_BINS)
PROGRESSION_FLAG = 0.30
"""Nielsen et al. 2014: more than 30 % more km than the previous week."""
LOW_VOLUME_KM_PER_WEEK = 25.0
LOW_FREQUENCY_RUNS_PER_WEEK = 2.0
BASELINE_DAYS = 60
PAD_DAYS = BASELINE_DAYS
"""The longest window; see `_calendar`."""
BASELINE_MIN_RUN_DAYS = 3
CADENCE_SD_FLOOR_SPM = 1.0
"""A steady athlete's cadence SD can be tiny; this floor keeps the z-score from exploding."""
FALLBACK_TRIMP_PER_MIN = 1.5
"""Load of a run without heart rate: an easy run's TRIMP per minute."""

_ATHLETE = "athlete_id"


def athlete_days(runs: pl.DataFrame, until: date | None = None) -> pl.DataFrame:
    """The athlete-day table of a per-run table (`features.runs.RUN_FEATURE_SCHEMA`)."""
    dated = runs.filter(pl.col("local_date").is_not_null())
    last = until or dated["local_date"].max()
    athletes = _athletes(dated, last)
    located = dated.join(athletes, on=_ATHLETE).filter(pl.col("local_date") <= last)
    days = _calendar(athletes, _day_totals(located.with_columns(row=_ROW)), last)
    days = days.with_columns(_windows()).with_columns(_ratios())
    days = days.select(pl.col(name).cast(dtype) for name, dtype in DAY_SCHEMA.items())
    return days.filter(pl.col("history_days").is_not_null())  # the padding goes


_WEIGHTED = ("cadence_at_ref_spm", "cadence_drift_spm", "gct_balance_left_pct", "gct_si_drift_pct")
"""Gait measures averaged over the day's runs, weighted by distance."""


def _athletes(runs: pl.DataFrame, last: date) -> pl.DataFrame:
    """Per athlete (sorted): first day, and where their rows start in the padded calendar."""
    return (
        runs.group_by(_ATHLETE)
        .agg(first=pl.col("local_date").min())
        .filter(pl.col("first") <= last)
        .sort(_ATHLETE)
        .with_columns(rows=(pl.lit(last) - pl.col("first")).dt.total_days() + 1 + PAD_DAYS)
        .with_columns(offset=pl.col("rows").cum_sum() - pl.col("rows"))
    )


_ROW = pl.col("offset") + (pl.col("local_date") - pl.col("first")).dt.total_days() + PAD_DAYS
"""A day's row in the padded calendar."""


def _day_totals(runs: pl.DataFrame) -> pl.DataFrame:
    """One row per calendar row with activities. Measures are masked to running first and
    summed plainly after: filters inside a group-by cost several times more."""
    running = pl.col("is_running")
    load = pl.coalesce("trimp", pl.col("running_s") / 60 * FALLBACK_TRIMP_PER_MIN)
    weight = pl.col("distance_km")
    masked = runs.select(
        "row",
        "running_s",
        "cross_training_s",
        "treadmill",
        running.cast(pl.Int32).alias("runs"),
        *(
            pl.when(running).then(pl.col(c)).alias(c)
            for c in ("distance_km", "high_intensity_km", "downhill_km", "ascent_m")
        ),
        pl.when(running).then(load).alias("load"),
        *(pl.col(c).mul(weight).alias(f"{c}__w") for c in _WEIGHTED),
        *(pl.when(pl.col(c).is_not_null()).then(weight).alias(f"{c}__d") for c in _WEIGHTED),
    )
    return (
        masked.group_by("row")
        .agg(
            pl.col("runs").sum(),
            pl.col("distance_km", "load", "high_intensity_km", "downhill_km", "ascent_m").sum(),
            (pl.col("running_s").sum() / 60).alias("duration_min"),
            pl.col("distance_km").max().alias("longest_run_km"),
            (pl.col("cross_training_s").sum() / 60).alias("cross_training_min"),
            pl.col("treadmill").any(),
            *(pl.col(f"{c}__w", f"{c}__d").sum() for c in _WEIGHTED),
        )
        .with_columns(_ratio(pl.col(f"{c}__w"), pl.col(f"{c}__d")).alias(c) for c in _WEIGHTED)
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


def _calendar(athletes: pl.DataFrame, totals: pl.DataFrame, last: date) -> pl.DataFrame:
    """Every day from each athlete's first activity to `last`, the day totals in place.

    Each athlete's days are preceded by PAD_DAYS empty (null) rows: windows can then run over
    the whole column at once and never reach into the previous athlete (nulls count as
    missing, and no window is longer than the padding). Totals are put in their rows by
    position, not joined: a join on a million rows cost most of the table's time.
    """
    calendar = athletes.select(
        _ATHLETE,
        "first",
        pl.date_ranges(pl.col("first") - timedelta(days=PAD_DAYS), pl.lit(last)).alias(
            "local_date"
        ),
    ).explode("local_date")
    rows = totals["row"].to_numpy()
    placed = {name: _placed(totals[name], rows, calendar.height) for name in totals.columns[1:]}
    real = pl.col("local_date") >= pl.col("first")
    return calendar.with_columns(**placed).with_columns(
        pl.when(real)
        .then((pl.col("local_date") - pl.col("first")).dt.total_days() + 1)
        .cast(pl.Int32)
        .alias("history_days"),
        has_data=pl.when(real).then(pl.col("runs").is_not_null()),
        runs=pl.when(real).then(pl.col("runs").fill_null(0)),
        treadmill=pl.col("treadmill").fill_null(value=False),
        **{c: pl.when(real).then(pl.col(c).fill_null(0.0)) for c in _SUMS},
    )


def _placed(values: pl.Series, rows: np.ndarray, height: int) -> pl.Series:
    """`values` at `rows` of a column of `height` nulls."""
    if values.dtype == pl.Boolean:
        flags = np.zeros(height, dtype=bool)
        flags[rows] = values.fill_null(value=False).to_numpy()
        return pl.Series(values.name, flags)
    column = np.full(height, np.nan)
    column[rows] = values.cast(pl.Float64).to_numpy()
    return pl.Series(values.name, column, nan_to_null=True).cast(values.dtype)


def _sum(column: str, days: int) -> pl.Expr:
    return pl.col(column).rolling_sum(days, min_samples=1)


def _ewma(column: str, span: int) -> pl.Expr:
    """Exponentially weighted daily mean, lambda = 2 / (span + 1) (Williams 2017)."""
    return pl.col(column).ewm_mean(alpha=2 / (span + 1), adjust=False).over(_ATHLETE)


def _baseline(column: str, stat: str) -> pl.Expr:
    """Mean or SD of `column` over the previous BASELINE_DAYS days (today excluded)."""
    rolling = getattr(pl.col(column), f"rolling_{stat}")
    return rolling(BASELINE_DAYS, min_samples=BASELINE_MIN_RUN_DAYS).shift(1)


def _streak(holds: pl.Expr) -> pl.Expr:
    """Days in a row, today included, on which `holds` is true (the padding breaks a streak,
    so every athlete's first day has a break before it)."""
    row = pl.int_range(pl.len())
    broken = pl.when(~holds.fill_null(value=False)).then(row).forward_fill()
    return (row - broken).cast(pl.Int32)


def _windows() -> list[pl.Expr]:
    ran = pl.col("runs") > 0
    active = ran | (pl.col("cross_training_min") > 0)
    coverage = pl.col("has_data").cast(pl.Float64)
    return [
        _sum("distance_km", 7).alias("km_7d"),
        _sum("distance_km", 7).shift(7).alias("km_prev_7d"),
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
        .fill_null(0.0)
        .alias("longest_prev_30d_km"),
        _ewma("distance_km", 7).alias("ewma_7d_km"),
        _ewma("distance_km", 28).alias("ewma_28d_km"),
        pl.col("load").rolling_mean(7, min_samples=1).alias("load_mean_7d"),
        pl.col("load").rolling_std(7, min_samples=2).alias("load_sd_7d"),
        _streak(ran).alias("consecutive_run_days"),
        _streak(active).alias("days_since_rest"),
        coverage.rolling_mean(7, min_samples=1).alias("coverage_7d"),
        coverage.rolling_mean(28, min_samples=1).alias("coverage_28d"),
        _baseline("cadence_at_ref_spm", "mean").alias("cadence_baseline_spm"),
        _baseline("cadence_at_ref_spm", "std").alias("cadence_baseline_sd_spm"),
        _baseline("gct_balance_left_pct", "mean").alias("gct_balance_baseline_pct"),
    ]


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator / denominator)


def _ratios() -> list[pl.Expr]:
    longest, before = pl.col("longest_run_km"), pl.col("longest_prev_30d_km")
    spike = _ratio(longest, before) - 1
    progression = _ratio(pl.col("km_7d"), pl.col("km_prev_7d")) - 1
    chronic = (pl.col("km_28d") - pl.col("km_7d")) / 21
    monotony = _ratio(pl.col("load_mean_7d"), pl.col("load_sd_7d"))
    cadence_sd = pl.max_horizontal("cadence_baseline_sd_spm", pl.lit(CADENCE_SD_FLOOR_SPM))
    bin_of = pl.when(longest <= (1 + SPIKE_EDGES[0]) * before).then(pl.lit(SPIKE_BINS[0]))
    for edge, name in zip(SPIKE_EDGES[1:], SPIKE_BINS[1:], strict=False):
        bin_of = bin_of.when(longest <= (1 + edge) * before).then(pl.lit(name))
    return [
        spike.alias("spike_ratio"),
        pl.when(spike.is_not_null())
        .then(bin_of.otherwise(pl.lit(SPIKE_BINS[-1])))
        .cast(SPIKE_BIN)
        .alias("spike_bin"),
        progression.alias("weekly_progression"),
        (progression > PROGRESSION_FLAG).fill_null(value=False).alias("progression_flag"),
        _ratio(pl.col("km_7d") / 7, chronic).alias("acwr"),
        _ratio(pl.col("ewma_7d_km"), pl.col("ewma_28d_km")).alias("acwr_ewma"),
        monotony.alias("monotony"),
        (pl.col("load_7d") * monotony).alias("strain"),
        ((pl.col("ewma_28d_km") - pl.col("ewma_28d_km").shift(7)) * 7).alias(
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
