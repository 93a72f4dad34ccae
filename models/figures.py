"""The evaluation's two pictures, as PNG bytes: a reliability diagram and a decision curve.

matplotlib with its file-only backend (no screen, no fonts fetched); imported only by
`evaluate` and `train`, never by `score`.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

INK, ACCENT, GREY = "#1f2933", "#c2410c", "#9aa5b1"


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def reliability_diagram(report: dict[str, Any]) -> bytes:
    """Observed onset rate against the mean probability, per tenth of the athlete-days."""
    bins = report["reliability"]
    predicted = [100 * b["predicted"] for b in bins]
    observed = [100 * b["observed"] for b in bins]
    top = max(*predicted, *observed) * 1.1
    figure, axes = plt.subplots(figsize=(4.8, 4.2))
    axes.plot([0, top], [0, top], color=GREY, linestyle="--", label="perfect calibration")
    axes.plot(predicted, observed, marker="o", color=ACCENT, label="this model (tenths of days)")
    axes.set(
        xlim=(0, top),
        ylim=(0, top),
        xlabel="predicted 14-day risk (%)",
        ylabel="observed share of days before an onset (%)",
        title=f"Reliability: slope {report['calibration_slope']:.2f}",
    )
    axes.legend(loc="upper left", frameon=False)
    return _png(figure)


def decision_curve(report: dict[str, Any]) -> bytes:
    """Net benefit of acting on the alerts, per threshold probability, against alerting on
    every day and on none."""
    curve = report["decision_curve"]
    thresholds = [100 * c["threshold"] for c in curve]
    scale = 10_000  # net benefit per 10,000 athlete-days: true alerts net of false ones
    figure, axes = plt.subplots(figsize=(5.6, 4.2))
    axes.plot(thresholds, [scale * c["model"] for c in curve], color=ACCENT, label="this model")
    axes.plot(
        thresholds, [scale * c["logistic"] for c in curve], color=INK, linestyle=":",
        label="logistic regression",
    )  # fmt: skip
    every = [scale * c["treat_all"] for c in curve]
    axes.plot(thresholds, every, color=GREY, label="alert on every day")
    axes.axhline(0, color=INK, linewidth=0.8, label="alert on none")
    axes.axvline(100 * report["alert_threshold"], color=GREY, linestyle="--", linewidth=0.8)
    low = min(scale * c["model"] for c in curve)
    axes.set(
        ylim=(min(low, 0) * 1.5 - 1, max(scale * c["model"] for c in curve) * 1.5 + 1),
        xlabel="threshold probability over 14 days (%); dashed: the alert line",
        ylabel="net benefit per 10,000 athlete-days",
        title="Decision curve",
    )
    axes.legend(frameon=False)
    return _png(figure)
