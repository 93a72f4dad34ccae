"""How good a risk score is: ranking, calibration, and what a coach would see at the alert line.

Ranking (ROC-AUC, PR-AUC) and the Brier score come from scikit-learn. Calibration is judged
twice: the slope of a logistic regression of the outcome on the score's log-odds (1 is perfect,
below 1 the scores are too extreme) and the expected calibration error over equal-count bins
(equal-width bins would put nearly every rare-event score in the first one).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

ECE_BINS = 10
DAYS_PER_MONTH = 365.25 / 12
_EPSILON = 1e-12


def ranking(y: np.ndarray, score: np.ndarray) -> dict[str, float]:
    return {
        "roc_auc": float(roc_auc_score(y, score)),
        "pr_auc": float(average_precision_score(y, score)),
    }


def calibration_slope(y: np.ndarray, probability: np.ndarray) -> float:
    """Slope of logit P(y) = a + b · logit(p), fitted without a penalty."""
    p = np.clip(probability, _EPSILON, 1 - _EPSILON)
    log_odds = np.log(p / (1 - p)).reshape(-1, 1)
    return float(LogisticRegression(C=np.inf).fit(log_odds, y).coef_[0, 0])


def expected_calibration_error(
    y: np.ndarray, probability: np.ndarray, bins: int = ECE_BINS
) -> float:
    """Sum over equal-count bins of (share of rows) x |observed rate - mean probability|."""
    order = np.argsort(probability, kind="stable")
    parts = np.array_split(order, bins)
    return float(
        sum(len(b) / len(y) * abs(y[b].mean() - probability[b].mean()) for b in parts if len(b))
    )


def calibration(y: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    return {
        "brier": float(brier_score_loss(y, probability)),
        "calibration_slope": calibration_slope(y, probability),
        "ece": expected_calibration_error(y, probability),
        "mean_probability": float(probability.mean()),
    }


def alerting(days: pl.DataFrame, alert: np.ndarray) -> dict[str, float]:
    """Sensitivity and alert load of a yes/no alert on labelled athlete-days.

    `days` holds `athlete_id`, `local_date`, `label` and `next_onset` (the onset a positive
    day warns of). Sensitivity: the share of onsets with an alert on at least one of the
    days that warn of it. Alerts: new alerts (a flagged day whose day before was not flagged)
    per athlete per month of labelled days.
    """
    flagged = days.select("athlete_id", "local_date", "label", "next_onset").with_columns(
        alert=pl.Series(alert, dtype=pl.Boolean)
    )
    onsets = flagged.filter("label").group_by("athlete_id", "next_onset").agg(pl.col("alert").any())
    before = flagged.select(
        "athlete_id", pl.col("local_date") + pl.duration(days=1), was=pl.col("alert")
    )
    starts = (
        flagged.join(before, on=["athlete_id", "local_date"], how="left")
        .filter(pl.col("alert") & ~pl.col("was").fill_null(value=False))
        .height
    )
    return {
        "sensitivity": float(onsets["alert"].mean()) if onsets.height else float("nan"),
        "alerts_per_athlete_month": starts / (flagged.height / DAYS_PER_MONTH),
        "alert_day_share": float(alert.mean()),
    }
