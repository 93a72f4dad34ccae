"""The nightly flow's Prefect artifacts: the team report and the table of flagged athletes."""

from __future__ import annotations

from datetime import date
from typing import Any

from stridewise.models.assess import Assessment


def team_report(
    assessments: list[Assessment], summary: str, as_of: date | None, teams: dict[str, str]
) -> str:
    """The nightly team report, in markdown (a Prefect artifact); `teams`: athlete -> team
    from the roster."""
    return "\n".join(
        [
            f"# Hip overuse risk, {as_of or 'no activity read yet'}",
            "",
            summary,
            "",
            "| athlete | team | tier | probability | against the usual | top driver |",
            "|---|---|---|---:|---|---|",
            *(
                f"| {a.athlete_id} | {teams.get(a.athlete_id, '—')} | {a.tier} | "
                f"{a.probability:.2%} | {a.against_usual()} | "
                f"{a.drivers[0].text if a.drivers else '—'} |"
                for a in assessments
            ),
        ]
    )


def flagged_rows(assessments: list[Assessment], teams: dict[str, str]) -> list[dict[str, Any]]:
    """The flagged athletes with what to do, as table rows (a Prefect artifact)."""
    return [
        {
            "athlete": a.athlete_id,
            "team": teams.get(a.athlete_id, ""),
            "tier": a.tier,
            "probability": round(a.probability, 4),
            "x usual": round(a.relative_risk, 2) if a.relative_risk is not None else None,
            "top driver": a.drivers[0].text if a.drivers else "",
            "rest": a.recommendation["rest"]["text"],
            "warm-up": a.recommendation["warmup"]["content"],
        }
        for a in assessments
        if a.alert
    ]
