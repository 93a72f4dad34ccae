"""Athlete-day features: load, spikes, ratios and gait baselines on the local calendar.

One row per athlete and local calendar day from the athlete's first recorded activity to
`until`, rest days included (a day without a file is a row of zeros with `has_data` false, and
`coverage_*` says how much of each window had data). Windows count calendar days, today
included unless a name says `prev`. Definitions, units and sources: docs/features.md.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from stridewise.features.evidence import LOW_VOLUME_KM_PER_WEEK, PROGRESSION_THRESHOLD
from stridewise.features.expressions import ratio

SPIKE_BINS = ("<=10%", "10-30%", "30-100%", ">100%")
SPIKE_EDGES = (0.10, 0.30, 1.00)
"""Frandsen et al. 2025: the day's longest run vs the longest of the previous 30 days. A run
is in the first bin whose edge it does not pass: longest <= (1 + edge) x previous longest."""
SPIKE_BIN = pl.Enum(SPIKE_BINS)
SPIKE_EFFECT_DAYS = 7
"""A spike's risk outlasts its day: `spike_ratio_max_7d` keeps the week's highest (the
simulator's hazard counts the highest spike bin of the day and the six days after)."""
LOW_FREQUENCY_RUNS_PER_WEEK = 2.0
BASELINE_DAYS = 60
PAD_DAYS = BASELINE_DAYS
"""The longest window; see `_calendar`."""
BASELINE_MIN_RUN_DAYS = 3
HABIT_DAYS = 28
"""The athlete's usual warm-up and cool-down: the median over this many days' sessions with a
harder part (today included)."""
CADENCE_SD_FLOOR_SPM = 1.0
"""A steady athlete's cadence SD can be tiny; this floor keeps the z-score from exploding."""
FALLBACK_TRIMP_PER_MIN = 1.5
"""Load of a run without heart rate: an easy run's TRIMP per minute."""

ATHLETES_PER_BLOCK = 250
"""Athletes computed together: enough to amortise each query, few enough that temporary
columns stay small (1,000 athletes x 3 years in one block peaked at 1.3 GB and ran slower)."""

_ATHLETE = "athlete_id"
EPOCH = date(1970, 1, 1)
"""Day 0 of polars' dates."""


def athlete_days(runs: pl.DataFrame, until: date | None = None) -> pl.DataFrame:
    """The athlete-day table of a per-run table (`features.runs.RUN_FEATURE_SCHEMA`)."""
    last = until or runs["local_date"].max()
    dated = runs.filter(pl.col("local_date").is_not_null() & (pl.col("local_date") <= last))
    ids = dated[_ATHLETE].unique().sort()
    blocks = [ids[i : i + ATHLETES_PER_BLOCK] for i in range(0, len(ids), ATHLETES_PER_BLOCK)]
    tables = [_block_days(dated.filter(pl.col(_ATHLETE).is_in(b.implode())), last) for b in blocks]
    return pl.concat(tables) if tables else pl.DataFrame(schema=DAY_SCHEMA)


def _block_days(dated: pl.DataFrame, last: date) -> pl.DataFrame:
    """The athlete-day table of some athletes' runs (dated up to `last`)."""
    calendar, rows = _calendar(dated, last)
    days = calendar.with_columns(**_day_totals(dated, rows, calendar.height)).with_columns(
        _real_days()
    )
    days = days.with_columns(_windows()).with_columns(_ratios())
    days = days.select(pl.col(name).cast(dtype) for name, dtype in DAY_SCHEMA.items())
    return days.filter(pl.col("history_days").is_not_null())  # the padding goes


def _calendar(runs: pl.DataFrame, last: date) -> tuple[pl.DataFrame, np.ndarray]:
    """Every athlete's days end to end (sorted by athlete, then day), and each run's row.

    Each athlete's days start with PAD_DAYS empty rows (`history_days` null): windows can then
    run over the whole column at once and never reach into the previous athlete, as nulls
    count as missing and no window is longer than the padding. Rows are found by arithmetic on
    day numbers and runs placed by position: grouping, joining and exploding dates on a
    million rows took most of the table's time.
    """
    ids = runs[_ATHLETE].unique().sort()
    athlete = ids.search_sorted(runs[_ATHLETE]).to_numpy()
    day = runs["local_date"].to_physical().to_numpy().astype(np.int64)
    first = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first, athlete, day)
    lengths = (last - EPOCH).days - first + 1 + PAD_DAYS
    offset = np.cumsum(lengths) - lengths
    owner = np.repeat(np.arange(len(ids)), lengths)
    index = np.arange(int(lengths.sum())) - offset[owner] - PAD_DAYS  # 0 on the first day
    calendar = pl.DataFrame(
        {
            _ATHLETE: ids.gather(owner),
            "local_date": pl.Series(first[owner] + index).cast(pl.Int32).cast(pl.Date),
            "history_days": pl.Series(
                np.where(index >= 0, index + 1.0, np.nan), nan_to_null=True
            ).cast(pl.Int32),
        }
    )
    return calendar, offset[athlete] + PAD_DAYS + day - first[athlete]


_WEIGHTED = (
    "cadence_at_ref_spm",
    "cadence_prior_residual_spm",
    "cadence_drift_spm",
    "gct_balance_left_pct",
    "gct_si_drift_pct",
    "walk_share",
)
"""Gait measures (and the share walked) averaged over the day's runs, weighted by distance."""
_SESSION_MEANS = ("warmup_min", "cooldown_min")
"""Averaged over the day's runs that had a harder part (unweighted: a session is a habit)."""


def _day_totals(runs: pl.DataFrame, rows: np.ndarray, height: int) -> dict[str, pl.Series]:
    """Per calendar row, the sums of its activities (null where a row has none).

    `np.bincount` adds each run's values into its row in one pass, with no sorting or grouping.
    """
    has_data = np.bincount(rows, minlength=height) > 0

    def column(name: str) -> np.ndarray:
        return runs[name].cast(pl.Float64).to_numpy()

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(rows, weights=np.nan_to_num(values), minlength=height)

    running = runs["is_running"].fill_null(value=False).to_numpy()
    distance = np.where(running, np.nan_to_num(column("distance_km")), 0.0)
    trimp, running_s = column("trimp"), column("running_s")
    load = np.where(np.isnan(trimp), running_s / 60 * FALLBACK_TRIMP_PER_MIN, trimp)
    per_row = {
        "runs": total(running),
        "activities": total(np.ones(len(rows))),
        "distance_km": total(distance),
        "duration_min": total(running_s) / 60,
        "load": total(np.where(running, load, 0.0)),
        "cross_training_min": total(column("cross_training_s")) / 60,
        **{c: total(np.where(running, column(c), 0.0)) for c in _RUN_SUMS},
        "treadmill": total(column("treadmill")),
    }
    longest = np.full(height, np.nan)
    np.fmax.at(longest, rows, np.where(running, distance, np.nan))
    per_row["longest_run_km"] = longest
    harder = running & ~np.isnan(column("warmup_min"))
    per_row["harder_sessions"] = total(harder)
    for c, weights in [*((c, distance) for c in _WEIGHTED), *((c, harder) for c in _SESSION_MEANS)]:
        value = column(c)
        weight = total(np.where(np.isnan(value), 0.0, weights))
        with np.errstate(invalid="ignore", divide="ignore"):
            per_row[c] = np.where(weight > 0, total(value * weights) / weight, np.nan)
    return {
        name: pl.Series(name, np.where(has_data, values, np.nan), nan_to_null=True)
        for name, values in per_row.items()
    }


_COUNTS = ("runs", "activities", "harder_sessions")
_RUN_SUMS = ("high_intensity_km", "downhill_km", "ascent_m")


def _real_days() -> list[pl.Expr]:
    """Days (not padding) without activities are zeros, `has_data` false; padding stays null."""
    real = pl.col("history_days").is_not_null()
    return [
        pl.when(real).then(pl.col("runs").is_not_null()).alias("has_data"),
        *(pl.when(real).then(pl.col(c).fill_null(0)).cast(pl.Int32) for c in _COUNTS),
        (pl.col("treadmill") > 0).fill_null(value=False).alias("treadmill"),
        *(pl.when(real).then(pl.col(c).fill_null(0.0)).alias(c) for c in _SUMS),
    ]


_SUMS = (
    "distance_km",
    "duration_min",
    "load",
    "cross_training_min",
    "high_intensity_km",
    "downhill_km",
    "ascent_m",
)


SUM_DECIMALS = 9
"""Window sums are rounded to this many decimals: a rolling sum adds and subtracts as it
slides, so a week without runs after a week with them sums to 7e-15 km, not 0, and a ratio
over it explodes (weekly progression 7e15 after a week off)."""


def _sum(column: str, days: int) -> pl.Expr:
    return pl.col(column).rolling_sum(days, min_samples=1).round(SUM_DECIMALS)


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
        _sum("harder_sessions", HABIT_DAYS).alias("harder_sessions_28d"),
        *(
            pl.col(c)
            .rolling_median(HABIT_DAYS, min_samples=1)
            .alias(c.replace("_min", "_usual_min"))
            for c in _SESSION_MEANS
        ),
    ]


def _ratios() -> list[pl.Expr]:
    longest, before = pl.col("longest_run_km"), pl.col("longest_prev_30d_km")
    spike = ratio(longest, before) - 1
    progression = ratio(pl.col("km_7d"), pl.col("km_prev_7d")) - 1
    chronic = (pl.col("km_28d") - pl.col("km_7d")) / 21
    monotony = ratio(pl.col("load_mean_7d"), pl.col("load_sd_7d"))
    balance_change = pl.col("gct_balance_left_pct") - pl.col("gct_balance_baseline_pct")
    cadence_sd = pl.max_horizontal("cadence_baseline_sd_spm", pl.lit(CADENCE_SD_FLOOR_SPM))
    bin_of = pl.when(longest <= (1 + SPIKE_EDGES[0]) * before).then(pl.lit(SPIKE_BINS[0]))
    for edge, name in zip(SPIKE_EDGES[1:], SPIKE_BINS[1:], strict=False):
        bin_of = bin_of.when(longest <= (1 + edge) * before).then(pl.lit(name))
    return [
        spike.alias("spike_ratio"),
        spike.rolling_max(SPIKE_EFFECT_DAYS, min_samples=1).alias("spike_ratio_max_7d"),
        pl.when(spike.is_not_null())
        .then(bin_of.otherwise(pl.lit(SPIKE_BINS[-1])))
        .cast(SPIKE_BIN)
        .alias("spike_bin"),
        progression.alias("weekly_progression"),
        (progression > PROGRESSION_THRESHOLD).fill_null(value=False).alias("progression_flag"),
        ratio(pl.col("km_7d") / 7, chronic).alias("acwr"),
        ratio(pl.col("ewma_7d_km"), pl.col("ewma_28d_km")).alias("acwr_ewma"),
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
        pl.col("cadence_prior_residual_spm")
        .rolling_mean(28, min_samples=1)
        .alias("cadence_prior_residual_28d_spm"),
        balance_change.alias("gct_balance_change_pct"),
        balance_change.rolling_mean(7, min_samples=1).alias("gct_balance_change_7d_pct"),
        ratio(pl.col("high_intensity_km_7d"), pl.col("km_7d")).alias("high_intensity_share_7d"),
        ratio(pl.col("ascent_m_7d"), pl.col("km_7d")).alias("ascent_m_per_km_7d"),
    ]


DAY_SCHEMA: dict[str, pl.DataType] = {
    "athlete_id": pl.String(),
    "local_date": pl.Date(),
    "history_days": pl.Int32(),
    "has_data": pl.Boolean(),
    "runs": pl.Int32(),
    "activities": pl.Int32(),
    "distance_km": pl.Float64(),
    "duration_min": pl.Float64(),
    "load": pl.Float64(),
    "longest_run_km": pl.Float64(),
    "cross_training_min": pl.Float64(),
    "high_intensity_km": pl.Float64(),
    "downhill_km": pl.Float64(),
    "ascent_m": pl.Float64(),
    "treadmill": pl.Boolean(),
    "harder_sessions": pl.Int32(),
    "warmup_min": pl.Float64(),
    "cooldown_min": pl.Float64(),
    "harder_sessions_28d": pl.Int32(),
    "warmup_usual_min": pl.Float64(),
    "cooldown_usual_min": pl.Float64(),
    "longest_prev_30d_km": pl.Float64(),
    "spike_ratio": pl.Float64(),
    "spike_bin": SPIKE_BIN,
    "spike_ratio_max_7d": pl.Float64(),
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
    "high_intensity_share_7d": pl.Float64(),
    "ascent_m_per_km_7d": pl.Float64(),
    "cross_training_min_7d": pl.Float64(),
    "cadence_at_ref_spm": pl.Float64(),
    "cadence_baseline_spm": pl.Float64(),
    "cadence_residual_spm": pl.Float64(),
    "cadence_residual_z": pl.Float64(),
    "cadence_prior_residual_spm": pl.Float64(),
    "cadence_prior_residual_28d_spm": pl.Float64(),
    "cadence_drift_spm": pl.Float64(),
    "gct_balance_left_pct": pl.Float64(),
    "gct_balance_baseline_pct": pl.Float64(),
    "gct_balance_change_pct": pl.Float64(),
    "gct_balance_change_7d_pct": pl.Float64(),
    "gct_si_drift_pct": pl.Float64(),
    "walk_share": pl.Float64(),
}
"""The athlete-day table (`stridewise features --out`)."""
