"""An athlete's 12-week charts as Plotly figures (plain dicts, drawn by plotly.js in the
browser): daily km with spikes marked, acute against chronic load, cadence at pace against its
baseline, GCT balance on Garmin's colour bands, and the risk history with the alert line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import polars as pl

from stridewise.dashboard.team import BALANCE_BANDS
from stridewise.features.daily import SPIKE_BINS

WEEKS = 12
CHART_COLUMNS = (
    "local_date",
    "distance_km",
    "spike_ratio",
    "spike_bin",
    "km_7d",
    "km_28d",
    "acwr",
    "cadence_at_ref_spm",
    "cadence_baseline_spm",
    "gct_balance_left_pct",
)
"""The athlete-day columns the charts draw."""

INK, MUTED, INJURY_COLOUR = "#1d2330", "#8a93a6", "#6a1b9a"
ACWR_AXIS = (0.0, 3.0)
"""The ratio's axis: after a layoff it can reach 10 and flatten everything else."""
MIN_CHRONIC_KM_PER_WEEK = 5.0
"""Below this average week before, the ratio divides by almost nothing: not drawn."""
BAND_COLOURS = {"green": "#2e7d32", "orange": "#ef6c00", "red": "#c62828"}
SPIKE_COLOURS = dict(zip(SPIKE_BINS[1:], ("#f9a825", "#ef6c00", "#c62828"), strict=True))
"""Spikes over 10 % (Frandsen et al. 2025's three bins), paler to darker."""


def window(days: pl.DataFrame, weeks: int = WEEKS) -> pl.DataFrame:
    """The last `weeks` weeks of one athlete's days, oldest first."""
    if days.is_empty():
        return days
    last = days["local_date"].max()
    start = last - timedelta(days=7 * weeks - 1)
    return days.filter(pl.col("local_date") >= start).sort("local_date")


def athlete_figures(
    days: pl.DataFrame,
    alert: float,
    moderate: float,
    usual: float | None = None,
    injuries: Sequence[tuple[date, date]] = (),
) -> list[dict[str, Any]]:
    """The five charts of an athlete's page (`days`: their window of athlete-days with the
    model's `probability` on each; `alert` and `moderate`: the tier lines; `usual`: the
    average athlete-day's risk, the yardstick of every probability; `injuries`: the onset and
    the last day lost of each logged injury, shaded on every chart)."""
    if days.is_empty():
        return []
    span = (days["local_date"].min(), days["local_date"].max())
    figures = [
        daily_km(days, span),
        acute_chronic(days, span),
        cadence(days, span),
        gct_balance(days, span),
        risk_history(days, span, alert, moderate, usual),
    ]
    marks = injury_marks(injuries, span)
    for figure in figures:
        figure["layout"]["shapes"] = [*figure["layout"].get("shapes", []), *marks]
    return figures


def injury_marks(
    injuries: Sequence[tuple[date, date]], span: tuple[date, date]
) -> list[dict[str, Any]]:
    """A shaded stretch from each logged injury's onset to its last day lost, labelled."""
    return [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": onset.isoformat(),
            "x1": (back + timedelta(1)).isoformat(),
            "y0": 0,
            "y1": 1,
            "fillcolor": INJURY_COLOUR,
            "opacity": 0.15,
            "line": {"width": 0},
            "layer": "below",
            "label": {"text": "injury", "textposition": "top left", "font": {"size": 10}},
        }
        for onset, back in injuries
        if onset <= span[1] and back >= span[0]
    ]


def _dates(frame: pl.DataFrame) -> list[str]:
    return [d.isoformat() for d in frame["local_date"]]


def _line(frame: pl.DataFrame, column: str, name: str, **style: Any) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "lines+markers" if style.pop("markers", False) else "lines",
        "name": name,
        "x": _dates(frame),
        "y": frame[column].to_list(),
        "connectgaps": False,
        **style,
    }


def _figure(
    title: str, span: tuple[date, date], traces: list[dict[str, Any]], y_title: str, **layout: Any
) -> dict[str, Any]:
    return {
        "id": title.lower().replace(" ", "-").replace(",", ""),
        "data": traces,
        "layout": {
            "title": {"text": title, "x": 0, "font": {"size": 15}},
            "height": 250,
            "margin": {"l": 50, "r": 20, "t": 40, "b": 30},
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.2},
            "xaxis": {"type": "date", "range": [d.isoformat() for d in span]},
            "yaxis": {"title": {"text": y_title}, **layout.pop("yaxis", {})},
            "font": {"family": "system-ui, sans-serif", "color": INK},
            **layout,
        },
    }


def daily_km(days: pl.DataFrame, span: tuple[date, date]) -> dict[str, Any]:
    """Bars of each day's km; a marker on each run longer than 110 % of the longest of the
    30 days before it, coloured by Frandsen's bins."""
    bars = {
        "type": "bar",
        "name": "km",
        "x": _dates(days),
        "y": days["distance_km"].fill_null(0).to_list(),
        "marker": {"color": MUTED},
    }
    traces = [bars]
    for spike_bin, colour in SPIKE_COLOURS.items():
        spiked = days.filter(pl.col("spike_bin") == spike_bin)
        if spiked.is_empty():
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"spike {spike_bin}",
                "x": _dates(spiked),
                "y": spiked["distance_km"].to_list(),
                "text": [
                    f"longest run {r:+.0%} over the 30 days before" for r in spiked["spike_ratio"]
                ],
                "marker": {"color": colour, "size": 11, "symbol": "triangle-down"},
            }
        )
    return _figure("Daily km", span, traces, "km")


def acute_chronic(days: pl.DataFrame, span: tuple[date, date]) -> dict[str, Any]:
    """The last 7 days' km against the average week of the 21 days before (the uncoupled
    chronic load the ACWR divides by), and the ratio on its own axis."""
    chronic = days.with_columns(
        chronic_week_km=(pl.col("km_28d") - pl.col("km_7d")) / 3
    ).with_columns(
        acwr=pl.when(pl.col("chronic_week_km") >= MIN_CHRONIC_KM_PER_WEEK).then(pl.col("acwr"))
    )
    traces = [
        _line(days, "km_7d", "acute: last 7 days", line={"color": INK}),
        _line(chronic, "chronic_week_km", "chronic: average week before", line={"color": MUTED}),
        _line(chronic, "acwr", "ACWR", yaxis="y2", line={"color": "#5c6bc0", "dash": "dot"}),
    ]
    ratio_axis = {
        "overlaying": "y",
        "side": "right",
        "title": {"text": "ACWR"},
        "range": list(ACWR_AXIS),
    }
    return _figure("Acute and chronic load", span, traces, "km per week", yaxis2=ratio_axis)


def cadence(days: pl.DataFrame, span: tuple[date, date]) -> dict[str, Any]:
    """Cadence at the athlete's easy pace on each run day, against their 60-day baseline."""
    traces = [
        _line(days, "cadence_at_ref_spm", "at easy pace", markers=True, line={"color": INK}),
        _line(days, "cadence_baseline_spm", "baseline", line={"color": MUTED, "dash": "dash"}),
    ]
    return _figure("Cadence at pace", span, traces, "steps/min")


def gct_balance(days: pl.DataFrame, span: tuple[date, date]) -> dict[str, Any]:
    """Left share of ground contact time on Garmin's bands: green within 0.7 points of 50 %,
    orange to 2.2, red beyond."""
    (green, _), (orange, _) = BALANCE_BANDS
    edges = ((0.0, green, "green"), (green, orange, "orange"), (orange, 5.0, "red"))
    shapes = [
        {
            "type": "rect",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": 50 + sign * low,
            "y1": 50 + sign * high,
            "fillcolor": BAND_COLOURS[band],
            "opacity": 0.12,
            "line": {"width": 0},
            "layer": "below",
        }
        for low, high, band in edges
        for sign in (-1, 1)
    ]
    trace = _line(days, "gct_balance_left_pct", "left %", markers=True, line={"color": INK})
    legend = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": name,
            "x": [None],
            "y": [None],
            "marker": {"color": BAND_COLOURS[band], "symbol": "square", "size": 10},
        }
        for band, name in (
            ("green", f"green: within {green} of 50 %"),
            ("orange", f"orange: {green}-{orange}"),
            ("red", f"red: over {orange}"),
        )
    ]
    return _figure(
        "GCT balance", span, [trace, *legend], "% left", shapes=shapes, yaxis={"range": [45, 55]}
    )


def risk_history(
    days: pl.DataFrame,
    span: tuple[date, date],
    alert: float,
    moderate: float,
    usual: float | None = None,
) -> dict[str, Any]:
    """The 14-day probability on each day, with the moderate and high (alert) lines and the
    usual risk (each tier's line says how many times the usual it is)."""
    percent = days.with_columns(pl.col("probability") * 100)

    def times(level: float) -> str:
        return f" ({level / usual:.1f} x usual)" if usual else ""

    lines = [
        (alert, "high: alert" + times(alert), BAND_COLOURS["red"], "dash", "end"),
        (moderate, "moderate" + times(moderate), "#f9a825", "dash", "middle"),
    ]
    if usual:  # three lines close together: labels at the right, the middle and the left
        lines.append((usual, f"usual {usual:.2%}", MUTED, "dot", "start"))
    shapes = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": level * 100,
            "y1": level * 100,
            "line": {"color": colour, "dash": dash, "width": 1.5},
            "label": {"text": name, "textposition": side, "font": {"size": 11}},
        }
        for level, name, colour, dash, side in lines
    ]
    trace = _line(percent, "probability", "risk", line={"color": INK})
    return _figure(
        "Risk history", span, [trace], "% in 14 days", shapes=shapes, yaxis={"rangemode": "tozero"}
    )
