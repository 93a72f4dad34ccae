"""What an athlete usually does, from their last four weeks of days: the starting point of
every adjustment the advice makes (their usual week, long run, warm-up and cool-down)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

HABIT_WEEKS = 4
MIN_WEEKS_ON_A_WEEKDAY = 2
"""A weekday is one the athlete runs (or does harder sessions) on when 2 of the last 4 had it."""


@dataclass(frozen=True)
class Habits:
    warmup_min: float | None
    """The median warm-up before harder sessions over 28 days (None: none measured)."""
    cooldown_min: float | None
    harder_sessions: int
    """Sessions with a harder part in the last 28 days."""
    km_per_week: float | None
    longest_30d_km: float | None
    """The longest run of the last 30 days, today's included."""
    longest_before_week_km: float | None
    """The longest run of the 30 days before the last 7: what a spike this week outgrew."""
    weekday_km: tuple[float, ...]
    """Monday first: the mean km on that weekday over the last 4 weeks."""
    run_weekdays: frozenset[int]
    long_run_weekday: int | None
    quality_weekdays: frozenset[int]


def _value(row: dict[str, Any], name: str) -> float | None:
    value = row.get(name)
    return None if value is None else float(value)


def habits_of(history: pl.DataFrame) -> Habits:
    """The habits as of the last day of one athlete's days (sorted by date)."""
    today = history.row(-1, named=True)
    recent = history.tail(7 * HABIT_WEEKS).with_columns(
        weekday=pl.col("local_date").dt.weekday() - 1,
        week=(pl.int_range(pl.len()) // 7),
    )
    by_weekday = recent.group_by("weekday").agg(
        km=pl.col("distance_km").fill_null(0.0).sum() / HABIT_WEEKS,
        ran=(pl.col("runs").fill_null(0) > 0).sum(),
        harder=(pl.col("harder_sessions").fill_null(0) > 0).sum(),
    )
    km = dict(zip(by_weekday["weekday"], by_weekday["km"], strict=True))
    longest_per_week = (
        recent.filter(pl.col("longest_run_km") > 0)
        .sort("longest_run_km")
        .group_by("week")
        .agg(pl.col("weekday").last())
    )
    modes = longest_per_week["weekday"].mode()
    longest = [_value(today, "longest_prev_30d_km"), _value(today, "longest_run_km")]
    known = [v for v in longest if v is not None]
    km_28d = _value(today, "km_28d")
    return Habits(
        warmup_min=_value(today, "warmup_usual_min"),
        cooldown_min=_value(today, "cooldown_usual_min"),
        harder_sessions=int(today.get("harder_sessions_28d") or 0),
        km_per_week=km_28d / HABIT_WEEKS if km_28d else None,
        longest_30d_km=max(known) if known and max(known) > 0 else None,
        longest_before_week_km=_value(recent.tail(7).row(0, named=True), "longest_prev_30d_km")
        or None,
        weekday_km=tuple(float(km.get(d, 0.0)) for d in range(7)),
        run_weekdays=frozenset(
            by_weekday.filter(pl.col("ran") >= MIN_WEEKS_ON_A_WEEKDAY)["weekday"].to_list()
        ),
        long_run_weekday=int(modes.sort()[-1]) if len(longest_per_week) >= 2 else None,
        quality_weekdays=frozenset(
            by_weekday.filter(pl.col("harder") >= MIN_WEEKS_ON_A_WEEKDAY)["weekday"].to_list()
        ),
    )
