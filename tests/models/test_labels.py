"""Labels of the injury log, checked day by day against a calendar worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from stridewise.models.labels import (
    INJURY_SCHEMA,
    examples,
    injury_flags,
    returning,
)

DAY0 = date(2026, 3, 2)


def calendar(days: int, athlete: str = "a") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "athlete_id": [athlete] * days,
            "local_date": [DAY0 + timedelta(days=d) for d in range(days)],
        }
    )


def log(*rows: tuple[str, int, int | None, str | None]) -> pl.DataFrame:
    """(athlete, onset day after DAY0, days lost, severity)."""
    return pl.DataFrame(
        [
            {
                "athlete_id": a,
                "onset_date": DAY0 + timedelta(days=d),
                "days_lost": lost,
                "severity": severity,
            }
            for a, d, lost, severity in rows
        ],
        schema=INJURY_SCHEMA,
    )


def test_fourteen_days_before_an_onset_are_positive_and_the_injury_is_no_example() -> None:
    # onset on day 30, 5 days lost: days 16-29 warn of it, days 30-35 are injured
    flagged = injury_flags(calendar(60), log(("a", 30, 5, "mild")))
    label = flagged["label"].to_list()
    injured = flagged["injured"].to_list()
    assert [d for d in range(60) if label[d]] == list(range(16, 30))
    assert [d for d in range(60) if injured[d]] == list(range(30, 36))
    previous = flagged["previous_injury"].to_list()
    assert previous.index(True) == 31 and all(previous[31:])
    assert flagged["next_onset"][16] == DAY0 + timedelta(days=30)
    assert flagged["next_onset"][30] is None


def test_examples_drop_injured_days_and_the_unknown_future() -> None:
    labelled = examples(calendar(60), log(("a", 30, 5, "mild")), horizon=14)
    kept = [(d - DAY0).days for d in labelled["local_date"]]
    # days 30-35 injured; days 46-59 have less than 14 days of future in the data
    assert kept == [*range(30), *range(36, 46)]
    assert labelled["label"].sum() == 14


def test_other_athletes_and_unknown_days_lost() -> None:
    days = pl.concat([calendar(40, "a"), calendar(40, "b")])
    flagged = injury_flags(days, log(("b", 10, None, None)))
    assert not flagged.filter(pl.col("athlete_id") == "a")["label"].any()
    b = flagged.filter(pl.col("athlete_id") == "b")
    assert b["injured"].sum() == 22  # days 10-31: unknown days lost count as 21


def test_returning_days_run_from_the_end_of_days_lost_to_the_usual_week() -> None:
    # 20 km a week until the onset on day 30 (5 days lost: injured 30-35), then 7-day km of
    # 10, 14, 15, 16, 20 on days 36-40: back to 80 % of the usual 20 km (16) on day 39
    days = calendar(45).with_columns(
        km_28d=pl.Series([80.0] * 30 + [0.0] * 15),
        km_7d=pl.Series([20.0] * 30 + [0.0] * 6 + [10.0, 14.0, 15.0, 16.0, 20.0] + [20.0] * 4),
    )
    flags = returning(days, log(("a", 30, 5, "mild"))).to_list()
    assert [d for d in range(45) if flags[d]] == [36, 37, 38]
    assert not returning(days, log(("b", 30, 5, "mild"))).any()
