"""How good a risk score is: ranking, calibration, and what a coach would see at the alert line.

Ranking (ROC-AUC, PR-AUC) and the Brier score come from scikit-learn. Calibration is judged
twice: the slope of a logistic regression of the outcome on the score's log-odds (1 is perfect,
below 1 the scores are too extreme) and the expected calibration error over equal-count bins
(equal-width bins would put nearly every rare-event score in the first one).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.special import expit
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

ECE_BINS = 10
DAYS_PER_MONTH = 365.25 / 12
_EPSILON = 1e-12


def ranking(y: np.ndarray, score: np.ndarray) -> dict[str, float]:
    return {
        "roc_auc": float(roc_auc_score(y, score)),
        "pr_auc": float(average_precision_score(y, score)),
    }


def calibration_line(
    probability: np.ndarray, y: np.ndarray, w: np.ndarray | None = None, *, slope: bool = True
) -> np.ndarray:
    """(a, b) of the weighted maximum-likelihood fit logit P(y) = a + b · logit(p), by
    Newton's method to 1e-10, each step halved until the likelihood rises (a full step from
    (0, 1) overshoots when the scores are far off, as on a world with ten times the hazard);
    with `slope` False b is held at 1 (calibration in the large). NaN where the data cannot
    fix them. (scikit-learn's LogisticRegression at its default tolerance stops far from the
    optimum on rare events: a slope of 0.98 where the maximum likelihood is 0.53.)"""
    p = np.clip(probability, _EPSILON, 1 - _EPSILON)
    x, w = np.log(p / (1 - p)), np.ones(len(p)) if w is None else w
    beta = np.array([0.0, 1.0])

    def likelihood(b: np.ndarray) -> float:
        eta = b[0] + b[1] * x
        return float(w @ (y * eta - np.logaddexp(0.0, eta)))

    with np.errstate(all="ignore"):
        for _ in range(100):
            mu = expit(beta[0] + beta[1] * x)
            residual, curvature = w * (y - mu), w * mu * (1 - mu)
            if slope:
                gradient = np.array([residual.sum(), residual @ x])
                hessian = np.array(
                    [[curvature.sum(), curvature @ x], [curvature @ x, curvature @ (x * x)]]
                )
                try:
                    step = np.linalg.solve(hessian, gradient)
                except np.linalg.LinAlgError:
                    return np.full(2, np.nan)
            else:
                step = np.array([residual.sum() / curvature.sum(), 0.0])
            if not np.isfinite(step).all():
                return np.full(2, np.nan)
            before = likelihood(beta)
            while likelihood(beta + step) < before and np.abs(step).max() > 1e-12:
                step = step / 2
            beta += step
            if np.abs(step).max() < 1e-10:
                break
    return beta


def calibration_slope(y: np.ndarray, probability: np.ndarray) -> float:
    """b of logit P(y) = a + b · logit(p) (1 = right; below 1 the scores are too extreme)."""
    return float(calibration_line(probability, y)[1])


def calibration_intercept(y: np.ndarray, probability: np.ndarray) -> float:
    """a of logit P(y) = a + logit(p): calibration in the large (0 = right)."""
    return float(calibration_line(probability, y, slope=False)[0])


def expected_calibration_error(
    y: np.ndarray, probability: np.ndarray, bins: int = ECE_BINS, w: np.ndarray | None = None
) -> float:
    """Sum over equal-count bins of the scores of (share of the weight) x |observed rate -
    mean probability|, each row weighing `w` (default 1)."""
    parts = calibration_bins(y, probability, bins, w)
    total = sum(weight for weight, _, _ in parts)
    return float(sum(weight / total * abs(seen - said) for weight, seen, said in parts))


def calibration_bins(
    y: np.ndarray, probability: np.ndarray, bins: int = ECE_BINS, w: np.ndarray | None = None
) -> list[tuple[float, float, float]]:
    """(weight, observed rate, mean probability) of each equal-count bin of the scores that
    has weight: the points of a reliability diagram and the terms of the ECE."""
    w = np.ones(len(y)) if w is None else w
    parts = []
    for part in np.array_split(np.argsort(probability, kind="stable"), bins):
        weight = float(w[part].sum())
        if weight > 0:
            seen = float(w[part] @ y[part]) / weight
            parts.append((weight, seen, float(w[part] @ probability[part]) / weight))
    return parts


def calibration(y: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    return {
        "brier": float(brier_score_loss(y, probability)),
        "calibration_slope": calibration_slope(y, probability),
        "calibration_intercept": calibration_intercept(y, probability),
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


def within_athlete_roc_auc(days: pl.DataFrame, probability: np.ndarray) -> float:
    """The ROC-AUC over each athlete's own days, averaged over the athletes with both kinds
    of day: whether a score knows *when* an athlete is at risk, not only *who* is."""
    ranked = days.select("athlete_id", "label", p=pl.Series(probability)).with_columns(
        rank=pl.col("p").rank().over("athlete_id")
    )
    per = ranked.group_by("athlete_id").agg(
        positives=pl.col("label").sum(),
        negatives=(~pl.col("label")).sum(),
        rank_sum=pl.col("rank").filter("label").sum(),
    )
    per = per.filter((pl.col("positives") > 0) & (pl.col("negatives") > 0))
    auc = (pl.col("rank_sum") - pl.col("positives") * (pl.col("positives") + 1) / 2) / (
        pl.col("positives") * pl.col("negatives")
    )
    return float(per.select(auc.mean()).item()) if per.height else float("nan")


def random_timing_sensitivity(
    days: pl.DataFrame, alert: np.ndarray, draws: int = 200, seed: int = 0
) -> list[float]:
    """Sensitivity when each athlete's alerts are moved to random days of theirs, once per
    draw: their sequence of alert days rotated by a random offset within their own days, so
    that the number and length of their alerts stay and only the timing is lost. What
    knowing *who* (and how often), but not *when*, is worth."""
    rng = np.random.default_rng(seed)
    order = days.with_row_index("row").sort("athlete_id", "local_date")
    rows = order["row"].to_numpy()
    athlete = order["athlete_id"].rle_id().to_numpy()
    starts = np.flatnonzero(np.r_[True, athlete[1:] != athlete[:-1]])
    sizes = np.diff(np.r_[starts, len(rows)])
    position = np.arange(len(rows)) - np.repeat(starts, sizes)
    sequence = alert[rows]
    out = []
    for _ in range(draws):
        shift = np.repeat(rng.integers(0, sizes), sizes)
        source = np.repeat(starts, sizes) + (position - shift) % np.repeat(sizes, sizes)
        moved = np.empty_like(alert)
        moved[rows] = sequence[source]
        out.append(alerting(days, moved)["sensitivity"])
    return out
