"""Why a score is what it is, in plain words, and when not to trust it.

A driver is an input that, put back to the athlete's own usual value (the median of their
previous 60 days; the training cohort's median for a new athlete), lowers today's probability
the most. That is the model's own answer to the coach's question "what is different today?",
and each is worded with today's numbers next to the athlete's usual ones.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from stridewise.models.bundle import Model
from stridewise.models.inputs import INPUTS, Pattern, input_matrix
from stridewise.models.rules import Caveats

BASELINE_DAYS = 60
TOP_DRIVERS = 3
MIN_EFFECT_SHARE = 0.05
"""A driver must explain at least this share of today's probability."""


@dataclass(frozen=True)
class Driver:
    name: str
    pattern: Pattern
    effect: float
    """Probability points today's value adds over the athlete's usual one."""
    text: str


def usual_values(x: np.ndarray, model: Model) -> tuple[np.ndarray, np.ndarray]:
    """Per input, the median of the rows before the last (the previous BASELINE_DAYS days), or
    the model's reference where the athlete has none; and whether it is the athlete's own."""
    before = x[-BASELINE_DAYS - 1 : -1]
    reference = np.array([model.reference.get(i.name, np.nan) for i in INPUTS])
    if not len(before):
        return reference, np.zeros(len(INPUTS), dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: no usual value
        usual = np.nanmedian(before, axis=0)
    own = ~np.isnan(usual)
    return np.where(own, usual, reference), own


def drivers(history: pl.DataFrame, model: Model) -> list[Driver]:
    """The top drivers of the last day of one athlete's days (sorted by date, with
    `previous_injury`), largest effect first."""
    x = input_matrix(history)
    (today, (usual, own)) = x[-1], usual_values(x, model)
    candidates = [i for i in range(len(INPUTS)) if not np.isnan(today[i] + usual[i])]
    counterfactual = np.repeat(today[None, :], len(candidates) + 1, axis=0)
    for row, i in enumerate(candidates, start=1):
        counterfactual[row, i] = usual[i]
    p = model.probability(counterfactual)
    effects = p[0] - p[1:]
    recent = history.tail(7)
    found = [
        Driver(
            INPUTS[i].name,
            INPUTS[i].pattern,
            float(effect),
            phrase(INPUTS[i].name, recent, float(usual[i]), USUALLY[bool(own[i])]),
        )
        for i, effect in zip(candidates, effects, strict=True)
        if effect > MIN_EFFECT_SHARE * p[0]
    ]
    return sorted(found, key=lambda d: -d.effect)[:TOP_DRIVERS]


def caveats(history: pl.DataFrame, rules: Caveats, single_file: bool = False) -> list[str]:
    """When the score should not be trusted, in words."""
    today = history.row(-1, named=True)
    notes = []
    if single_file:
        notes.append(
            "single-file mode: no history in the store, so spikes, weekly progression, load "
            "ratios and the athlete's own baselines are unknown"
        )
    elif today["history_days"] < rules.min_history_days:
        notes.append(
            f"only {today['history_days']} days of history: the athlete's own baselines "
            "need about 4 weeks"
        )
    if not single_file and today["coverage_28d"] < rules.min_coverage_28d:
        covered = round(today["coverage_28d"] * min(28, today["history_days"]))
        notes.append(f"files on only {covered} of the last 28 days: load may be under-counted")
    if history.tail(28)["gct_balance_left_pct"].is_null().all():
        notes.append(
            "no running-dynamics sensor (chest strap or pod): ground-contact balance not assessed"
        )
    if history.tail(7)["treadmill"].any():
        notes.append(
            "treadmill run this week: distance and pace come from the watch's accelerometer"
        )
    return notes


USUALLY = {True: "usually", False: "typical for runners"}
"""How the usual value is named: the athlete's own, or the training cohort's median when the
athlete has none (single-file mode, a new athlete) — never "usually" for someone else's."""


def _spike(recent: pl.DataFrame, usual: float, usually: str) -> str:
    day = recent.filter(pl.col("spike_ratio").is_not_null()).sort("spike_ratio").row(-1, named=True)
    when = (
        "Today"
        if day["local_date"] == recent["local_date"][-1]
        else day["local_date"].strftime("%A")
    )
    return (
        f"{when}'s {day['longest_run_km']:.1f} km run was {day['spike_ratio']:.0%} longer than "
        f"the longest of the 30 days before it ({day['longest_prev_30d_km']:.1f} km)"
    )


def _today(recent: pl.DataFrame) -> dict[str, Any]:
    return recent.row(-1, named=True)


def _progression(recent: pl.DataFrame, usual: float, usually: str) -> str:
    t = _today(recent)
    return (
        f"{t['km_7d']:.0f} km in the last 7 days, {t['weekly_progression']:.0%} more than the "
        f"7 days before ({t['km_prev_7d']:.0f} km)"
    )


def _cadence(recent: pl.DataFrame, usual: float, usually: str) -> str:
    value = _today(recent)["cadence_prior_residual_28d_spm"]
    side = "below" if value < 0 else "above"
    return (
        f"step rate at easy pace {abs(value):.0f} steps/min {side} what is typical at that "
        f"speed over the last 4 weeks ({usually} {usual:+.0f})"
    )


def _balance(recent: pl.DataFrame, usual: float, usually: str) -> str:
    t = _today(recent)
    change, base = t["gct_balance_change_7d_pct"], t["gct_balance_baseline_pct"]
    side = "left" if change > 0 else "right"
    return (
        f"ground-contact balance moved {abs(change):.1f} points to the {side} this week, "
        f"away from the usual {base:.1f} % left"
    )


def _volume(recent: pl.DataFrame, usual: float, usually: str) -> str:
    return (
        f"{_today(recent)['km_28d'] / 4:.0f} km a week over the last 4 weeks ({usually} "
        f"{usual / 4:.0f}): on low volume, jumps are tolerated worse"
    )


PHRASES: dict[str, Callable[[pl.DataFrame, float, str], str] | str] = {
    "spike_ratio_max_7d": _spike,
    "weekly_progression": _progression,
    "acwr": "the last 7 days' running is {value:.1f} times the daily average of the 3 weeks "
    "before ({usually} {usual:.1f})",
    "acwr_ewma": "recent running is {value:.1f} times the 4-week trend ({usually} {usual:.1f})",
    "monotony": "little difference between hard and easy days this week (monotony "
    "{value:.1f}, {usually} {usual:.1f})",
    "cadence_prior_residual_28d_spm": _cadence,
    "gct_balance_shift_7d_pct": _balance,
    "previous_injury": "a previous hip overuse injury in the log (the most consistent risk factor)",
    "km_28d": _volume,
    "high_intensity_share_7d": "{value:.0%} of this week's km at high intensity "
    "({usually} {usual:.0%})",
    "ascent_m_per_km_7d": "{value:.0f} m of climbing per km this week ({usually} {usual:.0f})",
}
"""One phrase per input (`models.inputs.INPUTS`): a function of the last 7 days, the usual
value and its name (`USUALLY`), or a template of today's `value`, the `usual` one and
`usually`."""


def phrase(name: str, recent: pl.DataFrame, usual: float, usually: str = USUALLY[True]) -> str:
    words = PHRASES[name]
    if callable(words):
        return words(recent, usual, usually)
    return words.format(value=_today(recent)[name], usual=usual, usually=usually)
