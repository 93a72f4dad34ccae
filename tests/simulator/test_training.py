"""The season as lived: what the watch records before an onset does not depend on the onset
(unless the documented prodrome option is on), and the two oracles, worked by hand."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from stridewise.simulator.athletes import draw_athlete
from stridewise.simulator.hazard import FACTORS, Hazard
from stridewise.simulator.training import (
    PRODROME_DAYS,
    AthleteSeason,
    _oracles,
    simulate_season,
)

START = date(2026, 6, 1)


def _season(index: int, hazard_scale: float, prodrome_pct: float = 0.0) -> AthleteSeason:
    athlete = draw_athlete(np.random.default_rng([9, index, 0]), index, 0, START)
    rng = np.random.default_rng([9, index, 1])
    return simulate_season(athlete, rng, START, 52, Hazard(scale=hazard_scale), prodrome_pct)


@pytest.fixture(scope="module")
def injured() -> int:
    """The first athlete of seed 9 with an onset at hazard x 30 after the first 4 weeks."""
    return next(i for i in range(50) if any(j.onset_day > 28 for j in _season(i, 30.0).injuries))


def test_runs_before_an_onset_are_those_of_a_world_without_it(injured: int) -> None:
    lived, never = _season(injured, 30.0), _season(injured, 0.0)
    onset = lived.injuries[0].onset_day
    assert never.injuries == []
    before = [r for r in lived.runs if r.day <= onset]
    assert before == [r for r in never.runs if r.day <= onset]  # every field, bit for bit
    for factor in FACTORS:  # the same loads, so the same hazard ratios
        assert lived.truth[factor][: onset + 1] == never.truth[factor][: onset + 1]


def test_the_prodrome_is_an_option_that_shifts_only_the_balance_before_onsets(
    injured: int,
) -> None:
    off, on = _season(injured, 30.0), _season(injured, 30.0, prodrome_pct=1.0)
    assert off.injuries == on.injuries and off.truth == on.truth  # the hazard never reads it
    onsets = {i.onset_day for i in on.injuries}
    for a, b in zip(off.runs, on.runs, strict=True):
        assert replace(b, balance_shift_pct=a.balance_shift_pct) == a
        warned = any(0 <= o - a.day < PRODROME_DAYS for o in onsets)
        assert (a.balance_shift_pct != b.balance_shift_pct) == warned


def test_the_oracles_by_hand() -> None:
    hazard = [0.01] * 20 + [0.0] * 10  # an onset on day 19 (its hazard counts), injured after
    ghosts = {19: [0.02] * 13}  # had the runner stayed healthy: 0.02 a day
    today, ahead = _oracles(hazard, ghosts)
    assert today[0] == pytest.approx(1 - math.exp(-0.14))
    assert today[25] == 0.0
    assert ahead[0] == pytest.approx(1 - math.exp(-0.14))  # days 1-14, all lived
    # day 10: days 11-19 lived (9 x 0.01), days 20-24 from the healthy copy (5 x 0.02)
    assert ahead[10] == pytest.approx(1 - math.exp(-(0.09 + 0.10)))
    assert ahead[15] is not None and ahead[16] is None  # 16 + 14 = 30: past the season
