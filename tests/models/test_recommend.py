"""Recommendations follow DESIGN §5: cadence by pattern, rest by tier, referral when severe."""

from __future__ import annotations

import pytest

from stridewise.models.recommend import DISCLAIMER, recommend
from stridewise.models.rules import load_rules

RULES = load_rules()


def test_lateral_pattern_on_a_flag_raises_cadence_five_percent_capped_at_ten() -> None:
    advice = recommend(RULES, "high", "lateral", km_per_week=40.0)
    assert advice["cadence"]["change_pct"] == 5 and advice["cadence"]["max_change_pct"] == 10
    assert any("Heiderscheit" in e for e in advice["cadence"]["evidence"])
    assert "abductor" in advice["strength"]["text"]


def test_flexor_pattern_never_raises_cadence() -> None:
    advice = recommend(RULES, "high", "flexor", km_per_week=40.0)
    assert advice["cadence"]["change_pct"] == 0
    assert "Do not raise" in advice["cadence"]["text"]
    assert any("Lenhart" in e for e in advice["cadence"]["evidence"])
    assert "intervals" in advice["strength"]["text"]


@pytest.mark.parametrize("pattern", ["lateral", "flexor", "general"])
def test_low_risk_gives_no_cadence_advice(pattern: str) -> None:
    assert recommend(RULES, "low", pattern, km_per_week=40.0)["cadence"] is None


def test_rest_and_next_weeks_cap_by_tier() -> None:
    high = recommend(RULES, "high", "general", km_per_week=40.0)["rest"]
    assert (high["days_off"], high["reduced_days"], high["next_week_km_cap"]) == (2, 3, 32.0)
    moderate = recommend(RULES, "moderate", "general", km_per_week=40.0)["rest"]
    assert (moderate["days_off"], moderate["next_week_km_cap"]) == (0, 40.0)
    assert recommend(RULES, "low", "general", km_per_week=None)["rest"]["next_week_km_cap"] is None


def test_warm_up_and_cool_down_lengthen_on_a_flag() -> None:
    low = recommend(RULES, "low", "general", km_per_week=30.0)
    high = recommend(RULES, "high", "lateral", km_per_week=30.0)
    assert low["warmup"]["minutes"] == [5, 10] and high["warmup"]["minutes"] == [10, 15]
    assert "glute activation" in high["warmup"]["content"]
    assert high["cooldown"]["minutes"] == [5, 10]


def test_a_current_severe_injury_refers_to_a_clinician_and_nothing_is_a_diagnosis() -> None:
    severe = recommend(RULES, "low", "general", km_per_week=30.0, injury="severe")
    assert severe["referral"] is True and "clinician" in severe["injury"]["text"]
    mild = recommend(RULES, "high", "lateral", km_per_week=30.0, injury="mild")
    assert mild["referral"] is False
    for advice in (severe, mild):
        assert advice["note"] == DISCLAIMER
        assert "you have" not in str(advice).lower()
