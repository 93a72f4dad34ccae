"""The team table's rows from the store's tables (pure: `dashboard.team.team_rows`)."""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from stridewise.dashboard.team import team_rows
from stridewise.models.team import SCORE_SCHEMA


def test_on_a_rest_day_the_gait_columns_are_the_last_runs() -> None:
    advice = {"rest": {"text": "Train as planned."}}
    scores = pl.DataFrame(
        [
            {
                "athlete_id": "a",
                "date": date(2026, 11, 22),
                "probability": 0.004,
                "tier": "low",
                "drivers": "[]",
                "recommendation": json.dumps(advice),
                "caveats": "[]",
            }
        ],
        schema=SCORE_SCHEMA,
    )
    days = pl.DataFrame(
        {
            "athlete_id": ["a", "a", "a"],
            "local_date": [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)],
            "runs": [1, 1, 0],  # Sunday the 22nd: a rest day
            "km_7d": [30.0, 38.0, 38.0],
            "cadence_residual_spm": [-2.0, -4.5, None],
            "gct_balance_left_pct": [50.2, 51.0, None],
        }
    )
    (row,) = team_rows(scores, days, {"a": "zurich"})
    assert row["cadence_residual_spm"] == -4.5 and row["gct_balance_left_pct"] == 51.0
    assert row["balance_band"] == "orange"  # 1.0 from 50 %: past green's 0.7
    assert row["km_7d"] == 38.0 and row["last_run"] == date(2026, 11, 21)
