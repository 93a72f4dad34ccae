"""The weighted metrics behind the intervals: with unit weights they are scikit-learn's (the
reference), integer weights are duplicated rows, and the intervals cover what they should."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from stridewise.models.bootstrap import Scores, intervals, treat_all_net_benefit
from stridewise.models.metrics import expected_calibration_error


def _slope_by_scipy(y: np.ndarray, p: np.ndarray) -> float:
    """The maximum-likelihood b of logit P(y) = a + b logit(p), by a general optimiser."""
    z = np.log(p / (1 - p))

    def loss(beta: np.ndarray) -> float:
        eta = beta[0] + beta[1] * z
        return float(np.sum(np.logaddexp(0, eta) - y * eta))

    return float(
        minimize(
            loss,
            [0.0, 1.0],
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 4000},
        ).x[1]
    )


@pytest.fixture(scope="module")
def drawn() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    log_odds = rng.normal(-3, 1, 50_000)
    y = rng.random(log_odds.size) < 1 / (1 + np.exp(-log_odds))
    p = np.round(1 / (1 + np.exp(-log_odds)), 3)  # rounded: many ties
    return y, p


def test_unit_weights_give_scikit_learns_metrics(drawn: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = drawn
    scores, w = Scores.of(y, p), np.ones(len(y))
    assert scores.roc_auc(w) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert scores.pr_auc(w) == pytest.approx(average_precision_score(y, p), abs=1e-12)
    assert scores.brier(w) == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert scores.calibration_slope(w) == pytest.approx(_slope_by_scipy(y, p), abs=1e-6)
    assert scores.ece(w) == pytest.approx(expected_calibration_error(y, p), abs=1e-12)


def test_integer_weights_are_duplicated_rows(drawn: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = drawn
    w = np.random.default_rng(6).integers(0, 3, len(y)).astype(float)
    rows = np.repeat(np.arange(len(y)), w.astype(int))
    scores = Scores.of(y, p)
    assert scores.roc_auc(w) == pytest.approx(roc_auc_score(y[rows], p[rows]), abs=1e-12)
    assert scores.pr_auc(w) == pytest.approx(average_precision_score(y[rows], p[rows]), abs=1e-12)


def test_calibration_in_the_large_by_hand() -> None:
    # scores whose odds are twice the truth's: logit P(y) = logit(p) - log 2
    rng = np.random.default_rng(7)
    truth = 1 / (1 + np.exp(-rng.normal(-3, 1, 400_000)))
    y = rng.random(truth.size) < truth
    doubled = 2 * truth / (1 - truth)
    scores = Scores.of(y, doubled / (1 + doubled))
    assert scores.calibration_intercept(np.ones(len(y))) == pytest.approx(-np.log(2), abs=0.03)
    assert Scores.of(y, truth).calibration_intercept(np.ones(len(y))) == pytest.approx(0, abs=0.03)


def test_net_benefit_by_hand() -> None:
    # 10 days, 2 positive; alerts on 3 days at threshold 0.2 (odds 1/4): 2 true, 1 false
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
    p = np.array([0.3, 0.25, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    assert Scores.of(y, p).net_benefit(np.ones(10), 0.2) == pytest.approx((2 - 1 / 4) / 10)
    assert treat_all_net_benefit(y, 0.2) == pytest.approx((2 - 8 / 4) / 10)


def test_intervals_over_athletes_cover_the_metric_and_widen_with_fewer_athletes(
    drawn: tuple[np.ndarray, np.ndarray],
) -> None:
    y, p = drawn
    scores = Scores.of(y, p)
    whole = scores.roc_auc(np.ones(len(y)))
    many = intervals(np.arange(len(y)) % 500, {"auc": scores.roc_auc}, draws=100)["auc"]
    few = intervals(np.arange(len(y)) % 20, {"auc": scores.roc_auc}, draws=100)["auc"]
    assert many[0] < whole < many[1] and few[0] < whole < few[1]
    assert few[1] - few[0] > many[1] - many[0]
