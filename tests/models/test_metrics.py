"""Metrics on tiny cases worked out by hand, and calibration on data drawn from known odds."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from sklearn.linear_model import LogisticRegression

from stridewise.models.metrics import (
    alerting,
    calibration_line,
    calibration_slope,
    expected_calibration_error,
    random_timing_sensitivity,
    within_athlete_roc_auc,
)

DAY0 = date(2026, 3, 2)


def test_ece_over_equal_count_bins_by_hand() -> None:
    # two bins of two: probabilities (0.1, 0.1) with outcomes (0, 1): |0.5 - 0.1| = 0.4;
    # (0.6, 0.8) with outcomes (1, 1): |1 - 0.7| = 0.3; each bin half the rows
    y = np.array([0, 1, 1, 1])
    p = np.array([0.1, 0.1, 0.6, 0.8])
    assert expected_calibration_error(y, p, bins=2) == pytest.approx(0.5 * 0.4 + 0.5 * 0.3)


@pytest.mark.parametrize(("stretch", "expected"), [(1.0, 1.0), (2.0, 0.5)])
def test_calibration_slope_recovers_how_extreme_scores_are(stretch: float, expected: float) -> None:
    rng = np.random.default_rng(3)
    log_odds = rng.normal(-3, 1, 200_000)
    y = rng.random(log_odds.size) < 1 / (1 + np.exp(-log_odds))
    # a score whose log-odds are `stretch` times the truth's, centred where the truth is
    p = 1 / (1 + np.exp(-(-3 + stretch * (log_odds + 3))))
    assert calibration_slope(y, p) == pytest.approx(expected, abs=0.05)


def test_the_calibration_line_converges_on_scores_far_from_the_truth() -> None:
    # a world with about ten times the risk the scores say: a full Newton step from (0, 1)
    # overshoots; the reference is scikit-learn's own Newton solver, run to 1e-12
    rng = np.random.default_rng(4)
    p = rng.uniform(0.003, 0.018, 300_000)
    logit = np.log(p / (1 - p))
    y = rng.random(p.size) < 1 / (1 + np.exp(-(2.3 + 0.8 * logit)))
    reference = LogisticRegression(penalty=None, solver="newton-cholesky", tol=1e-12)
    reference.fit(logit[:, None], y)
    a, b = calibration_line(p, y)
    assert a == pytest.approx(reference.intercept_[0], abs=1e-6)
    assert b == pytest.approx(reference.coef_[0, 0], abs=1e-6)


def test_sensitivity_counts_onsets_and_alerts_count_new_alerts() -> None:
    # one athlete, 10 days; days 2-4 warn of an onset on day 5, days 7-8 of one on day 9
    dates = [DAY0 + timedelta(days=d) for d in range(10)]
    labels = [d in (2, 3, 4, 7, 8) for d in range(10)]
    onsets = [
        DAY0 + timedelta(days=5)
        if d in (2, 3, 4)
        else DAY0 + timedelta(days=9)
        if d in (7, 8)
        else None
        for d in range(10)
    ]
    days = pl.DataFrame(
        {"athlete_id": ["a"] * 10, "local_date": dates, "label": labels, "next_onset": onsets}
    )
    alert = np.array([d in (0, 1, 3, 6) for d in range(10)])
    result = alerting(days, alert)
    assert result["sensitivity"] == 0.5  # day 3 warns of the first onset; none of days 7-8
    # new alerts: day 0 (starts), day 3, day 6 (day 1 continues day 0) -> 3 in 10 days
    assert result["alerts_per_athlete_month"] == pytest.approx(3 / (10 / (365.25 / 12)))
    assert result["alert_day_share"] == pytest.approx(0.4)


def test_within_athlete_auc_by_hand() -> None:
    # athlete a: positives score 0.5 and 0.2, negatives 0.3 and 0.1: pairs won 3 of 4 = 0.75;
    # athlete b: its positive scores below its only negative: 0; c has no positive: left out
    days = pl.DataFrame(
        {
            "athlete_id": ["a"] * 4 + ["b"] * 2 + ["c"] * 2,
            "label": [True, True, False, False, True, False, False, False],
        }
    )
    p = np.array([0.5, 0.2, 0.3, 0.1, 0.01, 0.9, 0.4, 0.6])
    assert within_athlete_roc_auc(days, p) == pytest.approx((0.75 + 0.0) / 2)


def test_random_timing_rotates_each_athletes_alerts() -> None:
    # one athlete, 10 days, one onset warned by days 2-4; one 2-day alert (days 0-1) rotated
    # by 0-9 days catches the onset when it covers day 2, 3 or 4: offsets 1-4 of 10
    dates = [DAY0 + timedelta(days=d) for d in range(10)]
    days = pl.DataFrame(
        {
            "athlete_id": ["a"] * 10,
            "local_date": dates,
            "label": [d in (2, 3, 4) for d in range(10)],
            "next_onset": [DAY0 + timedelta(days=5) if d in (2, 3, 4) else None for d in range(10)],
        }
    )
    alert = np.array([d in (0, 1) for d in range(10)])
    drawn = random_timing_sensitivity(days.reverse(), alert[::-1].copy(), draws=2000)
    assert set(drawn) == {0.0, 1.0}
    assert np.mean(drawn) == pytest.approx(4 / 10, abs=0.03)
