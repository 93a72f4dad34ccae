"""The numpy scorer: the hazard, the horizon's risk and the calibration, worked by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from stridewise.models.factors import FACTOR_NAMES
from stridewise.models.inputs import NAMES
from stridewise.models.scorer import HazardScorer


def _row(**values: float) -> np.ndarray:
    row = np.full((1, len(NAMES)), np.nan)
    for name, value in values.items():
        row[0, NAMES.index(name)] = value
    return row


def _scorer(calibration: tuple[float, float] = (0.0, 1.0)) -> HazardScorer:
    coefficients = np.zeros(len(FACTOR_NAMES))
    coefficients[FACTOR_NAMES.index("spike_10_30")] = math.log(2.0)
    coefficients[FACTOR_NAMES.index("cadence")] = math.log(1.2)
    return HazardScorer(coefficients, math.log(0.001), 14, calibration)


def test_a_row_by_hand() -> None:
    # a 20 % spike doubles the base 0.1 % a day; 10 spm under the prior is two steps of 1.2
    row = _row(spike_ratio_max_7d=0.2, cadence_prior_residual_28d_spm=-10.0)
    hazard = 0.001 * 2.0 * 1.2**2
    assert _scorer().daily_hazard(row)[0] == pytest.approx(hazard, rel=1e-12)
    risk = 1 - math.exp(-14 * hazard)
    assert _scorer().probability(row)[0] == pytest.approx(risk, rel=1e-12)
    logit = 0.5 + 0.8 * math.log(risk / (1 - risk))
    calibrated = _scorer((0.5, 0.8)).probability(row)[0]
    assert calibrated == pytest.approx(1 / (1 + math.exp(-logit)), rel=1e-12)


def test_unknown_inputs_count_as_the_reference_and_the_cadence_dose_is_capped() -> None:
    unknown = _row()
    assert _scorer().daily_hazard(unknown)[0] == pytest.approx(0.001, rel=1e-12)
    far_under = _row(cadence_prior_residual_28d_spm=-40.0)  # capped at 20 spm: four steps
    assert _scorer().daily_hazard(far_under)[0] == pytest.approx(0.001 * 1.2**4, rel=1e-12)
    above = _row(cadence_prior_residual_28d_spm=8.0, spike_ratio_max_7d=0.1)  # 10 %: no spike
    assert _scorer().daily_hazard(above)[0] == pytest.approx(0.001, rel=1e-12)


def test_saved_numbers_score_the_same(tmp_path: Path) -> None:
    path = tmp_path / "scorer.npz"
    scorer = _scorer((0.3, 0.9))
    scorer.save(path)
    rows = np.vstack([_row(), _row(spike_ratio_max_7d=0.25, cadence_prior_residual_28d_spm=-3)])
    loaded = HazardScorer.load(path)
    np.testing.assert_array_equal(loaded.probability(rows), scorer.probability(rows))
    assert loaded.digest() == scorer.digest()
