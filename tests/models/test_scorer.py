"""The numpy scorer against scikit-learn's own predict_proba, the reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stridewise.models.inputs import NAMES
from stridewise.models.scorer import TreeScorer
from stridewise.models.training import TrainedModel


def test_the_arrays_give_scikit_learns_probabilities(
    trained: TrainedModel, synthetic: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> None:
    x = synthetic[0]
    expected = trained.risk.predict_proba(x)[:, 1]
    scorer = TreeScorer.of(trained.risk)
    np.testing.assert_allclose(scorer.probability(x), expected, rtol=1e-12, atol=0)
    assert np.isnan(x).any()  # unknown inputs took the trees' missing-value branches
    assert expected.std() > 0.01  # and the model is not a constant


def test_saved_arrays_score_the_same(trained: TrainedModel, tmp_path: Path) -> None:
    path = tmp_path / "scorer.npz"
    TreeScorer.of(trained.risk).save(path)
    rows = np.array([[np.nan] * len(NAMES), [1.0] * len(NAMES), [-2.0] * len(NAMES)])
    expected = trained.risk.predict_proba(rows)[:, 1]
    np.testing.assert_allclose(TreeScorer.load(path).probability(rows), expected, rtol=1e-12)
