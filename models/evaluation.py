"""The model against what else a coach could use, on labelled athlete-days it never saw.

Baselines: the rules coaches apply one at a time, the models saved with this one (a logistic
regression, boosted stumps) and, on simulated data, two oracles that bound the problem
(`truth.parquet`):
- `oracle_today`: the label's probability implied by today's true hazard (every run, recorded
  or not, every trait of the athlete), as if it held for the horizon: what a perfect sensor
  reading today could know;
- `oracle_14d`: the same from the true hazards of the planned days ahead, as if the runner
  stayed healthy: it knows the training still to come, which no model can, so a model above
  its interval is reading something the simulator leaked.

Headline metrics leave out the days after a logged injury until the athlete is back at their
usual volume (`models.labels.returning`): a coach is managing those already, and a score that
is high on them is easy and useless. They are reported apart. Intervals resample athletes.

On data whose true hazard ratios are known (a simulated world's `hazard_ratios.json`), the
hazard is also refitted on the headline days and each ratio held against the true one: a
recovery test of what the recorded features can carry, not a score of the shipped model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from stridewise.features.daily import SPIKE_EDGES
from stridewise.features.evidence import ACWR_THRESHOLD, PROGRESSION_THRESHOLD
from stridewise.models.bootstrap import Scores, intervals, treat_all_net_benefit
from stridewise.models.inputs import input_matrix
from stridewise.models.labels import count_onsets, onset_tomorrow, returning
from stridewise.models.metrics import (
    alerting,
    calibration,
    calibration_bins,
    random_timing_sensitivity,
    ranking,
    within_athlete_roc_auc,
)
from stridewise.models.risk import fit_hazard

RULES: dict[str, pl.Expr] = {
    "acwr_over_1.5": pl.col("acwr") > ACWR_THRESHOLD,
    "weekly_progression_over_30pct": pl.col("weekly_progression") > PROGRESSION_THRESHOLD,
    "spike_over_10pct_in_7d": pl.col("spike_ratio_max_7d") > SPIKE_EDGES[0],
}
"""The single rules: ACWR (Gabbett's sweet spot edge), Nielsen 2014's progression, a run in
the last 7 days more than 10 % longer than the longest of the 30 days before it (Frandsen)."""
ORACLES = ("oracle_today", "oracle_14d")
AUC_SHARE_OF_ORACLE = 0.95
SLOPE_RANGE = (0.8, 1.25)
RULE_MARGIN = 0.03
DECISION_THRESHOLDS = tuple(round(0.002 + 0.001 * i, 3) for i in range(19))
"""Threshold probabilities of the decision curve: 0.2 % to 2 % over 14 days."""


def rule_flags(days: pl.DataFrame) -> dict[str, np.ndarray]:
    """Each rule's yes/no per athlete-day (unknown inputs: no)."""
    flags = days.select(rule.fill_null(value=False).alias(name) for name, rule in RULES.items())
    return {name: flags[name].to_numpy() for name in RULES}


def oracle_probabilities(
    days: pl.DataFrame, truth: pl.DataFrame, horizon: int
) -> dict[str, np.ndarray]:
    """Each oracle per athlete-day of `days` (NaN where the truth has no value). A truth
    written before the simulator kept its oracles gives `oracle_today` from its hazard."""
    today = (1 - (-horizon * pl.col("hazard")).exp()).alias("oracle_today")
    columns = [pl.col(name) for name in ORACLES if name in truth.columns and horizon == 14]
    if not columns:
        columns = [today]
    joined = days.select("athlete_id", "local_date").join(
        truth.select("athlete_id", *columns, local_date="date"),
        on=["athlete_id", "local_date"],
        how="left",
        maintain_order="left",
    )
    return {name: joined[name].fill_null(np.nan).to_numpy() for name in ORACLES if name in joined}


def _scored(days: pl.DataFrame, s: Scores, threshold: float) -> dict[str, float]:
    return (
        ranking(s.y, s.p)
        | calibration(s.y, s.p)
        | alerting(days, s.p >= threshold)
        | {"net_benefit": s.net_benefit(np.ones(len(s.y)), threshold)}
    )


def _with_intervals(days: pl.DataFrame, s: Scores, threshold: float) -> dict[str, list[float]]:
    """95 % intervals (athletes resampled) of the metrics a verdict rests on."""
    metrics = {
        "roc_auc": s.roc_auc,
        "pr_auc": s.pr_auc,
        "brier": s.brier,
        "calibration_slope": s.calibration_slope,
        "calibration_intercept": s.calibration_intercept,
        "ece": s.ece,
        "net_benefit": lambda w: s.net_benefit(w, threshold),
    }
    found = intervals(days["athlete_id"].to_numpy(), metrics)
    return {f"{name}_ci": bounds for name, bounds in found.items()}


def evaluation_report(
    days: pl.DataFrame,
    probability: np.ndarray,
    models: dict[str, np.ndarray],
    threshold: float,
    truth: pl.DataFrame | None = None,
    horizon: int = 14,
    injuries: pl.DataFrame | None = None,
    roster: pl.DataFrame | None = None,
    true_ratios: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Every metric of the model, the other `models`' probabilities (a "logistic" among them),
    the rules and (with `truth`) the oracles, on labelled athlete-days
    (`stridewise.models.labels.examples`), alerting at `threshold`."""
    back = (
        returning(days, injuries).to_numpy()
        if injuries is not None
        else np.zeros(days.height, dtype=bool)
    )
    head = days.filter(pl.Series(~back))
    if injuries is not None:  # the pattern of the onset a positive day warns of
        regions = injuries.select("athlete_id", next_onset="onset_date", next_region="region")
        head = head.join(
            regions.unique(["athlete_id", "next_onset"]),
            on=["athlete_id", "next_onset"],
            how="left",
            maintain_order="left",
        )
    y, p = head["label"].to_numpy(), probability[~back]
    timing = random_timing_sensitivity(head, p >= threshold)
    others = {name: Scores.of(y, values[~back]) for name, values in models.items()}
    model = Scores.of(y, p)
    report: dict[str, Any] = {
        "n_athletes": head["athlete_id"].n_unique(),
        "n_athlete_days": head.height,
        "n_events": count_onsets(head),
        "positive_rate": float(y.mean()),
        "horizon_days": horizon,
        "alert_threshold": threshold,
        **_scored(head, model, threshold),
        **_with_intervals(head, model, threshold),
        "net_benefit_treat_all": treat_all_net_benefit(y, threshold),
        "sensitivity_random_timing": float(np.mean(timing)),
        "sensitivity_random_timing_ci": [float(v) for v in np.percentile(timing, [2.5, 97.5])],
        "within_athlete_roc_auc": within_athlete_roc_auc(head, p),
        "decision_curve": _decision_curve(model, others["logistic"]),
        "reliability": _reliability(y, p),
    }
    baselines = {
        name: _scored(head, scores, threshold)
        | {"within_athlete_roc_auc": within_athlete_roc_auc(head, scores.p)}
        for name, scores in others.items()
    }
    for name, flag in rule_flags(head).items():
        baselines[name] = ranking(y, flag.astype(float)) | alerting(head, flag)
    report["baselines"] = baselines
    oracles = oracle_probabilities(head, truth, horizon) if truth is not None else {}
    report["oracles"] = {name: _oracle(head, y, p, o, threshold) for name, o in oracles.items()}
    for name, result in report["oracles"].items():
        report[f"{name}_roc_auc"] = result["roc_auc"]
        report[f"{name}_roc_auc_ci"] = result["roc_auc_ci"]
    if "oracle_today" in report["oracles"]:
        report["oracle_roc_auc"] = report["oracle_today_roc_auc"]  # the key's old meaning
    report["subgroups"] = _subgroups(head, y, p, oracles, roster)
    report["returning"] = _returning(days.filter(pl.Series(back)), probability[back], threshold)
    if true_ratios is not None:
        report["hazard_ratios"] = recovered_ratios(head, true_ratios)
    report["bar"] = _bar(report)
    return report


def recovered_ratios(days: pl.DataFrame, true: dict[str, float]) -> dict[str, dict[str, Any]]:
    """The hazard refitted on `days`, each factor's ratio and 95 % interval against the true
    one, and whether the interval holds it."""
    days_x, event = input_matrix(days), onset_tomorrow(days).to_numpy()
    fitted = fit_hazard(days_x, event, directed=False).hazard_ratios()
    return {
        name: fit | {"true": true[name], "within": fit["ci"][0] <= true[name] <= fit["ci"][1]}
        for name, fit in fitted.items()
        if name in true
    }


def _oracle(
    days: pl.DataFrame, y: np.ndarray, p: np.ndarray, oracle: np.ndarray, threshold: float
) -> dict[str, Any]:
    known = ~np.isnan(oracle)
    rows = days.filter(pl.Series(known))
    scores = Scores.of(y[known], oracle[known])
    ci = intervals(rows["athlete_id"].to_numpy(), {"auc": scores.roc_auc})["auc"]
    return {
        "n_athlete_days": int(known.sum()),
        "model_roc_auc_same_days": ranking(y[known], p[known])["roc_auc"],
        **_scored(rows, scores, threshold),
        "roc_auc_ci": ci,
        "within_athlete_roc_auc": within_athlete_roc_auc(rows, oracle[known]),
    }


def _decision_curve(model: Scores, logistic: Scores) -> list[dict[str, float]]:
    """Net benefit of acting on alerts at each threshold, against alerting on every day."""
    ones = np.ones(len(model.y))
    return [
        {
            "threshold": t,
            "model": model.net_benefit(ones, t),
            "logistic": logistic.net_benefit(ones, t),
            "treat_all": treat_all_net_benefit(model.y, t),
        }
        for t in DECISION_THRESHOLDS
    ]


def _reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Mean probability against the observed rate in equal-count bins of the scores."""
    return [
        {"predicted": said, "observed": seen, "n": int(n)}
        for n, seen, said in calibration_bins(y, p, bins)
    ]


def _subgroups(
    days: pl.DataFrame,
    y: np.ndarray,
    p: np.ndarray,
    oracles: dict[str, np.ndarray],
    roster: pl.DataFrame | None,
) -> dict[str, dict[str, Any]]:
    """Ranking within groups of athletes (sensor, sex) and of onsets (pattern): a model must
    not do well on average and badly on some of them."""
    strap = days.select(
        pl.col("gct_balance_left_pct").is_not_null().any().over("athlete_id")
    ).to_series()
    groups = {"running_dynamics": strap.to_numpy(), "no_running_dynamics": ~strap.to_numpy()}
    if roster is not None and "sex" in roster.columns:
        sex = days.select("athlete_id").join(
            roster.select("athlete_id", "sex"), on="athlete_id", how="left", maintain_order="left"
        )["sex"]
        for value in ("female", "male"):
            groups[f"sex_{value}"] = (sex == value).fill_null(value=False).to_numpy()
    if "next_region" in days.columns:
        for region in ("lateral_hip", "anterior_hip"):  # its positive days against all negatives
            warned = ~days["label"] | (days["next_region"] == region)
            groups[f"pattern_{region}"] = warned.fill_null(value=False).to_numpy()
    out = {}
    for name, rows in groups.items():
        if not y[rows].any() or y[rows].all():
            continue
        group: dict[str, Any] = {
            "n_athlete_days": int(rows.sum()),
            "n_events": count_onsets(days.filter(pl.Series(rows))),
            "roc_auc": ranking(y[rows], p[rows])["roc_auc"],
        }
        for oracle, values in oracles.items():
            if not np.isnan(values[rows]).any():
                group[f"{oracle}_roc_auc"] = ranking(y[rows], values[rows])["roc_auc"]
        out[name] = group
    return out


def _returning(days: pl.DataFrame, p: np.ndarray, threshold: float) -> dict[str, Any]:
    """The days of a return after an injury, reported apart from the headline."""
    result: dict[str, Any] = {
        "n_athlete_days": days.height,
        "alert_day_share": float((p >= threshold).mean()) if days.height else float("nan"),
    }
    y = days["label"].to_numpy()
    if y.any() and not y.all():
        result["roc_auc"] = ranking(y, p)["roc_auc"]
        result["n_events"] = count_onsets(days)
    return result


def _bar(report: dict[str, Any]) -> dict[str, Any]:
    """The honest-model issue's bar, each part a yes or no, on the headline days."""
    rules = {name: report["baselines"][name]["roc_auc"] for name in RULES}
    low, high = SLOPE_RANGE
    checks: dict[str, Any] = {
        "beats_every_rule_by_0.03": all(
            report["roc_auc"] >= auc + RULE_MARGIN for auc in rules.values()
        ),
        "calibration_slope_in_range": low <= report["calibration_slope"] <= high,
        "net_benefit_positive_and_above_treat_all": report["net_benefit"]
        > max(0.0, report["net_benefit_treat_all"]),
        "sensitivity_above_random_timing": report["sensitivity"]
        > report["sensitivity_random_timing_ci"][1],
    }
    oracles = report["oracles"]
    if "oracle_today" in oracles:
        today = oracles["oracle_today"]
        share = today["model_roc_auc_same_days"] / today["roc_auc"]
        checks["share_of_oracle_today_auc"] = share
        checks["near_oracle_today"] = share >= AUC_SHARE_OF_ORACLE
    if "oracle_14d" in oracles:
        ahead = oracles["oracle_14d"]
        leak = ahead["model_roc_auc_same_days"] > ahead["roc_auc_ci"][1]
        checks["above_oracle_14d_interval"] = leak
        checks["no_leak"] = not leak
    checks["met"] = all(
        v for k, v in checks.items() if isinstance(v, bool) and k != "above_oracle_14d_interval"
    )
    return checks
