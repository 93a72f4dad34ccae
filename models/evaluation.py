"""The model against what else a coach could use, on labelled athlete-days it never saw.

Baselines: the rules coaches apply one at a time, a logistic regression on the same inputs,
and, when the data is simulated, the oracle: the simulator's true hazard of the day, which
knows every run (recorded or not) and every trait of the athlete (injuries before the data
began, their cadence deficit) but not the training still to come. The bar is 0.9 x its AUC.
(The true hazard summed over the next 14 days is no oracle: it drops to 0 once an injury has
started, so it would rank the days just before an onset lowest.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from stridewise.models.labels import count_onsets
from stridewise.models.metrics import alerting, calibration, ranking

RULES: dict[str, pl.Expr] = {
    "acwr_over_1.5": pl.col("acwr") > 1.5,
    "weekly_progression_over_30pct": pl.col("weekly_progression") > 0.30,
    "spike_over_10pct_in_7d": pl.col("spike_ratio_max_7d") > 0.10,
}
"""The single rules: ACWR (Gabbett's sweet spot edge), Nielsen 2014's progression, a run in
the last 7 days more than 10 % longer than the longest of the 30 days before it (Frandsen)."""
AUC_SHARE_OF_ORACLE = 0.9
SLOPE_RANGE = (0.8, 1.2)


def rule_flags(days: pl.DataFrame) -> dict[str, np.ndarray]:
    """Each rule's yes/no per athlete-day (unknown inputs: no)."""
    flags = days.select(rule.fill_null(value=False).alias(name) for name, rule in RULES.items())
    return {name: flags[name].to_numpy() for name in RULES}


def oracle_probability(days: pl.DataFrame, truth: pl.DataFrame, horizon: int) -> np.ndarray:
    """P(onset within the horizon) if today's true hazard held: 1 - exp(-horizon x hazard),
    per athlete-day of `days` (NaN where the truth has no such day)."""
    joined = days.select("athlete_id", "local_date").join(
        truth.select("athlete_id", "hazard", local_date="date"),
        on=["athlete_id", "local_date"],
        how="left",
        maintain_order="left",
    )
    return (1 - (-horizon * joined["hazard"]).exp()).fill_null(np.nan).to_numpy()


def _scored(
    days: pl.DataFrame, y: np.ndarray, probability: np.ndarray, threshold: float
) -> dict[str, float]:
    return (
        ranking(y, probability)
        | calibration(y, probability)
        | alerting(days, probability >= threshold)
    )


def evaluation_report(
    days: pl.DataFrame,
    probability: np.ndarray,
    logistic: np.ndarray,
    threshold: float,
    truth: pl.DataFrame | None = None,
    horizon: int = 14,
) -> dict[str, Any]:
    """Every metric of the model, the baselines and (with `truth`) the oracle, on labelled
    athlete-days (`stridewise.models.labels.examples`), alerting at `threshold`."""
    y = days["label"].to_numpy()
    report: dict[str, Any] = {
        "n_athletes": days["athlete_id"].n_unique(),
        "n_athlete_days": days.height,
        "n_events": count_onsets(days),
        "positive_rate": float(y.mean()),
        "horizon_days": horizon,
        "alert_threshold": threshold,
        **_scored(days, y, probability, threshold),
    }
    baselines = {"logistic": _scored(days, y, logistic, threshold)}
    for name, flag in rule_flags(days).items():
        baselines[name] = ranking(y, flag.astype(float)) | alerting(days, flag)
    report["baselines"] = baselines
    oracle = None
    if truth is not None:
        oracle = oracle_probability(days, truth, horizon)
        known = ~np.isnan(oracle)
        report["oracle"] = {
            "n_athlete_days": int(known.sum()),
            "model_roc_auc_same_days": ranking(y[known], probability[known])["roc_auc"],
            **_scored(days.filter(pl.Series(known)), y[known], oracle[known], threshold),
        }
        report["oracle_roc_auc"] = report["oracle"]["roc_auc"]
    report["subgroups"] = _by_sensor(days, y, probability, oracle)
    report["bar"] = _bar(report)
    return report


def _by_sensor(
    days: pl.DataFrame, y: np.ndarray, probability: np.ndarray, oracle: np.ndarray | None
) -> dict[str, dict[str, float]]:
    """Ranking of athletes with and without a running-dynamics sensor (GCT balance): the
    balance signals only the first; a model must not do well on average and badly on them."""
    strap = days.select(
        pl.col("gct_balance_left_pct").is_not_null().any().over("athlete_id").alias("s")
    )["s"].to_numpy()
    groups = {}
    for name, rows in (("running_dynamics", strap), ("no_running_dynamics", ~strap)):
        if not y[rows].any() or y[rows].all():
            continue
        group = {
            "n_athlete_days": int(rows.sum()),
            "n_events": count_onsets(days.filter(pl.Series(rows))),
            "roc_auc": ranking(y[rows], probability[rows])["roc_auc"],
        }
        if oracle is not None and not np.isnan(oracle[rows]).any():
            group["oracle_roc_auc"] = ranking(y[rows], oracle[rows])["roc_auc"]
        groups[name] = group
    return groups


def _bar(report: dict[str, Any]) -> dict[str, Any]:
    """The risk-model issue's bar: AUC >= 0.9 x the oracle's, above every rule, slope in range."""
    rules = {name: report["baselines"][name]["roc_auc"] for name in RULES}
    low, high = SLOPE_RANGE
    checks: dict[str, Any] = {
        "beats_every_rule": all(report["roc_auc"] > auc for auc in rules.values()),
        "calibration_slope_in_range": low <= report["calibration_slope"] <= high,
    }
    if "oracle" in report:
        share = report["oracle"]["model_roc_auc_same_days"] / report["oracle"]["roc_auc"]
        checks["share_of_oracle_auc"] = share
        checks["near_oracle"] = share >= AUC_SHARE_OF_ORACLE
    checks["met"] = all(v for k, v in checks.items() if isinstance(v, bool))
    return checks
