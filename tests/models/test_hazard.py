"""The hazard model's fit: on days drawn from a known hazard, every ratio is recovered."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import PoissonRegressor

from stridewise.models.factors import FACTOR_NAMES, design
from stridewise.models.risk import fit_hazard
from tests.models.conftest import BASE_HAZARD, TRUE_RATIOS, synthetic_days


def test_each_true_hazard_ratio_falls_in_its_interval() -> None:
    days = synthetic_days(400_000, 3)
    fit = fit_hazard(days.x, days.onset, directed=False)
    ratios = fit.hazard_ratios()
    assert list(ratios) == list(FACTOR_NAMES)
    for name, found in ratios.items():
        low, high = found["ci"]
        assert low < found["hazard_ratio"] < high
        assert low <= TRUE_RATIOS[name] <= high, (name, found)
    assert np.exp(fit.intercept) == pytest.approx(BASE_HAZARD, rel=0.15)


def test_the_intervals_narrow_with_the_data() -> None:
    small, large = synthetic_days(50_000, 4), synthetic_days(400_000, 4)
    width = {
        size: {n: np.log(r["ci"][1] / r["ci"][0]) for n, r in fit.hazard_ratios().items()}
        for size, fit in (
            ("small", fit_hazard(small.x, small.onset)),
            ("large", fit_hazard(large.x, large.onset)),
        )
    }
    for name in FACTOR_NAMES:  # about sqrt(8) narrower with 8 times the days
        assert 2.0 < width["small"][name] / width["large"][name] < 4.0, name


def test_the_shipped_fit_keeps_each_ratio_in_the_evidences_direction() -> None:
    # in a world where hills protect, the directed fit says "no effect", the free one sees it
    days = synthetic_days(200_000, 5, TRUE_RATIOS | {"hills": 0.5})
    directed = fit_hazard(days.x, days.onset).hazard_ratios()
    free = fit_hazard(days.x, days.onset, directed=False).hazard_ratios()
    assert directed["hills"]["hazard_ratio"] == 1.0
    assert free["hills"]["ci"][1] < 0.7
    assert all(r["hazard_ratio"] >= 1.0 for r in directed.values())


def test_the_free_fit_is_scikit_learns_poisson_regression() -> None:
    days = synthetic_days(100_000, 6)
    fit = fit_hazard(days.x, days.onset, directed=False)
    reference = PoissonRegressor(alpha=0.0, solver="newton-cholesky", tol=1e-12, max_iter=500)
    reference.fit(design(days.x), days.onset.astype(float))
    np.testing.assert_allclose(fit.coefficients, reference.coef_, atol=1e-5)
    assert fit.intercept == pytest.approx(reference.intercept_, abs=1e-5)
