"""The JSON API's documents: what /api/team and /api/athletes/{id} answer, field by field,
so that the OpenAPI document tells a client what it gets. (`dt.date`: fields named `date`
would hide the type from the annotations after them.)"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from stridewise.models.assess import Status


class Acknowledgement(BaseModel):
    athlete_id: str
    date: dt.date
    action: Literal["seen", "plan_adjusted"]
    coach: str = Field(description="who acknowledged")
    at: dt.datetime = Field(description="when (UTC)")


class TeamRow(BaseModel):
    """An athlete's latest score and the load and gait measures of their last day."""

    athlete_id: str
    team: str | None = Field(description="the roster's team column")
    date: dt.date = Field(description="the day scored")
    tier: Status = Field(
        description='low, moderate or high; "returning": back from a logged injury, not an alert'
    )
    probability: float = Field(description="14-day probability of a hip overuse injury")
    drivers: list[str] = Field(description="what raised the risk most, in plain words")
    recommendation: str = Field(description="the rest advice, in one sentence")
    advice: dict[str, Any] = Field(
        description="rest (or the return to run), actions by driver, warm-up and cool-down "
        "against the athlete's measured ones, cadence, strength, and the 7-day `plan`, with "
        "evidence"
    )
    caveats: list[str] = Field(description="why the score should not be trusted, if it should not")
    last_run: dt.date | None
    km_7d: float | None
    spike_ratio_max_7d: float | None = Field(
        description="the longest run of the last 7 days over the longest of the 30 before, - 1"
    )
    acwr: float | None = Field(description="acute:chronic workload ratio (7 / 28 days)")
    cadence_residual_spm: float | None = Field(
        description="cadence at easy pace against the athlete's baseline, steps/min"
    )
    gct_balance_left_pct: float | None
    balance_band: Literal["green", "orange", "red"] | None = Field(
        description="Garmin's colour band of the GCT balance"
    )
    coverage_28d: float | None = Field(description="share of the last 28 days with a file")
    acknowledged: Acknowledgement | None = Field(
        description="the newest acknowledgement since the score's day"
    )


class ChartDay(BaseModel):
    """One day of an athlete's 12-week charts."""

    local_date: dt.date
    distance_km: float | None
    spike_ratio: float | None
    spike_bin: str | None
    km_7d: float | None
    km_28d: float | None
    acwr: float | None
    cadence_at_ref_spm: float | None
    cadence_baseline_spm: float | None
    gct_balance_left_pct: float | None
    probability: float = Field(description="the model in use, on the day's data as it stands")


class Injury(BaseModel):
    athlete_id: str
    onset_date: dt.date
    region: str | None
    subtype: str | None
    side: str | None
    severity: str | None
    days_lost: int | None


class Athlete(BaseModel):
    athlete_id: str
    team: str | None
    row: TeamRow | None = Field(description="their row of the team table, if scored")
    history: list[ChartDay] = Field(description="the last 12 weeks, oldest first")
    injuries: list[Injury] = Field(description="newest first")
    acknowledgements: list[Acknowledgement] = Field(description="newest first")
