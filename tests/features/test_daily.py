"""Athlete-day features on tiny run tables whose values were chosen, checked by hand."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from stridewise.features.daily import athlete_days
from stridewise.features.fit import read_activity
from stridewise.features.runs import (
    RUN_FEATURE_SCHEMA,
    run_features,
    run_records,
    run_row,
    runs_frame,
)
from stridewise.simulator.fitfile import ActivitySpec, Leg, encode_activity
from tests.features.fit.conftest import steady_run

DAY0 = date(2026, 3, 2)


def runs(*days_km: tuple[int, float], **extra: list[object]) -> pl.DataFrame:
    """A per-run table: one running row per (day after DAY0, km), 6 min/km, no HR."""
    rows = [
        {
            "run_id": f"a/{i}",
            "athlete_id": "a",
            "local_date": DAY0 + timedelta(days=day),
            "running_s": 360.0 * km,
            "cross_training_s": 0.0,
            "distance_km": km,
            "is_running": True,
            "treadmill": False,
            "high_intensity_km": 0.0,
            "downhill_km": 0.0,
            "ascent_m": 0.0,
        }
        for i, (day, km) in enumerate(days_km)
    ]
    for name, values in extra.items():
        for row, value in zip(rows, values, strict=True):
            row[name] = value
    return pl.DataFrame(rows).with_columns(
        pl.lit(None, RUN_FEATURE_SCHEMA[c]).alias(c) for c in RUN_FEATURE_SCHEMA if c not in rows[0]
    )


def day(table: pl.DataFrame, offset: int) -> dict[str, object]:
    return table.filter(pl.col("local_date") == DAY0 + timedelta(days=offset)).row(0, named=True)


def test_ten_ten_twelve_km_is_a_twenty_percent_spike() -> None:
    t = athlete_days(runs((0, 10.0), (1, 10.0), (2, 12.0)))
    assert day(t, 0)["spike_ratio"] is None and day(t, 0)["spike_bin"] is None
    assert (day(t, 1)["spike_ratio"], day(t, 1)["spike_bin"]) == (0.0, "<=10%")
    assert day(t, 2)["spike_ratio"] == pytest.approx(0.2) and day(t, 2)["spike_bin"] == "10-30%"
    assert day(t, 2)["longest_prev_30d_km"] == 10.0


@pytest.mark.parametrize(
    ("km", "expected"),
    [(11.0, "<=10%"), (13.0, "10-30%"), (13.5, "30-100%"), (20.0, "30-100%"), (20.5, ">100%")],
)
def test_spike_bin_edges_belong_to_the_lower_bin(km: float, expected: str) -> None:
    assert day(athlete_days(runs((0, 10.0), (3, km))), 3)["spike_bin"] == expected


def test_the_thirty_day_window_excludes_today_and_day_thirty_one() -> None:
    t = athlete_days(runs((0, 20.0), (1, 10.0), (31, 11.0), (31, 16.0)))
    assert day(t, 31)["longest_prev_30d_km"] == 10.0  # days 1..30: the 20 km is 31 days back
    assert day(t, 31)["longest_run_km"] == 16.0  # the day's own runs are not "before"
    assert day(t, 31)["spike_ratio"] == pytest.approx(0.6)
    assert (day(t, 31)["runs"], day(t, 31)["distance_km"]) == (2, 27.0)
    assert day(t, 30)["longest_prev_30d_km"] == 20.0  # on day 30, day 0 is still in the window


def test_a_gap_without_files_is_not_rest_and_coverage_says_so() -> None:
    t = athlete_days(runs((0, 5.0), (10, 5.0)))
    assert t.height == 11 and t["history_days"].to_list() == list(range(1, 12))
    gap = day(t, 5)
    assert (gap["has_data"], gap["runs"], gap["distance_km"], gap["longest_run_km"]) == (
        False,
        0,
        0.0,
        None,
    )
    assert day(t, 10)["coverage_7d"] == pytest.approx(1 / 7)
    assert day(t, 10)["coverage_28d"] == pytest.approx(2 / 11)  # 11 days of history so far
    assert day(t, 10)["consecutive_run_days"] == 1 and day(t, 9)["consecutive_run_days"] == 0


def test_until_extends_the_calendar_past_the_last_run() -> None:
    t = athlete_days(runs((0, 5.0)), until=DAY0 + timedelta(days=3))
    assert t["local_date"].to_list() == [DAY0 + timedelta(days=d) for d in range(4)]


def test_weekly_progression_acwr_and_ewma_by_hand() -> None:
    daily = [(d, 5.0) for d in range(28)] + [(28, 20.0)]
    t = athlete_days(runs(*daily))
    d28 = day(t, 28)
    assert d28["km_7d"] == 6 * 5.0 + 20.0 and d28["km_prev_7d"] == 35.0
    assert d28["weekly_progression"] == pytest.approx(50 / 35 - 1)
    assert d28["progression_flag"] is True
    assert d28["acwr"] == pytest.approx((50 / 7) / (105 / 21))  # days 7-27 hold 21 x 5 km
    ewma7 = ewma28 = 5.0  # constant 5 km from day 0 keeps both averages at 5
    ewma7 += 2 / 8 * (20 - ewma7)
    ewma28 += 2 / 29 * (20 - ewma28)
    assert (d28["ewma_7d_km"], d28["ewma_28d_km"]) == (pytest.approx(ewma7), pytest.approx(ewma28))
    assert d28["acwr_ewma"] == pytest.approx(ewma7 / ewma28)
    assert d28["ramp_rate_km_per_week"] == pytest.approx(7 * (ewma28 - 5.0))
    assert d28["consecutive_run_days"] == 29 and d28["days_since_rest"] == 29
    assert d28["low_volume"] is False  # 4 weeks, 155 km: over 25 km a week
    assert d28["low_frequency"] is False


def test_monotony_and_strain_from_the_daily_load() -> None:
    # 36 min/run at 6 min/km, no heart rate: load 1.5 per minute -> 54 a.u. per 6 km
    t = athlete_days(runs((0, 6.0), (2, 6.0), (4, 12.0), (6, 6.0)))
    loads = [54.0, 0.0, 54.0, 0.0, 108.0, 0.0, 54.0]
    mean = sum(loads) / 7
    sd = math.sqrt(sum((x - mean) ** 2 for x in loads) / 6)
    d6 = day(t, 6)
    assert d6["load"] == 54.0 and d6["load_7d"] == 270.0
    assert d6["monotony"] == pytest.approx(mean / sd)
    assert d6["strain"] == pytest.approx(270.0 * mean / sd)
    assert d6["low_volume"] is True  # 30 km in the first 7 days of history


def test_cross_training_is_counted_apart_from_running() -> None:
    table = runs((0, 5.0), (1, 0.0), (2, 5.0))
    table = table.with_columns(
        is_running=pl.Series([True, False, True]),
        running_s=pl.Series([1800.0, 0.0, 1800.0]),
        cross_training_s=pl.Series([0.0, 3600.0, 0.0]),
    )
    t = athlete_days(table)
    ride = day(t, 1)
    assert (ride["runs"], ride["distance_km"], ride["cross_training_min"]) == (0, 0.0, 60.0)
    assert ride["has_data"] is True and ride["consecutive_run_days"] == 0
    assert day(t, 2)["days_since_rest"] == 3 and day(t, 2)["consecutive_run_days"] == 1
    assert day(t, 2)["cross_training_min_7d"] == 60.0


def test_cadence_and_balance_against_the_athletes_own_baseline() -> None:
    cadence = [170.0, 172.0, 171.0, 165.0]
    balance = [50.0, 50.2, 49.8, 51.0]
    t = athlete_days(
        runs(
            (0, 5.0),
            (1, 5.0),
            (2, 5.0),
            (3, 5.0),
            cadence_at_ref_spm=cadence,
            gct_balance_left_pct=balance,
        )
    )
    assert day(t, 2)["cadence_baseline_spm"] is None  # two days before: under three
    d3 = day(t, 3)
    assert d3["cadence_baseline_spm"] == pytest.approx(171.0)
    assert d3["cadence_residual_spm"] == pytest.approx(-6.0)
    assert d3["cadence_residual_z"] == pytest.approx(-6.0)  # SD 1.0 of 170, 172, 171
    assert d3["gct_balance_change_pct"] == pytest.approx(1.0)
    # the days before the fourth have no baseline, so the week's mean change is today's alone
    assert d3["gct_balance_change_7d_pct"] == pytest.approx(1.0)


def test_a_spike_is_remembered_for_seven_days_then_forgotten() -> None:
    # 10 km, then 15 km on day 3 (+50 %), then 5 km on days 5 and 10 (-66.7 %)
    t = athlete_days(runs((0, 10.0), (3, 15.0), (5, 5.0), (10, 5.0)))
    assert day(t, 0)["spike_ratio_max_7d"] is None
    assert day(t, 3)["spike_ratio_max_7d"] == pytest.approx(0.5)
    assert day(t, 9)["spike_ratio_max_7d"] == pytest.approx(0.5)  # day 3 is 6 days before
    assert day(t, 10)["spike_ratio_max_7d"] == pytest.approx(5 / 15 - 1)


def test_cadence_against_the_prior_over_four_weeks_and_the_weeks_shares() -> None:
    t = athlete_days(
        runs(
            (0, 10.0),
            (20, 5.0),
            (30, 5.0),
            cadence_prior_residual_spm=[-6.0, -2.0, 4.0],
            high_intensity_km=[0.0, 1.0, 2.0],
            ascent_m=[100.0, 50.0, 150.0],
        )
    )
    assert day(t, 20)["cadence_prior_residual_28d_spm"] == pytest.approx(-4.0)
    assert day(t, 30)["cadence_prior_residual_28d_spm"] == pytest.approx(1.0)  # day 0 is out
    d20 = day(t, 20)
    assert d20["high_intensity_share_7d"] == pytest.approx(1 / 5)
    assert d20["ascent_m_per_km_7d"] == pytest.approx(10.0)
    assert day(t, 25)["ascent_m_per_km_7d"] == pytest.approx(10.0)
    assert day(t, 28)["high_intensity_share_7d"] is None  # no km in the week: no share


def test_several_runs_a_day_add_up_and_weigh_gait_by_distance() -> None:
    t = athlete_days(runs((0, 4.0), (0, 12.0), cadence_at_ref_spm=[160.0, 168.0]))
    d0 = day(t, 0)
    assert (d0["runs"], d0["distance_km"], d0["longest_run_km"]) == (2, 16.0, 12.0)
    assert d0["cadence_at_ref_spm"] == pytest.approx((4 * 160 + 12 * 168) / 16)


def test_the_local_calendar_day_decides_around_midnight() -> None:
    """Two runs on one UTC day fall on two local days, and two UTC days on one local day."""
    starts = [
        (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), 3600),  # 00:30 on 2 March in Zurich
        (datetime(2026, 3, 2, 3, 0, tzinfo=UTC), -5 * 3600),  # 22:00 on 1 March in New York
        (datetime(2026, 3, 1, 6, 0, tzinfo=UTC), -5 * 3600),  # 01:00 on 1 March in New York
    ]
    rows, records = [], []
    for start, offset in starts:
        activity = read_activity(
            encode_activity(ActivitySpec(start, [Leg("running", steady_run())], offset))
        )
        row = run_row("a", activity)
        rows.append(row)
        records.append(run_records(row["run_id"], activity))
    t = athlete_days(run_features(pl.concat(records), runs_frame(rows)))
    assert t["local_date"].to_list() == [date(2026, 3, 1), date(2026, 3, 2)]
    assert t["runs"].to_list() == [2, 1]
    assert t["distance_km"].to_list() == [3.6, 1.8]
