"""95 % intervals by resampling athletes: a cohort's days are not independent, its athletes are.

Each draw picks as many athletes as there are, with replacement, and weighs every day by how
often its athlete was picked; the metrics are computed with those weights. Scores are ranked
once (`Scores`), so a draw costs a few weighted sums over the rows, not a sort: 200 draws of
700,000 athlete-days take seconds, where scikit-learn's metrics would take minutes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from stridewise.models.metrics import calibration_line, expected_calibration_error

DRAWS = 200


@dataclass(frozen=True)
class Scores:
    """Outcomes and scores of athlete-days, ranked once for many weightings."""

    y: np.ndarray
    p: np.ndarray
    level: np.ndarray
    """Each row's index among the distinct scores, in increasing order."""
    levels: int

    @classmethod
    def of(cls, y: np.ndarray, p: np.ndarray) -> Scores:
        distinct, level = np.unique(p, return_inverse=True)
        return cls(y.astype(bool), p, level, len(distinct))

    def _split(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weight of positives and of negatives at each distinct score."""
        pos = np.bincount(self.level, weights=w * self.y, minlength=self.levels)
        neg = np.bincount(self.level, weights=w * ~self.y, minlength=self.levels)
        return pos, neg

    def roc_auc(self, w: np.ndarray) -> float:
        """P(a positive day scores above a negative one), ties counting half."""
        pos, neg = self._split(w)
        below = np.cumsum(neg) - neg
        with np.errstate(all="ignore"):  # NaN for a draw without positives
            return float(pos @ (below + 0.5 * neg) / (pos.sum() * neg.sum()))

    def pr_auc(self, w: np.ndarray) -> float:
        """Average precision: precision at each distinct score, weighted by the recall it adds."""
        pos, neg = self._split(w)
        tp, fp = np.cumsum(pos[::-1]), np.cumsum(neg[::-1])
        keep = (tp + fp) > 0
        precision = np.where(keep, tp / np.where(keep, tp + fp, 1), 0.0)
        with np.errstate(all="ignore"):
            return float(precision @ pos[::-1] / tp[-1])

    def brier(self, w: np.ndarray) -> float:
        return float(w @ (self.p - self.y) ** 2 / w.sum())

    def calibration_slope(self, w: np.ndarray) -> float:
        """b of logit P(y) = a + b · logit(p) (1 = right; below 1 the scores are too extreme)."""
        return float(calibration_line(self.p, self.y, w)[1])

    def calibration_intercept(self, w: np.ndarray) -> float:
        """a of logit P(y) = a + logit(p): calibration in the large (0 = right; below 0 the
        scores are too high on average)."""
        return float(calibration_line(self.p, self.y, w, slope=False)[0])

    def ece(self, w: np.ndarray) -> float:
        return expected_calibration_error(self.y, self.p, w=w)

    def net_benefit(self, w: np.ndarray, threshold: float) -> float:
        """(true positives - false positives x odds of the threshold) / days, alerting at
        `threshold` (Vickers 2006): the value of acting on the alerts at that exchange rate."""
        alert = self.p >= threshold
        return _net_benefit(w @ (alert & self.y), w @ (alert & ~self.y), w.sum(), threshold)


def _net_benefit(tp: float, fp: float, n: float, threshold: float) -> float:
    return float((tp - fp * threshold / (1 - threshold)) / n)


def treat_all_net_benefit(y: np.ndarray, threshold: float) -> float:
    """The net benefit of alerting on every day: the line a model must beat."""
    return _net_benefit(float(y.sum()), float((~y.astype(bool)).sum()), len(y), threshold)


Metric = Callable[[np.ndarray], float]


def intervals(
    athletes: np.ndarray, metrics: dict[str, Metric], draws: int = DRAWS, seed: int = 0
) -> dict[str, list[float]]:
    """The 2.5th and 97.5th percentiles of each metric over `draws` resamplings of athletes.
    `metrics`: name -> function of the rows' weights."""
    names, index = np.unique(athletes, return_inverse=True)
    rng = np.random.default_rng(seed)
    values: dict[str, list[float]] = {name: [] for name in metrics}
    for _ in range(draws):
        picked = np.bincount(rng.integers(0, len(names), len(names)), minlength=len(names))
        weights = picked[index].astype(float)
        for name, metric in metrics.items():
            values[name].append(metric(weights))
    with warnings.catch_warnings():  # a metric no draw could compute: NaN, said once here
        warnings.simplefilter("ignore", RuntimeWarning)
        return {
            name: [float(v) for v in np.nanpercentile(np.array(drawn), [2.5, 97.5])]
            for name, drawn in values.items()
        }
