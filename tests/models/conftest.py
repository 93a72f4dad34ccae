"""Synthetic athlete-days whose true daily hazard is known, and a model fitted on them, for
tests that need rows in the inputs' real ranges or any fitted model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from stridewise.models.factors import FACTOR_NAMES, design
from stridewise.models.inputs import NAMES
from stridewise.models.risk import athlete_split, fit_logistic, fit_risk_model, fit_stumps
from stridewise.models.training import TrainedModel

TRUE_RATIOS = dict(
    zip(FACTOR_NAMES, (1.6, 1.5, 2.3, 1.6, 1.2, 1.1, 1.15, 1.1, 1.6, 1.25, 1.3, 1.2), strict=True)
)
BASE_HAZARD = 0.002


@dataclass(frozen=True)
class Synthetic:
    x: np.ndarray
    onset: np.ndarray
    """An onset the next day, drawn from the true hazard."""
    athletes: np.ndarray


def synthetic_days(rows: int, seed: int, ratios: dict[str, float] = TRUE_RATIOS) -> Synthetic:
    """Inputs drawn in their real ranges (a tenth unknown), onsets from BASE_HAZARD times the
    `ratios` of the factors each row has."""
    rng = np.random.default_rng(seed)
    spikes = rng.choice([-0.2, 0.05, 0.2, 0.6, 1.5], rows, p=[0.4, 0.3, 0.15, 0.1, 0.05])
    columns = {
        "spike_ratio_max_7d": spikes,
        "weekly_progression": rng.normal(0.0, 0.3, rows),
        "acwr": rng.normal(1.0, 0.3, rows),
        "acwr_ewma": rng.normal(1.0, 0.3, rows),
        "monotony": rng.uniform(1.0, 3.0, rows),
        "cadence_prior_residual_28d_spm": rng.normal(0.0, 6.0, rows),
        "gct_balance_shift_7d_pct": np.abs(rng.normal(0.0, 1.0, rows)),
        "previous_injury": (rng.random(rows) < 0.3).astype(float),
        "km_28d": rng.uniform(40.0, 200.0, rows),
        "high_intensity_share_7d": rng.uniform(0.0, 0.4, rows),
        "ascent_m_per_km_7d": rng.uniform(0.0, 50.0, rows),
    }
    x = np.column_stack([columns[name] for name in NAMES])
    x[rng.random(x.shape) < 0.1] = np.nan
    log_hr = np.log([ratios[name] for name in FACTOR_NAMES])
    hazard = BASE_HAZARD * np.exp(design(x) @ log_hr)
    onset = rng.random(rows) < -np.expm1(-hazard)
    athletes = np.array([f"a{i % 400:03d}" for i in range(rows)])
    return Synthetic(x, onset, athletes)


@pytest.fixture(scope="session")
def synthetic() -> Synthetic:
    return synthetic_days(40_000, 11)


@pytest.fixture(scope="session")
def trained(synthetic: Synthetic) -> TrainedModel:
    x, y = synthetic.x, synthetic.onset
    split = athlete_split(synthetic.athletes)
    return TrainedModel(
        scorer=fit_risk_model(x, y, y, split, 14),
        baselines={"logistic": fit_logistic(x, y), "stumps": fit_stumps(x, y, split)},
        reference=dict.fromkeys(NAMES, 0.0),
        summary={"n_events": int(y.sum())},
    )
