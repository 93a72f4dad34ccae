"""A small risk model fitted on synthetic rows, for tests that need any fitted model."""

from __future__ import annotations

import numpy as np
import pytest

from stridewise.models.inputs import NAMES
from stridewise.models.risk import athlete_split, fit_logistic, fit_risk_model
from stridewise.models.training import TrainedModel


@pytest.fixture(scope="session")
def synthetic() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of every input (a tenth unknown), outcomes from known odds, 200 athletes."""
    rng = np.random.default_rng(11)
    x = rng.normal(0, 1, (20_000, len(NAMES)))
    odds = -3 + 0.8 * x[:, 0] + 0.5 * x[:, 7] - 0.4 * x[:, 8]
    y = rng.random(len(x)) < 1 / (1 + np.exp(-odds))
    x[rng.random(x.shape) < 0.1] = np.nan
    athletes = np.array([f"a{i % 200:03d}" for i in range(len(x))])
    return x, y, athletes


@pytest.fixture(scope="session")
def trained(synthetic: tuple[np.ndarray, np.ndarray, np.ndarray]) -> TrainedModel:
    x, y, athletes = synthetic
    return TrainedModel(
        risk=fit_risk_model(x, y, athlete_split(athletes)),
        logistic=fit_logistic(x, y),
        reference=dict.fromkeys(NAMES, 0.0),
        summary={"n_events": int(y.sum())},
    )
