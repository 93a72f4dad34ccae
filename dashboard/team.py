"""The team table and an athlete's page, from the store's tables: pure functions."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

BALANCE_BANDS = ((0.7, "green"), (2.2, "orange"))
"""Garmin's colour bands of GCT balance, as distance from 50 % left (DESIGN §4): green
49.3-50.7 %, orange to 52.2 % on either side, red beyond."""

TEAM_COLUMNS = (
    "athlete_id",
    "team",
    "date",
    "tier",
    "probability",
    "drivers",
    "recommendation",
    "caveats",
    "last_run",
    "km_7d",
    "spike_ratio_max_7d",
    "acwr",
    "cadence_residual_spm",
    "gct_balance_left_pct",
    "balance_band",
    "coverage_28d",
)


LAST_RUN_COLUMNS = ("cadence_residual_spm", "gct_balance_left_pct")
"""Measured on runs: on a rest day, the team table shows the last run's."""


def balance_band(left_pct: float | None) -> str | None:
    if left_pct is None:
        return None
    off = abs(left_pct - 50.0) - 1e-9  # 49.3 is 0.7000000000000028 from 50 in binary
    return next((band for limit, band in BALANCE_BANDS if off <= limit), "red")


def team_rows(
    scores: pl.DataFrame, days: pl.DataFrame, teams: dict[str, str]
) -> list[dict[str, Any]]:
    """One row per scored athlete, riskiest first: their latest score with its drivers and
    rest advice, and the load and gait measures of their last day."""
    latest = scores.sort("date").group_by("athlete_id").last()
    ordered = days.sort("local_date")
    last_day = (
        ordered.group_by("athlete_id")
        .last()
        .drop(list(LAST_RUN_COLUMNS))
        .join(
            ordered.group_by("athlete_id").agg(pl.col(list(LAST_RUN_COLUMNS)).drop_nulls().last()),
            on="athlete_id",
        )
    )
    last_run = (
        days.filter(pl.col("runs") > 0)
        .group_by("athlete_id")
        .agg(pl.col("local_date").max().alias("last_run"))
    )
    table = (
        latest.join(last_day, on="athlete_id", how="left")
        .join(last_run, on="athlete_id", how="left")
        .sort("probability", descending=True)
    )
    rows = []
    for row in table.iter_rows(named=True):
        advice = json.loads(row["recommendation"])
        rows.append(
            {
                **{c: row.get(c) for c in TEAM_COLUMNS},
                "team": teams.get(row["athlete_id"]),
                "drivers": [d["text"] for d in json.loads(row["drivers"])],
                "recommendation": advice["rest"]["text"],
                "advice": advice,
                "caveats": json.loads(row["caveats"]),
                "balance_band": balance_band(row["gct_balance_left_pct"]),
            }
        )
    return rows


def filtered(
    rows: list[dict[str, Any]], team: str | None = None, tier: str | None = None
) -> list[dict[str, Any]]:
    """The rows of one team and/or one tier (None: all)."""
    return [
        r
        for r in rows
        if (team is None or r["team"] == team) and (tier is None or r["tier"] == tier)
    ]


def with_acknowledgements(
    rows: list[dict[str, Any]], acknowledgements: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rows, each with the newest acknowledgement made on or after its score's day (None
    if the flag is not acknowledged yet). `acknowledgements`: newest first."""
    newest: dict[str, dict[str, Any]] = {}
    for a in acknowledgements:
        newest.setdefault(a["athlete_id"], a)

    def current(row: dict[str, Any]) -> dict[str, Any] | None:
        found = newest.get(row["athlete_id"])
        return found if found is not None and found["date"] >= row["date"] else None

    return [{**r, "acknowledged": current(r)} for r in rows]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list)."""


def csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet shows as text, never runs: `'` before a formula's first
    character; numbers, dates and empty cells as they are (a negative number is a number)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
