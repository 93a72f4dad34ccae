"""The fitted risk model as plain arrays, scored with numpy alone.

`stridewise score` must answer in about a second, and importing scikit-learn takes 1.4-1.9 s
on the reference machine (scipy.stats dominates), more than the whole budget. The hazard
model is a handful of numbers anyway: the factors' log hazard ratios, the log base rate, and
the calibration line fitted on athletes the hazard was not (`scorer.npz`, loaded with
`allow_pickle=False`: nothing in it can run code).

    h = exp(intercept + factors · coefficients)        the daily hazard of an onset
    r = 1 - exp(-horizon · h)                           the risk if today's state held
    p = 1 / (1 + exp(-(a + b · logit r)))               calibrated on other athletes
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stridewise.models.factors import design


@dataclass(frozen=True)
class HazardScorer:
    coefficients: np.ndarray
    """Log hazard ratio per factor (`models.factors.FACTORS`)."""
    intercept: float
    """Log daily hazard with every factor at its reference."""
    horizon: int
    calibration: tuple[float, float]
    """(a, b) of the calibration line on the risk's log-odds."""

    def daily_hazard(self, x: np.ndarray) -> np.ndarray:
        """The fitted hazard of an onset tomorrow, for input rows `x` (NaN = unknown)."""
        return np.exp(self.intercept + design(x) @ self.coefficients)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of an onset within the horizon."""
        risk = np.clip(-np.expm1(-self.horizon * self.daily_hazard(x)), 1e-12, 1 - 1e-12)
        a, b = self.calibration
        return 1.0 / (1.0 + np.exp(-(a + b * np.log(risk / (1 - risk)))))

    def _scalars(self) -> np.ndarray:
        return np.array([self.intercept, self.horizon, *self.calibration])

    def digest(self) -> str:
        """A hash of the numbers: the same fitted model gives the same digest, on any day
        (the files' own bytes carry zip timestamps)."""
        h = hashlib.sha256(np.ascontiguousarray(self.coefficients).tobytes())
        h.update(self._scalars().tobytes())
        return h.hexdigest()

    def save(self, path: Path) -> None:
        np.savez(path, coefficients=self.coefficients, scalars=self._scalars())

    @classmethod
    def load(cls, path: Path) -> HazardScorer:
        with np.load(path, allow_pickle=False) as arrays:
            intercept, horizon, a, b = arrays["scalars"]
            return cls(
                coefficients=arrays["coefficients"].astype(np.float64),
                intercept=float(intercept),
                horizon=int(horizon),
                calibration=(float(a), float(b)),
            )
