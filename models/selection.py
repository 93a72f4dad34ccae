"""Whether a retrained model may replace the one in use: both scored on the same athletes,
whom neither was trained on, and the new one kept only if it is not worse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from stridewise.models.bundle import Model
from stridewise.models.inputs import input_matrix
from stridewise.models.labels import count_onsets
from stridewise.models.metrics import calibration, ranking
from stridewise.models.risk import held_out_athletes
from stridewise.models.training import MIN_EVENTS

COMPARISON_SHARE = 0.25
"""Athletes set aside from every retraining, to compare models on."""
COMPARISON_SALT = "comparison:"
"""Their draw is independent of the calibration athletes'."""
MIN_COMPARISON_ONSETS = 5
"""Fewer onsets among them and ranking metrics mean nothing."""


class NotEnoughData(ValueError):
    """Too few injury onsets to train or to compare: the message says how many."""


def split_for_retraining(labelled: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The labelled days to train on, and those of the athletes set aside (the same ones at
    every retraining); `NotEnoughData` when either has too few onsets."""
    aside = held_out_athletes(labelled["athlete_id"].to_numpy(), COMPARISON_SHARE, COMPARISON_SALT)
    training, comparing = labelled.filter(~aside), labelled.filter(aside)
    for name, part, least in (
        ("training", training, MIN_EVENTS),
        ("set-aside", comparing, MIN_COMPARISON_ONSETS),
    ):
        if (onsets := count_onsets(part)) < least:
            raise NotEnoughData(
                f"{onsets} injury onsets in the {name} athletes' days; need at least {least}"
            )
    return training, comparing


@dataclass(frozen=True)
class Comparison:
    candidate: dict[str, float]
    current: dict[str, float]

    @property
    def not_worse(self) -> bool:
        """Ranks at least as well (ROC-AUC) and is at least as well calibrated (Brier)."""
        return (
            self.candidate["roc_auc"] >= self.current["roc_auc"]
            and self.candidate["brier"] <= self.current["brier"]
        )


def compare(comparing: pl.DataFrame, candidate: Model, current: Model) -> dict[str, Any]:
    """Both models on the set-aside athletes' labelled days: their metrics, and whether the
    candidate may replace the model in use."""
    x, y = input_matrix(comparing), comparing["label"].to_numpy()

    def metrics(model: Model) -> dict[str, float]:
        p = model.probability(x)
        return {**ranking(y, p), **calibration(y, p)}

    result = Comparison(metrics(candidate), metrics(current))
    return {
        "n_athletes": comparing["athlete_id"].n_unique(),
        "n_athlete_days": comparing.height,
        "n_events": count_onsets(comparing),
        "current_version": current.version,
        "candidate": result.candidate,
        "current": result.current,
        "registered": result.not_worse,
    }
