"""An athlete's charts, on a week written by hand (every expected value worked out by hand
from it), and the risk history against the nightly flow's own scores."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from stridewise.dashboard.charts import WEEKS, athlete_figures, window
from stridewise.models.bundle import load
from stridewise.models.team import daily_risk
from stridewise.store.inputs import read_injuries
from stridewise.store.tables import Store
from tests.corpus import SAMPLES

WEEK = pl.DataFrame(
    {
        "local_date": [date(2026, 3, d) for d in range(1, 8)],
        "distance_km": [5.0, None, 6.0, 12.0, None, 5.0, 7.0],
        "spike_ratio": [None, None, 0.0, 1.0, None, -0.5, 0.2],
        "spike_bin": [None, None, "<=10%", "30-100%", None, "<=10%", "10-30%"],
        "km_7d": [5.0, 5.0, 11.0, 23.0, 23.0, 28.0, 35.0],
        "km_28d": [44.0, 44.0, 50.0, 62.0, 62.0, 60.0, 59.0],
        "acwr": [0.34, 0.34, 0.79, 1.94, 1.94, 2.6, 4.2],
        "cadence_at_ref_spm": [166.0, None, 165.5, 164.0, None, 166.5, 163.0],
        "cadence_baseline_spm": [165.0] * 7,
        "gct_balance_left_pct": [50.1, None, 49.8, 51.0, None, 50.2, 52.5],
        "probability": [0.002, 0.002, 0.003, 0.008, 0.0075, 0.006, 0.004],
    }
)
ALERT, MODERATE = 0.007, 0.005


@pytest.fixture
def figures() -> dict[str, dict]:
    return {f["id"]: f for f in athlete_figures(WEEK, ALERT, MODERATE)}


def test_the_page_has_the_five_charts_over_the_same_days(figures: dict[str, dict]) -> None:
    assert list(figures) == [
        "daily-km",
        "acute-and-chronic-load",
        "cadence-at-pace",
        "gct-balance",
        "risk-history",
    ]
    for figure in figures.values():
        assert figure["layout"]["xaxis"]["range"] == ["2026-03-01", "2026-03-07"]


def test_daily_km_marks_the_runs_over_110_percent_of_the_month_s_longest(
    figures: dict[str, dict],
) -> None:
    bars, *spikes = figures["daily-km"]["data"]
    assert bars["y"] == [5.0, 0.0, 6.0, 12.0, 0.0, 5.0, 7.0]  # rest days are 0 km
    marked = {s["name"]: (s["x"], s["y"], s["text"]) for s in spikes}
    assert marked == {
        "spike 10-30%": (["2026-03-07"], [7.0], ["longest run +20% over the 30 days before"]),
        "spike 30-100%": (["2026-03-04"], [12.0], ["longest run +100% over the 30 days before"]),
    }


def test_chronic_load_is_the_average_week_of_the_21_days_before(
    figures: dict[str, dict],
) -> None:
    acute, chronic, ratio = figures["acute-and-chronic-load"]["data"]
    assert acute["y"] == [5.0, 5.0, 11.0, 23.0, 23.0, 28.0, 35.0]
    # (km_28d - km_7d) / 3: (44-5)/3, (44-5)/3, (50-11)/3, (62-23)/3, ..., (60-28)/3, (59-35)/3
    assert chronic["y"] == pytest.approx([13.0, 13.0, 13.0, 13.0, 13.0, 32 / 3, 8.0])
    assert ratio["yaxis"] == "y2"
    assert ratio["y"] == [0.34, 0.34, 0.79, 1.94, 1.94, 2.6, 4.2]  # every chronic week >= 5 km
    layout = figures["acute-and-chronic-load"]["layout"]
    assert layout["yaxis2"]["range"] == [0.0, 3.0]  # 4.2 would flatten the rest


def test_the_ratio_is_not_drawn_over_an_empty_chronic_load() -> None:
    layoff = WEEK.with_columns(km_28d=pl.col("km_7d") + 9.0)  # 3 km a week before: a layoff
    (_, load, *_) = athlete_figures(layoff, ALERT, MODERATE)
    assert load["data"][2]["y"] == [None] * 7


def test_every_chart_shades_a_logged_injury_in_its_window() -> None:
    injuries = [(date(2026, 3, 5), date(2026, 3, 9)), (date(2025, 1, 1), date(2025, 1, 20))]
    for figure in athlete_figures(WEEK, ALERT, MODERATE, injuries=injuries):
        marks = [
            s for s in figure["layout"]["shapes"] if s.get("label", {}).get("text") == "injury"
        ]
        assert [(m["x0"], m["x1"]) for m in marks] == [("2026-03-05", "2026-03-10")]


def test_gct_balance_sits_on_garmin_s_bands(figures: dict[str, dict]) -> None:
    figure = figures["gct-balance"]
    bands = sorted(
        (round(s["y0"], 1), round(s["y1"], 1), s["fillcolor"]) for s in figure["layout"]["shapes"]
    )
    green, orange, red = "#2e7d32", "#ef6c00", "#c62828"
    assert bands == sorted(
        [
            (50.0, 49.3, green),  # 0.7 points either side of 50 %
            (50.0, 50.7, green),
            (49.3, 47.8, orange),  # to 2.2 points
            (50.7, 52.2, orange),
            (47.8, 45.0, red),  # beyond, to the axis' end
            (52.2, 55.0, red),
        ]
    )
    assert figure["data"][0]["y"] == [50.1, None, 49.8, 51.0, None, 50.2, 52.5]
    legend = [t["name"] for t in figure["data"][1:]]
    assert legend == ["green: within 0.7 of 50 %", "orange: 0.7-2.2", "red: over 2.2"]


def test_the_risk_history_is_in_percent_with_the_alert_line(figures: dict[str, dict]) -> None:
    figure = figures["risk-history"]
    assert figure["data"][0]["y"] == pytest.approx([0.2, 0.2, 0.3, 0.8, 0.75, 0.6, 0.4])
    lines = {s["label"]["text"]: s["y0"] for s in figure["layout"]["shapes"]}
    assert lines == pytest.approx({"high: alert": 0.7, "moderate": 0.5})


def test_the_risk_history_shows_the_usual_risk_and_each_tier_against_it() -> None:
    (*_, figure) = athlete_figures(WEEK, ALERT, MODERATE, usual=0.004)
    lines = {s["label"]["text"]: s["y0"] for s in figure["layout"]["shapes"]}
    # 0.7 % is 1.75 times a usual 0.4 %, 0.5 % is 1.25 times
    expected = {"high: alert (1.8 x usual)": 0.7, "moderate (1.2 x usual)": 0.5, "usual 0.40%": 0.4}
    assert lines == pytest.approx(expected)


def test_the_window_is_the_last_twelve_weeks() -> None:
    days = pl.DataFrame({"local_date": [date(2026, 1, 1) + timedelta(i) for i in range(100)]})
    kept = window(days)
    assert kept.height == 7 * WEEKS
    assert kept["local_date"][0] == date(2026, 4, 10) - timedelta(7 * WEEKS - 1)
    assert kept["local_date"][-1] == date(2026, 4, 10)  # 1 January + 99 days


def test_no_days_no_charts() -> None:
    assert athlete_figures(WEEK.clear(), ALERT, MODERATE) == []


def test_the_risk_history_ends_on_the_night_s_own_score(data: Path) -> None:
    """`daily_risk` scores every day at once; on the last day it must give what the nightly
    flow's `assess` gave for it, one day at a time."""
    store = Store(data)
    injuries = read_injuries(SAMPLES / "injuries.csv")
    for score in store.read("scores").iter_rows(named=True):
        days = store.read("athlete_days", athletes=[score["athlete_id"]]).sort("local_date")
        risk = daily_risk(days, injuries, load())
        assert risk.height == days.height
        assert risk["local_date"][-1] == score["date"]
        assert risk["probability"][-1] == pytest.approx(score["probability"], abs=1e-12)
