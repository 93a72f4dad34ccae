"""One athlete, one day: probability, tier, drivers, recommendation and caveats together.

The same assessment serves `stridewise score`, the nightly flow and the dashboard.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

import polars as pl

from stridewise.models.bundle import Model
from stridewise.models.explain import Driver, caveats, drivers
from stridewise.models.habits import habits_of
from stridewise.models.inputs import input_matrix
from stridewise.models.labels import INJURY_SCHEMA
from stridewise.models.recommend import recommend
from stridewise.models.returning import current_return
from stridewise.models.rules import Rules, Tier

Status = Tier | Literal["returning"]
"""The tier, or "returning": a logged injury's return, which the coach is managing already,
so the score is not an alert (whatever its probability)."""
ALERTS = ("moderate", "high")

HISTORY_INPUTS = ("km_28d", "acwr_ewma")
"""Inputs that one file alone would get wrong rather than leave unknown (its km as four
weeks' volume): blanked in single-file mode, like the inputs that are null without history."""
UNAVAILABLE_ALONE = (
    "single-session spike",
    "weekly progression",
    "acute:chronic ratios",
    "monotony",
    "4-week volume",
    "cadence and balance against the athlete's baseline",
    "previous injuries",
)


@dataclass(frozen=True)
class Assessment:
    athlete_id: str
    date: date
    probability: float
    tier: Status
    drivers: list[Driver]
    recommendation: dict[str, Any]
    caveats: list[str]
    model_version: str
    unavailable: list[str]
    """Features that could not be computed (single-file mode)."""
    usual_risk: float | None = None
    """The model's average athlete-day risk over the same horizon."""

    @property
    def alert(self) -> bool:
        """Whether the coach should hear of it (a flag, and not during a return)."""
        return self.tier in ALERTS

    @property
    def relative_risk(self) -> float | None:
        """The probability as a multiple of the usual risk."""
        return self.probability / self.usual_risk if self.usual_risk else None

    def against_usual(self) -> str:
        """ "2.3 x the usual 0.38 %": a rare event's probability means little alone."""
        if self.relative_risk is None:
            return "the usual risk unknown"
        return f"{self.relative_risk:.1f} x the usual {self.usual_risk:.2%}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"date": self.date.isoformat(), "relative_risk": self.relative_risk}


def assess(
    history: pl.DataFrame,
    model: Model,
    rules: Rules,
    *,
    injuries: pl.DataFrame | None = None,
    single_file: bool = False,
) -> Assessment:
    """Assess the last day of one athlete's days (sorted by date, with `previous_injury`);
    `injuries`: the injury log, for a return that is current."""
    if single_file:
        history = history.with_columns(pl.lit(None).alias(name) for name in HISTORY_INPUTS)
    today = history.row(-1, named=True)
    probability = float(model.probability(input_matrix(history.tail(1)))[0])
    tier = rules.tiers.of(probability)
    found = drivers(history, model)
    log = pl.DataFrame(schema=INJURY_SCHEMA) if injuries is None else injuries
    returning = current_return(history, log, rules.returning.walk_share)
    return Assessment(
        athlete_id=today["athlete_id"],
        date=today["local_date"],
        probability=probability,
        tier="returning" if returning else tier,
        drivers=found,
        recommendation=recommend(
            rules, tier, found, habits_of(history), today["local_date"], returning
        ),
        caveats=caveats(history, rules.caveats, single_file),
        model_version=model.version,
        unavailable=list(UNAVAILABLE_ALONE) if single_file else [],
        usual_risk=model.usual_risk,
    )
