"""Train the risk model from labelled athlete-days, and say how well it did on unseen ones.

Two fits: one validates (the hazard on some athletes' earlier days, calibrated and then scored
on other athletes' later days: grouped by athlete and respecting time), one is kept (the hazard
on every athlete, calibrated on out-of-fold risks: each athlete's from a hazard without them).
The baselines saved with it (the stumps classifier, a logistic regression) let `evaluate`
compare on any data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from stridewise.models.inputs import NAMES, input_matrix
from stridewise.models.labels import count_onsets, onset_tomorrow
from stridewise.models.metrics import calibration, ranking
from stridewise.models.risk import (
    CALIBRATION_FOLDS,
    athlete_and_time_split,
    athlete_split,
    fit_cross_calibrated,
    fit_logistic,
    fit_risk_model,
    fit_stumps,
)
from stridewise.models.scorer import HazardScorer

MIN_EVENTS = 20
"""Fewer injury onsets than this cannot train anything worth calibrating."""


@dataclass(frozen=True)
class TrainedModel:
    scorer: HazardScorer
    baselines: dict[str, Any]
    """Fitted scikit-learn estimators ("logistic", "stumps"), saved with the model."""
    reference: dict[str, float]
    """Each input's median over the training days: the baseline of an athlete without one."""
    summary: dict[str, Any]


def train(examples: pl.DataFrame, horizon: int, seed: int = 0) -> TrainedModel:
    """Fit on labelled athlete-days (`stridewise.models.labels.examples`)."""
    x, y = input_matrix(examples), examples["label"].to_numpy()
    tomorrow = onset_tomorrow(examples).to_numpy()
    athletes = examples["athlete_id"].to_numpy()
    days = examples["local_date"].to_numpy()

    check, held = athlete_and_time_split(athletes, days, horizon)
    validation = fit_risk_model(x, tomorrow, y, check, horizon).probability(x[held])

    scorer, hazard = fit_cross_calibrated(x, tomorrow, y, athletes, horizon)
    with np.errstate(all="ignore"):
        reference = {name: float(np.nanmedian(x[:, i])) for i, name in enumerate(NAMES)}
    summary = {
        "n_athletes": len(np.unique(athletes)),
        "n_athlete_days": examples.height,
        "n_events": count_onsets(examples),
        "positive_rate": float(y.mean()),
        "first_day": str(days.min()),
        "last_day": str(days.max()),
        "horizon_days": horizon,
        "calibration": f"out-of-fold risks of {CALIBRATION_FOLDS} folds of athletes",
        "hazard_ratios": hazard.hazard_ratios(),
        "validation": {
            "split": "half of the held-out athletes' days after the time cutoff (the other "
            "half calibrated the hazard) vs the others' days whose label window ended before it",
            "n_athlete_days": int(held.sum()),
            "n_positive_days": int(y[held].sum()),
            **ranking(y[held], validation),
            **calibration(y[held], validation),
        },
    }
    return TrainedModel(
        scorer=scorer,
        baselines={
            "logistic": fit_logistic(x, y),
            "stumps": fit_stumps(x, y, athlete_split(athletes), seed),
        },
        reference={k: v for k, v in reference.items() if not np.isnan(v)},
        summary=summary,
    )
