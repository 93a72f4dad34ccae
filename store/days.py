"""The days a store's data covers, read cheaply (three columns of the runs table), and the check
that a day asked for lies within them.

A day after the last activity scores everyone on empty days (0 km, ACWR 0): `nightly --as-of`
and `features --until` refuse it, and the injury log refuses an onset nobody could have had.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from stridewise.store.tables import Store


@dataclass(frozen=True)
class DataDays:
    """What the store's activities span, per athlete and as a whole."""

    first_runs: dict[str, date | None]
    """Each athlete the store knows -> their first day with a run (None: no run yet)."""
    span: tuple[date, date] | None
    """The first and last local day with an activity (None: no activity yet)."""


def data_days(store: Store) -> DataDays:
    """The runs table's athletes, first runs and span; a store that holds only athlete-days
    (a retraining store) is read from those."""
    if store.exists("runs"):
        rows = store.scan("runs", columns=["athlete_id", "local_date", "is_running"])
        running = pl.col("is_running")
    elif store.exists("athlete_days"):
        rows = store.scan("athlete_days", columns=["athlete_id", "local_date", "runs"])
        rows = rows.filter(pl.col("runs") > 0)
        running = pl.lit(value=True)
    else:
        return DataDays({}, None)
    day = pl.col("local_date")
    athletes = (
        rows.group_by("athlete_id")
        .agg(first_run=day.filter(running).min(), first=day.min(), last=day.max())
        .collect(engine="streaming")
    )
    first, last = athletes["first"].min(), athletes["last"].max()
    span = (first, last) if isinstance(first, date) and isinstance(last, date) else None
    return DataDays(dict(zip(athletes["athlete_id"], athletes["first_run"], strict=True)), span)


def shown_span(span: tuple[date, date] | None) -> str:
    """The data's days in words, for a message."""
    return "no data yet" if span is None else f"the data's days are {span[0]} to {span[1]}"


def widened(span: tuple[date, date] | None, days: pl.Series) -> tuple[date, date] | None:
    """`span` widened to take in `days` (new activities' local days, nulls ignored)."""
    present = [d for d in (days.min(), days.max()) if isinstance(d, date)]
    if span is not None:
        present += list(span)
    return (min(present), max(present)) if present else None


def day_outside(option: str, day: date, span: tuple[date, date] | None, today: date) -> str | None:
    """Why `day` (given as `option`) cannot be used, in one line, or None when it lies within
    the data's days (`span`, None: no data yet)."""
    if span is not None and span[0] <= day <= span[1]:
        return None
    if day > today:
        return f"{option} {day} is after today ({today}); {shown_span(span)}"
    if span is None:
        return f"{option} {day}: {shown_span(span)}"
    side = "after the data's last day" if day > span[1] else "before the data's first day"
    return f"{option} {day} is {side}: {shown_span(span)}"
