"""An athlete coming back from a logged injury: which phase of the return they are in.

While an injury is current (from its onset until its days lost have passed and the 7-day km
is back to `RETURN_SHARE` of the usual week before it) the coach is managing a return, and the
risk score is not an alert. The phase comes from what the runs show since the days lost ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from stridewise.models.labels import BACK, RETURN_SHARE
from stridewise.models.rules import PhaseName, Severity


@dataclass(frozen=True)
class Return:
    severity: Severity
    onset: date
    back: date
    """The last of its days lost."""
    usual_week_km: float | None
    """The usual week (4-week km / 4) the day before the onset."""
    km_7d: float
    phase: PhaseName

    @property
    def target_km_7d(self) -> float | None:
        """The 7-day km at which the return ends."""
        return RETURN_SHARE * self.usual_week_km if self.usual_week_km else None


def current_return(
    history: pl.DataFrame, injuries: pl.DataFrame, walk_share: float
) -> Return | None:
    """The return the last day of one athlete's days (sorted by date) falls in, if any (the
    latest onset when several overlap). `walk_share`: a run with more walking than this is a
    walk-run session."""
    today = history.row(-1, named=True)
    day = today["local_date"]
    events = (
        injuries.filter(
            (pl.col("athlete_id") == today["athlete_id"]) & (pl.col("onset_date") <= day)
        )
        .with_columns(back=BACK)
        .sort("onset_date", descending=True)
    )
    for event in events.iter_rows(named=True):
        before = history.filter(pl.col("local_date") == event["onset_date"] - timedelta(1))
        usual = before["km_28d"][0] / 4 if before.height and before["km_28d"][0] else None
        after = history.filter(pl.col("local_date") > event["back"])
        if usual is not None and (after["km_7d"] >= RETURN_SHARE * usual).any():
            continue  # back to their usual week: the return is over
        if day > event["back"] and usual is None and not after.is_empty():
            continue  # nothing to measure the return against, and the days lost are over
        return Return(
            severity=_severity(event["severity"]),
            onset=event["onset_date"],
            back=event["back"],
            usual_week_km=usual,
            km_7d=float(today["km_7d"] or 0.0),
            phase=_phase(day, event["back"], after, walk_share),
        )
    return None


SEVERITY_OF: dict[str, Severity] = {"mild": "mild", "moderate": "moderate", "severe": "severe"}


def _severity(logged: str | None) -> Severity:
    """The log's severity; moderate when it does not say (as `labels.DEFAULT_DAYS_LOST`)."""
    return SEVERITY_OF.get(logged or "", "moderate")


def _phase(day: date, back: date, after: pl.DataFrame, walk_share: float) -> PhaseName:
    if day <= back:
        return "rest"
    ran = after.filter(pl.col("runs") > 0)
    if ran.is_empty():
        return "walk"
    last = ran.row(-1, named=True)
    return "walk_run" if (last["walk_share"] or 0.0) > walk_share else "easy"
