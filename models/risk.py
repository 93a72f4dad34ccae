"""Fit the risk model: a discrete-time hazard, the form of the studies it rests on.

The studies behind every input report hazard ratios of an onset per day at risk, and the
simulated world is built the same way, so the model is that: a Poisson GLM of an onset
*tomorrow* on the literature's cut points (`models.factors`), turned into the 14-day risk and
calibrated on athletes the hazard never saw (a score must mean the same for a new athlete).
Its coefficients are hazard ratios with intervals, to be held against the studies. Of the
families compared on the tuning seeds (docs/model.md) none ranked better beyond the noise;
this is the simplest. Boosted stumps and a logistic regression are kept as baselines.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from stridewise.models.factors import FACTOR_NAMES, design
from stridewise.models.inputs import MONOTONIC
from stridewise.models.metrics import calibration_line
from stridewise.models.scorer import HazardScorer

CALIBRATION_SHARE = 0.25
"""Athletes held out of the stumps baseline's fit to calibrate it."""
CALIBRATION_FOLDS = 5
"""The hazard's calibration line is fitted on every athlete's out-of-fold risk: each from a
hazard fitted on the other four fifths of the athletes (a quarter held out calibrated on 86
onsets of seed 2026, and the slope came out at 0.40 on the tuning seed)."""
Z95 = 1.959964
VALIDATION_CUTOFF = 0.6
"""The validation split's cut in time: this share of the days' span trains, the rest tests."""
CALIBRATION_SALT = "calibration-folds"
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
"""Stumps: an additive model of monotone steps, one per input (with a few hundred onsets,
interactions chase noise). The shipped model until the hazard GLM; a baseline now."""


@dataclass(frozen=True)
class Split:
    """Boolean row masks: the rows to fit on, and the rows to calibrate or validate on."""

    fit: np.ndarray
    held_out: np.ndarray


def athlete_draws(athletes: np.ndarray, salt: str = "") -> np.ndarray:
    """Per row, a number in [0, 1) from a hash of its athlete's id: an athlete stays on the
    same side of any split whatever else is in the data (another `salt`, another draw)."""
    unique, inverse = np.unique(athletes, return_inverse=True)
    draws = np.array(
        [int(hashlib.sha256((salt + a).encode()).hexdigest()[:8], 16) / 2**32 for a in unique]
    )
    return draws[inverse]


def held_out_athletes(
    athletes: np.ndarray, share: float = CALIBRATION_SHARE, salt: str = ""
) -> np.ndarray:
    """Rows whose athlete is held out (a `share` of the athletes)."""
    return athlete_draws(athletes, salt) < share


def athlete_split(athletes: np.ndarray) -> Split:
    """Grouped by athlete: no athlete on both sides."""
    held = held_out_athletes(athletes)
    return Split(fit=~held, held_out=held)


def athlete_and_time_split(
    athletes: np.ndarray, days: np.ndarray, horizon: int
) -> tuple[Split, np.ndarray]:
    """Grouped by athlete and respecting time: a fit on some athletes' days whose whole label
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


@dataclass(frozen=True)
class HazardFit:
    """A Poisson GLM's log hazard ratios, log base rate and their covariance (Fisher)."""

    coefficients: np.ndarray
    intercept: float
    covariance: np.ndarray
    """Of (intercept, coefficients...), the inverse of the Fisher information."""

    def hazard_ratios(self) -> dict[str, dict[str, Any]]:
        """Per factor: the hazard ratio and its 95 % Wald interval."""
        se = np.sqrt(np.diag(self.covariance)[1:])
        return {
            name: {
                "hazard_ratio": float(np.exp(b)),
                "ci": [float(np.exp(b - Z95 * s)), float(np.exp(b + Z95 * s))],
            }
            for name, b, s in zip(FACTOR_NAMES, self.coefficients, se, strict=True)
        }


def fit_hazard(x: np.ndarray, tomorrow: np.ndarray, *, directed: bool = True) -> HazardFit:
    """Maximum likelihood of the Poisson GLM of an onset tomorrow, with the covariance from
    the Fisher information. No penalty: the factors are few and set by the studies, so their
    ratios must not be shrunk. `directed` holds each ratio at 1 or above, the direction the
    evidence gives it (a few hundred onsets can otherwise make a spike look protective, as the
    stumps' monotonic constraints also prevented); a recovery test fits without it."""
    full = np.column_stack([np.ones(len(x)), design(x)])
    y = tomorrow.astype(np.float64)

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        eta = full @ beta
        mu = np.exp(eta)
        return float(mu.sum() - y @ eta) / len(y), full.T @ (mu - y) / len(y)

    start = np.zeros(full.shape[1])
    start[0] = np.log(max(y.mean(), 1e-9))
    floor = 0.0 if directed else None
    found = minimize(
        loss,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[(None, None)] + [(floor, None)] * (full.shape[1] - 1),
        options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000},
    )
    if not found.success:
        raise ArithmeticError(f"the hazard model did not converge: {found.message}")
    mu = np.exp(full @ found.x)
    covariance = np.linalg.pinv(full.T @ (full * mu[:, None]))
    return HazardFit(found.x[1:].copy(), float(found.x[0]), covariance)


def _scorer(fit: HazardFit, horizon: int, line: tuple[float, float] = (0.0, 1.0)) -> HazardScorer:
    return HazardScorer(fit.coefficients, fit.intercept, horizon, line)


def _line(risk: np.ndarray, label: np.ndarray) -> tuple[float, float]:
    a, b = calibration_line(risk, label)
    return float(a), float(b)


def fit_risk_model(
    x: np.ndarray, tomorrow: np.ndarray, label: np.ndarray, split: Split, horizon: int
) -> HazardScorer:
    """The hazard on the split's fit rows, its `horizon`-day risk calibrated on its held-out
    rows (their `label`: an onset within the horizon)."""
    fit, held = fit_hazard(x[split.fit], tomorrow[split.fit]), split.held_out
    return _scorer(fit, horizon, _line(_scorer(fit, horizon).probability(x[held]), label[held]))


def fit_cross_calibrated(
    x: np.ndarray, tomorrow: np.ndarray, label: np.ndarray, athletes: np.ndarray, horizon: int
) -> tuple[HazardScorer, HazardFit]:
    """The hazard on every row, calibrated on out-of-fold risks: each athlete's from a hazard
    fitted without them (CALIBRATION_FOLDS folds of athletes)."""
    fold = np.floor(athlete_draws(athletes, CALIBRATION_SALT) * CALIBRATION_FOLDS)
    risk = np.empty(len(x))
    for k in range(CALIBRATION_FOLDS):
        out = fold == k
        risk[out] = _scorer(fit_hazard(x[~out], tomorrow[~out]), horizon).probability(x[out])
    fit = fit_hazard(x, tomorrow)
    return _scorer(fit, horizon, _line(risk, label)), fit


def fit_stumps(x: np.ndarray, y: np.ndarray, split: Split, seed: int = 0) -> CalibratedClassifierCV:
    """The baseline classifier: stumps on the split's fit rows, Platt-calibrated on its
    held-out rows."""
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
