"""Which phase of a return an athlete is in, on a calendar worked out by hand."""

from __future__ import annotations

import polars as pl
import pytest

from stridewise.models.returning import current_return
from tests.models.test_labels import DAY0, calendar, log

WALK_SHARE = 0.15


def season(walked: list[float | None]) -> pl.DataFrame:
    """20 km a week until an onset on day 30; after it, 5 rest days, then one run a day from
    day 36 whose share walked is `walked[d - 36]` (None: no run that day), 7-day km rising."""
    after = len(walked)
    ran = [w is not None for w in walked]
    return calendar(36 + after).with_columns(
        km_28d=pl.Series([80.0] * 30 + [0.0] * (6 + after)),
        km_7d=pl.Series([20.0] * 30 + [0.0] * 6 + [3.0 * (d + 1) for d in range(after)]),
        runs=pl.Series([1] * 30 + [0] * 6 + [int(r) for r in ran]),
        walk_share=pl.Series([0.0] * 30 + [None] * 6 + walked, dtype=pl.Float64),
    )


@pytest.mark.parametrize(
    ("walked", "phase"),
    [
        ([], "rest"),  # day 35: the last day lost (onset 30 + 5)
        ([None], "walk"),  # day 36: the days lost are over, no run yet
        ([0.5, None], "walk_run"),  # the last run walked half the time
        ([0.5, 0.05], "easy"),  # then a continuous run
    ],
)
def test_the_phase_follows_the_runs_since_the_days_lost(
    walked: list[float | None], phase: str
) -> None:
    days = season(walked)
    if not walked:
        days = days.head(36)
    back = current_return(days, log(("a", 30, 5, "moderate")), WALK_SHARE)
    assert back is not None and back.phase == phase
    assert back.usual_week_km == 20.0 and back.target_km_7d == 16.0  # 80 % of 80 / 4
    assert (back.back - DAY0).days == 35


def test_the_return_ends_at_80_percent_of_the_usual_week() -> None:
    # 7-day km 3, 6, ..., 18 on days 36-41: 18 >= 16 on day 41
    days = season([0.0] * 6)
    assert current_return(days.head(41), log(("a", 30, 5, "mild")), WALK_SHARE) is not None
    assert current_return(days, log(("a", 30, 5, "mild")), WALK_SHARE) is None


def test_other_athletes_and_unknown_severity() -> None:
    days = season([None])
    assert current_return(days, log(("b", 30, 5, "mild")), WALK_SHARE) is None
    back = current_return(days, log(("a", 30, 5, None)), WALK_SHARE)
    assert back is not None and back.severity == "moderate"
