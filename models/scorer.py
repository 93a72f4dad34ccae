"""The fitted risk model as plain arrays, scored with numpy alone.

`stridewise score` must answer in about a second, and importing scikit-learn takes 1.4-1.9 s
on the reference machine (scipy.stats dominates), more than the whole budget. So `train`
exports the fitted trees and the Platt calibration into arrays (`scorer.npz`, loaded with
`allow_pickle=False`: nothing in it can run code), and this module walks the trees. It is
tested to give scikit-learn's `predict_proba` to 1e-12 (tests/models/test_scorer.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sklearn.calibration import CalibratedClassifierCV

_ARRAYS = ("feature", "threshold", "missing_left", "left", "right", "is_leaf", "value", "roots")


@dataclass(frozen=True)
class TreeScorer:
    """Every tree's nodes end to end (children indexed into the whole array), the model's
    baseline log-odds, and the calibration p = 1 / (1 + exp(a·f + b))."""

    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    baseline: float
    depth: int
    calibration: tuple[float, float]

    @classmethod
    def of(cls, model: CalibratedClassifierCV) -> TreeScorer:
        """The arrays of a Platt-calibrated, frozen HistGradientBoostingClassifier."""
        (calibrated,) = model.calibrated_classifiers_
        trees = calibrated.estimator.estimator
        (sigmoid,) = calibrated.calibrators
        nodes = [predictor.nodes for (predictor,) in trees._predictors]
        sizes = np.array([len(n) for n in nodes])
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        shift = np.repeat(offsets, sizes)
        every = np.concatenate(nodes)
        return cls(
            feature=every["feature_idx"].astype(np.int64),
            threshold=every["num_threshold"].astype(np.float64),
            missing_left=every["missing_go_to_left"].astype(bool),
            left=every["left"].astype(np.int64) + shift,
            right=every["right"].astype(np.int64) + shift,
            is_leaf=every["is_leaf"].astype(bool),
            value=every["value"].astype(np.float64),
            roots=offsets.astype(np.int64),
            baseline=float(np.ravel(trees._baseline_prediction)[0]),
            depth=int(every["depth"].max()),
            calibration=(float(sigmoid.a_), float(sigmoid.b_)),
        )

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        """The trees' summed leaf values plus the baseline, for rows `x` (NaN = unknown)."""
        rows = np.arange(len(x))[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        for _ in range(self.depth):
            value = x[rows, self.feature[node]]
            go_left = np.where(
                np.isnan(value), self.missing_left[node], value <= self.threshold[node]
            )
            child = np.where(go_left, self.left[node], self.right[node])
            node = np.where(self.is_leaf[node], node, child)
        return self.baseline + self.value[node].sum(axis=1)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of rows `x`."""
        a, b = self.calibration
        return 1.0 / (1.0 + np.exp(a * self.log_odds(x) + b))

    def digest(self) -> str:
        """A hash of the arrays: the same fitted model gives the same digest, on any day
        (the files' own bytes carry zip timestamps)."""
        h = hashlib.sha256()
        for name in _ARRAYS:
            h.update(np.ascontiguousarray(getattr(self, name)).tobytes())
        h.update(np.array([self.baseline, self.depth, *self.calibration]).tobytes())
        return h.hexdigest()

    def save(self, path: Path) -> None:
        np.savez(
            path,
            **{name: getattr(self, name) for name in _ARRAYS},
            scalars=np.array([self.baseline, self.depth, *self.calibration]),
        )

    @classmethod
    def load(cls, path: Path) -> TreeScorer:
        with np.load(path, allow_pickle=False) as arrays:
            baseline, depth, a, b = arrays["scalars"]
            return cls(
                **{name: arrays[name] for name in _ARRAYS},
                baseline=float(baseline),
                depth=int(depth),
                calibration=(float(a), float(b)),
            )
