"""Which athletes the nightly flow brings up to date, on tables written out by hand."""

from __future__ import annotations

from datetime import date

import polars as pl

from stridewise.models.team import athletes_to_update

AS_OF = date(2026, 9, 10)


def days(athlete: str, first: date, last: date, activities: dict[date, int]) -> pl.DataFrame:
    calendar = pl.date_range(first, last, eager=True)
    counts = [activities.get(d, 0) for d in calendar]
    return pl.DataFrame(
        {"athlete_id": athlete, "local_date": calendar, "runs": counts, "activities": counts}
    )


def runs(*rows: tuple[str, date]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"athlete_id": pl.String, "local_date": pl.Date}, orient="row")


def test_added_runs_missing_days_and_active_calendars_that_stop_early_are_updated() -> None:
    sep = {d: date(2026, 9, d) for d in (1, 5, 8, 10)}
    table = pl.concat(
        [
            days("up-to-date", sep[1], AS_OF, {sep[1]: 1, sep[10]: 1}),
            days("late-sync", sep[1], AS_OF, {sep[1]: 1}),  # a run of the 5th came in since
            days("behind", sep[1], sep[8], {sep[8]: 1}),  # ran 2 days ago, days end then
            days("gone", date(2026, 6, 1), date(2026, 6, 2), {date(2026, 6, 1): 1}),
        ]
    )
    store = runs(
        ("up-to-date", sep[1]),
        ("up-to-date", sep[10]),
        ("late-sync", sep[1]),
        ("late-sync", sep[5]),
        ("behind", sep[8]),
        ("gone", date(2026, 6, 1)),  # inactive for months: its calendar is left alone
        ("new", sep[10]),  # no days yet
        ("future", date(2026, 9, 12)),  # after as-of: not counted yet
    )
    assert athletes_to_update(store, table, AS_OF) == ["behind", "late-sync", "new"]
