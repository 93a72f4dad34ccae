"""Advice is an adjustment (DESIGN §5): from the athlete's measured habits and the score's
drivers to what to change; cadence by a clear pattern; a return replaces the tier's rest.
Every number below is worked by hand from the habits given."""

from __future__ import annotations

from datetime import date

import pytest

from stridewise.models.explain import Driver
from stridewise.models.habits import Habits
from stridewise.models.recommend import DISCLAIMER, pattern_of, recommend
from stridewise.models.returning import Return
from stridewise.models.rules import load_rules

RULES = load_rules()
SUNDAY = date(2026, 11, 22)
HABITS = Habits(
    warmup_min=4.0,
    cooldown_min=7.0,
    harder_sessions=6,
    km_per_week=40.0,
    longest_30d_km=16.0,
    longest_before_week_km=12.0,  # this week's 16 km was a spike over the 12 km before
    # Monday first: rest Mon and Fri, harder sessions Tue and Thu, long run Sunday
    weekday_km=(0.0, 8.0, 6.0, 8.0, 0.0, 4.0, 14.0),
    run_weekdays=frozenset({1, 2, 3, 5, 6}),
    long_run_weekday=6,
    quality_weekdays=frozenset({1, 3}),
)


def driver(name: str, pattern: str = "lateral", effect: float = 0.002) -> Driver:
    return Driver(name, pattern, effect, "")  # type: ignore[arg-type]


def advise(tier: str = "high", drivers: tuple[Driver, ...] = (), **kwargs: object) -> dict:
    return recommend(RULES, tier, list(drivers), HABITS, SUNDAY, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("effects", "expected"),
    [
        ({"lateral": 0.002, "flexor": 0.001}, "lateral"),  # 2 x: clear
        ({"lateral": 0.001, "flexor": 0.003}, "flexor"),
        ({"lateral": 0.0020, "flexor": 0.0023}, "general"),  # z004's "23 against 20": a hair
        ({"general": 0.004}, "general"),
        ({}, "general"),
    ],
)
def test_the_pattern_needs_a_clear_margin(effects: dict, expected: str) -> None:
    found = [driver(f"x_{p}", p, e) for p, e in effects.items()]
    assert pattern_of(found, RULES.pattern.margin) == expected


def test_a_clear_lateral_pattern_on_a_flag_raises_cadence_five_percent_capped_at_ten() -> None:
    advice = advise(drivers=(driver("cadence_prior_residual_28d_spm"),))
    assert advice["cadence"]["change_pct"] == 5 and advice["cadence"]["max_change_pct"] == 10
    assert any("Heiderscheit" in e for e in advice["cadence"]["evidence"])
    assert "abductor" in advice["strength"]["text"]


def test_a_flexor_pattern_never_raises_cadence_and_drops_the_named_harder_sessions() -> None:
    advice = advise(drivers=(driver("high_intensity_share_7d", "flexor"),))
    assert advice["cadence"]["change_pct"] == 0 and "Do not raise" in advice["cadence"]["text"]
    (action,) = advice["actions"]
    assert action["action"] == "intensity"
    assert "(your Tuesday and Thursday sessions)" in action["text"]
    # high: 2 days off (Mon, Tue), 3 reduced running days (Wed, Thu, Sat): no harder session
    # is left to drop this week; on low risk, Tuesday's and Thursday's become easy runs
    low = advise("low", (driver("high_intensity_share_7d", "flexor"),))
    statuses = {d["weekday"]: (d["status"], d["km_max"]) for d in low["plan"]}
    assert statuses["Tuesday"] == statuses["Thursday"] == ("easy", 8.0)
    assert statuses["Wednesday"] == ("as planned", 6.0)


def test_a_spike_caps_the_next_long_run_from_the_athletes_own_longest() -> None:
    high = advise(drivers=(driver("spike_ratio_max_7d"),))
    (action,) = high["actions"]
    # high: 1.0 x the longest the spike outgrew, not the spike itself
    assert action["km_max"] == 12.0
    assert "at most 12 km (your longest in the 30 days before this week: 12 km)" in action["text"]
    assert high["rest"]["long_run_km_cap"] == 12.0
    sunday = high["plan"][-1]
    assert (sunday["status"], sunday["km_max"]) == ("as planned", 12.0)  # 14 km capped
    moderate = advise("moderate", (driver("spike_ratio_max_7d"),))
    assert moderate["actions"][0]["km_max"] == 13.2  # 1.1 x 12


def test_a_progression_caps_the_week_and_repeated_load_drivers_give_one_action() -> None:
    found = (driver("weekly_progression"), driver("acwr"), driver("acwr_ewma"))
    advice = advise("moderate", found)
    assert [a["action"] for a in advice["actions"]] == ["progression"]
    assert advice["actions"][0]["km_max"] == 40.0  # moderate: 1.0 x the usual 40 km
    assert "your usual week: 40 km" in advice["actions"][0]["text"]


def test_a_balance_shift_asks_for_a_symptom_check_and_no_gait_change() -> None:
    advice = advise(drivers=(driver("gct_balance_shift_7d_pct", "general"),))
    (action,) = advice["actions"]
    assert "which side" in action["text"] and "Do not try to change your gait" in action["text"]
    assert advice["cadence"] is None  # general pattern: no cadence cue


def test_the_warm_up_adjusts_from_the_measured_one_even_on_low_risk() -> None:
    low = advise("low")
    assert low["warmup"]["current_minutes"] == 4.0 and low["warmup"]["minutes"] == [5, 10]
    assert low["warmup"]["change"] == "longer"
    assert low["warmup"]["text"].startswith(
        "Your warm-ups around harder sessions have been about 4 min (6 sessions in 4 weeks): "
        "make them 5-10 min: "
    )
    assert low["cooldown"]["change"] == "keep"  # 7 min is within 5-10
    high = advise("high")
    assert high["warmup"]["minutes"] == [10, 15] and "glute activation" in high["warmup"]["text"]
    nothing = Habits(None, None, 0, None, None, None, (0.0,) * 7, frozenset(), None, frozenset())
    unknown = recommend(RULES, "high", [], nothing, SUNDAY)
    assert unknown["warmup"]["current_minutes"] is None and unknown["warmup"]["change"] == "unknown"


def test_the_high_tier_plan_is_built_on_the_usual_week_within_its_cap() -> None:
    plan = advise("high")["plan"]
    assert [d["date"] for d in plan] == [f"2026-11-{d}" for d in range(23, 30)]
    assert [d["status"] for d in plan] == [
        "off",  # Mon: day off 1 (a rest day anyway)
        "off",  # Tue: day off 2
        "reduced",  # Wed 6 km x 0.6
        "reduced",  # Thu 8 km x 0.6
        "off",  # Fri: the usual rest day
        "reduced",  # Sat 4 km x 0.6
        "as planned",  # Sun: long run, 14 km (under the 16 km cap)
    ]
    # ceilings 3.6 + 4.8 + 2.4 + 14 = 24.8 km, under the week's cap of 0.8 x 40 = 32 km
    assert [d["km_max"] for d in plan] == [0.0, 0.0, 3.6, 4.8, 0.0, 2.4, 14.0]


def test_the_low_tier_plan_scales_down_to_the_weeks_cap() -> None:
    tight = Habits(**{**HABITS.__dict__, "km_per_week": 20.0})
    plan = recommend(RULES, "low", [], tight, SUNDAY)["plan"]
    # usual days add up to 40 km; the cap is 1.1 x 20 = 22 km: every ceiling x 0.55
    assert [d["km_max"] for d in plan] == [0.0, 4.4, 3.3, 4.4, 0.0, 2.2, 7.7]
    assert {d["status"] for d in plan} == {"off", "as planned"}


RETURN = Return(
    severity="moderate",
    onset=date(2026, 10, 20),
    back=date(2026, 11, 10),
    usual_week_km=40.0,
    km_7d=9.0,
    phase="walk_run",
)


def test_a_return_replaces_the_tiers_rest_with_one_text_and_its_own_plan() -> None:
    advice = advise("high", (driver("spike_ratio_max_7d"),), returning=RETURN)
    tier_rest = RULES.rest["high"].text
    assert tier_rest not in str(advice)
    back = advice["return_to_run"]
    assert back["phase"] == "walk_run" and back["target_km_7d"] == 32.0  # 0.8 x 40
    assert advice["rest"]["text"].startswith("Walk-run: ")
    assert advice["actions"] == [] and advice["cadence"] is None
    # a session every other running day: Tue, (Wed off), Thu, Sat, Sun off after Sat
    assert [d["status"] for d in advice["plan"]] == [
        "off",
        "reduced",
        "off",
        "reduced",
        "off",
        "reduced",
        "off",
    ]
    assert advice["referral"] is False


def test_a_severe_injury_refers_to_a_clinician_and_nothing_is_a_diagnosis() -> None:
    severe = advise("low", returning=Return(**{**RETURN.__dict__, "severity": "severe"}))
    assert severe["referral"] is True and "clinician" in severe["rest"]["text"]
    for advice in (severe, advise("high")):
        assert advice["note"] == DISCLAIMER
        assert "you have" not in str(advice).lower()
