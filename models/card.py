"""The model card: what a model was trained on, how well it did, what it is for and not for."""

from __future__ import annotations

from typing import Any

from stridewise.models.factors import FACTORS

_LIMITS = """\
- Trained on simulated athletes whose injuries follow published hazard ratios (docs/simulator.md);
  on real athletes its ranking and calibration are unknown until it is evaluated on a real
  injury log (`stridewise evaluate DATA`) and retrained on it (`stridewise train`).
- Hip overuse injuries are rare and weakly predictable: even the simulator's true hazard ranks
  the days before an onset only modestly above the others. On simulated athletes whose data
  leak nothing of the future this model ranks only a little above chance, its alerts do not
  beat the same alerts at random times, and its probabilities are too extreme (the held-out
  section): a ranking aid for a conversation, not a forecast. Most high scores are not
  followed by an injury; a low score is no clearance.
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
    names = {
        "oracle_today": "oracle: today's true hazard",
        "oracle_14d": "oracle: the 14 days ahead",
    }
    lines += [_row(names[name], m) for name, m in report.get("oracles", {}).items()]
    lines += [_row(name, m) for name, m in report["baselines"].items()]
    return lines


def _ci(report: dict[str, Any], key: str, digits: int = 3) -> str:
    low, high = report[f"{key}_ci"]
    return f"{report[key]:.{digits}f} ({low:.{digits}f} to {high:.{digits}f})"


def headline(report: dict[str, Any]) -> list[str]:
    """The figures a verdict rests on, each with its 95 % interval (athletes resampled)."""
    lines = [
        f"- ROC-AUC {_ci(report, 'roc_auc')}; PR-AUC {_ci(report, 'pr_auc', 4)}; Brier "
        f"{_ci(report, 'brier', 5)}.",
        f"- Calibration: slope {_ci(report, 'calibration_slope', 2)}, intercept "
        f"{_ci(report, 'calibration_intercept', 2)}, ECE {_ci(report, 'ece', 5)}.",
    ]
    for name, oracle in report.get("oracles", {}).items():
        low, high = oracle["roc_auc_ci"]
        lines.append(
            f"- `{name}` ROC-AUC {oracle['roc_auc']:.3f} ({low:.3f} to {high:.3f}); the model "
            f"on the same days {oracle['model_roc_auc_same_days']:.3f}."
        )
    low, high = report["sensitivity_random_timing_ci"]
    nb_low, nb_high = report["net_benefit_ci"]
    lines += [
        f"- At the alert line ({100 * report['alert_threshold']:.2f} % over 14 days): "
        f"sensitivity {report['sensitivity']:.2f} against "
        f"{report['sensitivity_random_timing']:.2f} ({low:.2f} to {high:.2f}) with the same "
        "alerts at random times; "
        f"{report['alerts_per_athlete_month']:.2f} alerts per athlete per month; net benefit "
        f"{10_000 * report['net_benefit']:.1f} ({10_000 * nb_low:.1f} to {10_000 * nb_high:.1f}) "
        f"per 10,000 athlete-days, alerting on every day "
        f"{10_000 * report['net_benefit_treat_all']:.1f}.",
        f"- Within each athlete's own days: ROC-AUC {report['within_athlete_roc_auc']:.3f}"
        + "".join(
            f", `{name}` {o['within_athlete_roc_auc']:.3f}"
            for name, o in report.get("oracles", {}).items()
        )
        + ".",
    ]
    back = report.get("returning", {})
    if back.get("n_athlete_days"):
        lines.append(
            f"- Left out above: {back['n_athlete_days']:,} days of returns after an injury, "
            f"alerted on {100 * back['alert_day_share']:.0f} % of them."
        )
    return lines


def _subgroups(report: dict[str, Any]) -> list[str]:
    """One line per group of athletes or onsets: the model's ranking next to the oracles'."""
    lines = []
    for key, group in report.get("subgroups", {}).items():
        oracles = "".join(
            f", {name} {group[f'{name}_roc_auc']:.3f}"
            for name in ("oracle_today", "oracle_14d")
            if f"{name}_roc_auc" in group
        )
        lines.append(
            f"- {key.replace('_', ' ')}: {group['n_events']} onsets, ROC-AUC "
            f"{group['roc_auc']:.3f}{oracles}."
        )
    return [*lines, ""] if lines else []


def ratios_table(ratios: dict[str, dict[str, Any]], true: dict[str, float] | None) -> list[str]:
    """Each factor's hazard ratio with its 95 % interval, next to the true one where known
    (a simulated world's)."""
    extra = (" simulated | within |", "---|---|") if true else ("", "")
    lines = [f"| factor | input | hazard ratio (95 % CI) |{extra[0]}", f"|---|---|---|{extra[1]}"]
    for f in (f for f in FACTORS if f.name in ratios):
        ratio, (low, high) = ratios[f.name]["hazard_ratio"], ratios[f.name]["ci"]
        row = f"| {f.unit} | `{f.input}` | {ratio:.2f} ({low:.2f} to {high:.2f}) |"
        if true:
            row += f" {true[f.name]:.2f} | {'yes' if low <= true[f.name] <= high else '**no**'} |"
        lines.append(row)
    return lines


def bar_verdict(bar: dict[str, Any]) -> str:
    """The bar's parts in words, and whether all of them hold."""
    parts = ", ".join(
        f"{name.replace('_', ' ')}: {'yes' if value else 'no'}"
        for name, value in bar.items()
        if isinstance(value, bool) and name != "met"
    )
    share = bar.get("share_of_oracle_today_auc")
    share_text = f" (model / oracle_today ROC-AUC {share:.2f})" if share is not None else ""
    return f"{parts}{share_text}: **{'met' if bar['met'] else 'NOT met'}**."


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
        f"{meta['horizon_days']} days, from an athlete's recorded runs up to today. A "
        "discrete-time hazard: a Poisson GLM of an onset tomorrow on the cut points the "
        "studies used, each ratio held at 1 or above (the evidence's direction), turned into "
        f"the {meta['horizon_days']}-day risk as if today's state held, and calibrated on "
        "athletes the hazard was not fitted on (models/risk.py).",
        "",
        "## Hazard ratios",
        "Fitted on the training athletes (95 % Wald intervals from the Fisher information; a "
        "ratio at exactly 1.00 is held at the evidence's direction)"
        + (", next to the simulated world's." if trained.get("simulated_hazard_ratios") else "."),
        "",
        *ratios_table(trained["hazard_ratios"], trained.get("simulated_hazard_ratios")),
        "",
        "## Training data",
        f"{trained['n_athletes']} athletes, {trained['n_athlete_days']:,} labelled athlete-days "
        f"({trained['first_day']} to {trained['last_day']}), {trained['n_events']} injury "
        f"onsets; calibrated on the {trained['calibration']}. Days "
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
        lines += [
            "",
            "## Held-out cohort",
            f"{held_out['n_athletes']} athletes never seen in training (another simulation "
            f"seed), {held_out['n_athlete_days']:,} athlete-days, {held_out['n_events']} "
            f"onsets; alerts at probability >= {held_out['alert_threshold']:.3f} (the high tier).",
            "",
            *headline(held_out),
            "",
            *metrics_table(held_out),
            "",
            *_subgroups(held_out),
            "![Reliability diagram](reliability.png) ![Decision curve](decision_curve.png)",
            "",
            f"Bar: {bar_verdict(held_out['bar'])}",
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
