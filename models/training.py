"""Train the risk model from labelled athlete-days, and say how well it did on unseen ones.

Two fits: one validates (trees on some athletes' earlier days, calibrated and then scored on
other athletes' later days: grouped by athlete and respecting time), one is kept (trees on 75 %
of the athletes, calibrated on the rest, every day).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import Pipeline

from stridewise.models.inputs import NAMES, input_matrix
from stridewise.models.labels import count_onsets
from stridewise.models.metrics import calibration, ranking
from stridewise.models.risk import (
    athlete_and_time_split,
    athlete_split,
    fit_logistic,
    fit_risk_model,
    held_out_athletes,
)

MIN_EVENTS = 20
"""Fewer injury onsets than this cannot train anything worth calibrating."""


@dataclass(frozen=True)
class TrainedModel:
    risk: CalibratedClassifierCV
    logistic: Pipeline
    reference: dict[str, float]
    """Each input's median over the training days: the baseline of an athlete without one."""
    summary: dict[str, Any]


def train(examples: pl.DataFrame, horizon: int, seed: int = 0) -> TrainedModel:
    """Fit on labelled athlete-days (`stridewise.models.labels.examples`)."""
    x, y = input_matrix(examples), examples["label"].to_numpy()
    athletes = examples["athlete_id"].to_numpy()
    days = examples["local_date"].to_numpy()

    check, held = athlete_and_time_split(athletes, days, horizon)
    validation = fit_risk_model(x, y, check, seed).predict_proba(x[held])[:, 1]

    risk = fit_risk_model(x, y, athlete_split(athletes), seed)
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
        "calibration_athletes": len(np.unique(athletes[held_out_athletes(athletes)])),
        "validation": {
            "split": "half of the held-out athletes' days after the time cutoff (the other "
            "half calibrated the trees) vs the others' days whose label window ended before it",
            "n_athlete_days": int(held.sum()),
            "n_positive_days": int(y[held].sum()),
            **ranking(y[held], validation),
            **calibration(y[held], validation),
        },
    }
    return TrainedModel(
        risk=risk,
        logistic=fit_logistic(x, y),
        reference={k: v for k, v in reference.items() if not np.isnan(v)},
        summary=summary,
    )
