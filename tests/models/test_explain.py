"""Drivers in plain words against the athlete's own usual values, and the caveats."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import polars as pl

from stridewise.features.daily import athlete_days
from stridewise.models.assess import assess
from stridewise.models.bundle import load
from stridewise.models.explain import PHRASES, caveats, drivers, phrase
from stridewise.models.factors import FACTOR_NAMES
from stridewise.models.inputs import NAMES
from stridewise.models.labels import INJURY_SCHEMA, injury_flags
from stridewise.models.rules import load_rules
from stridewise.models.scorer import HazardScorer
from tests.features.test_daily import runs
from tests.models.conftest import BASE_HAZARD, TRUE_RATIOS

MODEL = replace(
    load(),
    scorer=HazardScorer(
        np.log([TRUE_RATIOS[name] for name in FACTOR_NAMES]), np.log(BASE_HAZARD), 14, (0.0, 1.0)
    ),
)
"""The shipped model's reference values, with hazard ratios set by hand (a fitted model's
could put a 40 % spike at no effect)."""
RULES = load_rules()
NO_INJURIES = pl.DataFrame(schema=INJURY_SCHEMA)


def history(
    days_km: list[tuple[int, float]], until: date | None = None, **extra: list
) -> pl.DataFrame:
    """An athlete's days (DAY0 = Monday 2 March 2026) with an empty injury log."""
    return injury_flags(athlete_days(runs(*days_km, **extra), until), NO_INJURIES)


EVERY_OTHER_DAY = [(d, 10.0) for d in range(0, 62, 2)]  # 10 km on days 0, 2, ..., 60


def test_todays_spike_is_named_with_its_numbers() -> None:
    # day 62 is Sunday 3 May: 14 km after a month of 10 km runs, +40 %
    found = drivers(history([*EVERY_OTHER_DAY, (62, 14.0)]), MODEL)
    assert found[0].name == "spike_ratio_max_7d" and found[0].pattern == "lateral"
    assert found[0].text == (
        "Today's 14.0 km run was 40% longer than the longest of the 30 days before it (10.0 km)"
    )
    assert found[0].effect > 0


def test_a_spike_earlier_in_the_week_is_named_by_its_weekday() -> None:
    # the same Sunday spike, scored on Wednesday 6 May
    found = drivers(history([*EVERY_OTHER_DAY, (62, 14.0)], until=date(2026, 5, 6)), MODEL)
    spike = next(d for d in found if d.name == "spike_ratio_max_7d")
    assert spike.text.startswith("Sunday's 14.0 km run was 40% longer")


def test_a_steady_athlete_has_no_drivers() -> None:
    assert drivers(history(EVERY_OTHER_DAY), MODEL) == []


def test_caveats_short_history_no_sensor_and_treadmill() -> None:
    days = history([(0, 5.0), (3, 5.0), (9, 6.0)], treadmill=[False, False, True])
    notes = caveats(days, RULES.caveats)
    assert notes[0] == "only 10 days of history: the athlete's own baselines need about 4 weeks"
    assert any(n.startswith("no running-dynamics sensor") for n in notes)
    assert any(n.startswith("treadmill run this week") for n in notes)
    with_strap = history(EVERY_OTHER_DAY, gct_balance_left_pct=[50.5] * len(EVERY_OTHER_DAY))
    assert caveats(with_strap, RULES.caveats) == []


def test_sparse_files_are_low_coverage() -> None:
    days = history([(0, 10.0), (14, 10.0), (35, 10.0), (50, 10.0)])
    # files on 2 of the last 28 days (days 35 and 50 of 23-50)
    assert "files on only 2 of the last 28 days: load may be under-counted" in caveats(
        days, RULES.caveats
    )


def test_single_file_mode_says_what_it_could_not_use() -> None:
    one_run = history([(0, 12.0)])
    assessment = assess(one_run, MODEL, RULES, single_file=True)
    assert "single-session spike" in assessment.unavailable
    assert assessment.caveats[0].startswith("single-file mode: no history in the store")
    assert 0 < assessment.probability < 1 and assessment.model_version == MODEL.version


def test_without_a_history_of_their_own_the_baseline_is_not_called_usual() -> None:
    # one 12 km run with 360 m of climbing: 30 m/km, over the 25 m/km of the hills factor,
    # against the training cohort's median (the athlete has no days of their own before it)
    found = drivers(history([(0, 12.0)], ascent_m=[360.0]), MODEL)
    hills = next(d for d in found if d.name == "ascent_m_per_km_7d")
    typical = MODEL.reference["ascent_m_per_km_7d"]
    assert hills.text == f"30 m of climbing per km this week (typical for runners {typical:.0f})"
    assert all("usually" not in d.text for d in found)


def test_every_input_has_words_with_its_numbers() -> None:
    assert set(PHRASES) == set(NAMES)
    n = len(EVERY_OTHER_DAY) + 1
    days = history(
        [*EVERY_OTHER_DAY, (62, 14.0)],
        gct_balance_left_pct=[50.0] * (n - 1) + [51.5],
        cadence_prior_residual_spm=[-6.0] * n,
        high_intensity_km=[1.0] * n,
        ascent_m=[100.0] * n,
    )
    words = {name: phrase(name, days.tail(7), 1.0) for name in NAMES}
    assert all("{" not in text and "nan" not in text for text in words.values())
    # days 56, 58 and 60 balanced, day 62 at 51.5 %: the week's mean change is 1.5 / 4;
    # days 56-62: 10 + 10 + 10 + 14 = 44 km, days 49-55: 3 x 10 = 30 km, 44 / 30 - 1 = 47 %
    assert words["gct_balance_shift_7d_pct"].startswith(
        "ground-contact balance moved 0.4 points to the left this week"
    )
    assert words["cadence_prior_residual_28d_spm"].startswith(
        "step rate at easy pace 6 steps/min below"
    )
    assert (
        words["weekly_progression"]
        == "44 km in the last 7 days, 47% more than the 7 days before (30 km)"
    )
