"""The model card: what a model was trained on, how well it did, what it is for and not for."""

from __future__ import annotations

from typing import Any

from stridewise.models.inputs import INPUTS

_DIRECTIONS = {1: "raises risk", -1: "lowers risk"}
_LIMITS = """\
- Trained on simulated athletes whose injuries follow published hazard ratios (docs/simulator.md);
  on real athletes its ranking and calibration are unknown until it is evaluated on a real
  injury log (`stridewise evaluate DATA`) and retrained on it (`stridewise train`).
- Hip overuse injuries are rare and weakly predictable: even the simulator's true hazard ranks
  the days before an onset only modestly above the others. Most high scores are not followed
  by an injury; a low score is no clearance.
- It sees only recorded files: runs without the watch, strength work and life stress are
  invisible to it. Scores in the first 4 weeks of an athlete's history, with low coverage, on
  a treadmill or without a running-dynamics sensor carry a caveat.
- Not a diagnostic device and not medical advice; pain that persists needs a clinician."""


def _row(name: str, m: dict[str, Any]) -> str:
    def cell(key: str) -> str:
        value = m.get(key)
        return "—" if value is None else f"{value:.3g}"

    keys = ("roc_auc", "pr_auc", "brier", "calibration_slope", "ece", "sensitivity")
    alerts = m.get("alerts_per_athlete_month")
    return (
        f"| {name} | "
        + " | ".join(cell(k) for k in keys)
        + f" | {'—' if alerts is None else f'{alerts:.2f}'} |"
    )


def metrics_table(report: dict[str, Any]) -> list[str]:
    lines = [
        "| score | ROC-AUC | PR-AUC | Brier | calibration slope | ECE | sensitivity "
        "| alerts / athlete / month |",
        "|---|---|---|---|---|---|---|---|",
        _row("**this model**", report),
    ]
    if "oracle" in report:
        lines.append(_row("oracle (true hazard)", report["oracle"]))
    lines += [_row(name, m) for name, m in report["baselines"].items()]
    return lines


def _subgroups(report: dict[str, Any]) -> list[str]:
    """One line per sensor group: the model's ranking next to the oracle's."""
    names = {"running_dynamics": "with", "no_running_dynamics": "without"}
    lines = []
    for key, group in report.get("subgroups", {}).items():
        oracle = group.get("oracle_roc_auc")
        against = f" (oracle {oracle:.3f})" if oracle is not None else ""
        lines.append(
            f"- Athletes {names[key]} a running-dynamics sensor: {group['n_events']} onsets, "
            f"ROC-AUC {group['roc_auc']:.3f}{against}."
        )
    return [*lines, ""] if lines else []


def model_card(meta: dict[str, Any], metrics: dict[str, Any]) -> str:
    """Markdown for `model_card.md`."""
    trained = meta["trained_on"]
    validation = trained["validation"]
    lines = [
        f"# stridewise hip-overuse risk model {meta['version']}",
        "",
        "## What it predicts",
        f"The probability that a hip overuse injury (IT-band syndrome, gluteal tendinopathy, "
        f"hip-flexor tendinopathy, labral irritation) starts within the next "
        f"{meta['horizon_days']} days, from an athlete's recorded runs up to today. Gradient-"
        "boosted trees with monotonic constraints where the evidence gives a direction, "
        "Platt-calibrated on athletes the trees never saw (models/risk.py).",
        "",
        "## Inputs",
        "| input | direction |",
        "|---|---|",
        *(f"| `{i.name}` | {_DIRECTIONS[i.direction]} |" for i in INPUTS),
        "",
        "## Training data",
        f"{trained['n_athletes']} athletes, {trained['n_athlete_days']:,} labelled athlete-days "
        f"({trained['first_day']} to {trained['last_day']}), {trained['n_events']} injury "
        f"onsets; {trained['calibration_athletes']} athletes held out for calibration. Days "
        "while injured and the last horizon of days (future unknown) are not examples.",
        "",
        "## Validation (athlete-grouped, time-respecting)",
        f"{validation['split']}: {validation['n_athlete_days']:,} athlete-days, "
        f"{validation['n_positive_days']} positive. ROC-AUC {validation['roc_auc']:.3f}, "
        f"PR-AUC {validation['pr_auc']:.4f}, Brier {validation['brier']:.5f}, calibration "
        f"slope {validation['calibration_slope']:.2f}, ECE {validation['ece']:.5f}.",
    ]
    held_out = metrics.get("held_out")
    if held_out:
        bar = held_out["bar"]
        share = bar.get("share_of_oracle_auc", float("nan"))
        verdict = "met" if bar["met"] else "NOT met"
        lines += [
            "",
            "## Held-out cohort",
            f"{held_out['n_athletes']} athletes never seen in training (another simulation "
            f"seed), {held_out['n_athlete_days']:,} athlete-days, {held_out['n_events']} "
            f"onsets; alerts at probability >= {held_out['alert_threshold']:.3f} (the high tier).",
            "",
            *metrics_table(held_out),
            "",
            *_subgroups(held_out),
            f"Bar: ROC-AUC >= 0.9 x the oracle's ({share:.2f} x), above every single rule "
            f"({bar['beats_every_rule']}), calibration slope in 0.8-1.2 "
            f"({bar['calibration_slope_in_range']}): **{verdict}**.",
        ]
    comparison = metrics.get("comparison")
    if comparison:
        verdict = "registered" if comparison["registered"] else "NOT registered (worse)"
        lines += [
            "",
            "## Against the model in use",
            f"Both scored on {comparison['n_athletes']} athletes set aside from every retraining "
            f"({comparison['n_athlete_days']:,} athlete-days, {comparison['n_events']} onsets). "
            f"ROC-AUC {comparison['candidate']['roc_auc']:.3f} vs "
            f"{comparison['current']['roc_auc']:.3f} ({comparison['current_version']}), Brier "
            f"{comparison['candidate']['brier']:.5f} vs {comparison['current']['brier']:.5f}: "
            f"**{verdict}**.",
        ]
    lines += [
        "",
        "## Intended use",
        "Ranking which athletes of a team to look at today, and a starting point for a "
        "conversation about rest and warm-ups. A coach decides.",
        "",
        "## Limits",
        _LIMITS,
        "",
    ]
    return "\n".join(lines)
