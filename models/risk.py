"""Fit the risk model: gradient-boosted trees bound by the evidence, calibrated on other athletes.

Hip injuries are rare (a few hundred onsets in thousands of athlete-years) and the days of one
athlete are alike, so the trees are stumps, leaves large, and the probabilities are
calibrated (Platt) on athletes the trees never saw: a score must mean the same for a new
athlete. The logistic regression is the baseline a statistician would fit first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from stridewise.models.inputs import MONOTONIC

CALIBRATION_SHARE = 0.25
"""Athletes held out of the trees to calibrate them."""
VALIDATION_CUTOFF = 0.6
"""The validation split's cut in time: this share of the days' span trains, the rest tests."""
VALIDATION_SALT = "validation-report"
"""Halves the validation's held-out athletes: calibration on one half, metrics on the other."""

TREE_PARAMETERS = {
    "learning_rate": 0.05,
    "max_iter": 400,
    "max_depth": 1,
    "min_samples_leaf": 200,
    "l2_regularization": 1.0,
    "early_stopping": False,
}
"""Stumps: an additive model of monotone steps, one per input. With a few hundred onsets,
interactions chase noise; of the settings tried on two held-out cohorts (docs/model.md)
stumps ranked best, on athletes with and without a running-dynamics sensor."""


@dataclass(frozen=True)
class Split:
    """Boolean row masks: the rows to fit on, and the rows to calibrate or validate on."""

    fit: np.ndarray
    held_out: np.ndarray


def held_out_athletes(
    athletes: np.ndarray, share: float = CALIBRATION_SHARE, salt: str = ""
) -> np.ndarray:
    """Rows whose athlete is held out: chosen by a hash of the id, so an athlete stays on
    the same side whatever else is in the data (another `salt`, another independent draw)."""
    unique, inverse = np.unique(athletes, return_inverse=True)
    chosen = np.array(
        [
            int(hashlib.sha256((salt + a).encode()).hexdigest()[:8], 16) / 2**32 < share
            for a in unique
        ]
    )
    return chosen[inverse]


def athlete_split(athletes: np.ndarray) -> Split:
    """Grouped by athlete: no athlete on both sides."""
    held = held_out_athletes(athletes)
    return Split(fit=~held, held_out=held)


def athlete_and_time_split(
    athletes: np.ndarray, days: np.ndarray, horizon: int
) -> tuple[Split, np.ndarray]:
    """Grouped by athlete and respecting time: trees on some athletes' days whose whole label
    window ended before a cutoff; the others' days after it, half of those athletes to
    calibrate on and the other half (the second mask) to report on, so that no metric is
    computed on rows the calibration was fitted on."""
    first, last = days.min(), days.max()
    cutoff = first + (last - first) * VALIDATION_CUTOFF
    held = held_out_athletes(athletes)
    later = held & (days > cutoff)
    reported = later & held_out_athletes(athletes, 0.5, salt=VALIDATION_SALT)
    fit = ~held & (days <= cutoff - np.timedelta64(horizon, "D"))
    return Split(fit=fit, held_out=later & ~reported), reported


def fit_risk_model(
    x: np.ndarray, y: np.ndarray, split: Split, seed: int = 0
) -> CalibratedClassifierCV:
    """Trees on the split's fit rows, Platt-calibrated on its held-out rows."""
    trees = HistGradientBoostingClassifier(
        monotonic_cst=list(MONOTONIC), random_state=seed, **TREE_PARAMETERS
    ).fit(x[split.fit], y[split.fit])
    return CalibratedClassifierCV(FrozenEstimator(trees), method="sigmoid").fit(
        x[split.held_out], y[split.held_out]
    )


def fit_logistic(x: np.ndarray, y: np.ndarray) -> Pipeline:
    """Median-imputed, standardised, L2 logistic regression on the same inputs."""
    return make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True),
        StandardScaler(),
        LogisticRegression(max_iter=1000),
    ).fit(x, y)
