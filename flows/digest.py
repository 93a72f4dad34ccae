"""The morning digest of one coach: who is newly flagged, who is still flagged and not yet
acknowledged, and the counts, for their teams only.

Private by default: an athlete's id, tier and risk against the usual, and a link to their page
behind the dashboard's sign-in. Drivers and advice only for a target the coach trusts with
them. An athlete the coach was told of is news again only when their tier rises.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from stridewise.models.assess import Assessment

TIER_ORDER = {"low": 0, "moderate": 1, "high": 2}


@dataclass(frozen=True)
class Digest:
    title: str
    new: list[Assessment]
    """Flagged for the first time, or at a higher tier than the coach was last told."""
    still: list[Assessment]
    """Flagged as before and not acknowledged since."""
    counts: dict[str, int]
    """Athletes of the coach's teams by tier."""
    tiers: dict[str, str]
    """Athlete -> tier of everyone flagged: what the coach knows once it is sent."""

    def body(self, base_url: str | None, details: bool) -> str:
        """The message text; `details` adds the top driver and the rest advice."""

        def line(a: Assessment) -> str:
            risk = f"{a.probability:.2%}" + (
                f", {a.relative_risk:.1f} x the usual" if a.relative_risk else ""
            )
            text = f"- {a.athlete_id}: {a.tier} ({risk})"
            if base_url:
                text += f" {base_url.rstrip('/')}/athletes/{quote(a.athlete_id)}"
            if details and a.drivers:
                text += f"\n  {a.drivers[0].text}"
            if details and "rest" in a.recommendation:
                text += f"\n  {a.recommendation['rest']['text']}"
            return text

        parts = []
        if self.new:
            parts += ["New since the last digest:", *map(line, self.new), ""]
        if self.still:
            parts += ["Still flagged, not yet acknowledged:", *map(line, self.still), ""]
        counted = ", ".join(f"{self.counts.get(t, 0)} {t}" for t in reversed(TIER_ORDER))
        if self.counts.get("returning"):
            counted += f", {self.counts['returning']} returning from an injury (not alerts)"
        parts.append(f"Your athletes today: {counted}.")
        return "\n".join(parts)


def digest(
    assessments: list[Assessment],
    visible: Callable[[str], bool],
    announced: dict[str, str],
    acknowledged: set[str],
    daily: bool,
) -> Digest | None:
    """The digest of the athletes `visible` to a coach, against what they were told
    (`announced`: athlete -> tier) and what they acknowledged since; None when there is
    nothing new and the coach did not ask for a `daily` summary."""
    mine = sorted((a for a in assessments if visible(a.athlete_id)), key=lambda a: a.athlete_id)
    flagged = [a for a in mine if a.alert]
    new = [
        a
        for a in flagged
        if a.athlete_id not in announced
        or TIER_ORDER[a.tier] > TIER_ORDER.get(announced[a.athlete_id], 0)
    ]
    still = [a for a in flagged if a not in new and a.athlete_id not in acknowledged]
    if not new and not daily:
        return None
    day = mine[0].date.isoformat() if mine else ""
    headline = f"{len(new)} newly at risk" if new else "nothing new"
    return Digest(
        title=f"stridewise {day}: {headline}",
        new=new,
        still=still,
        counts=dict(Counter(a.tier for a in mine)),
        tiers={a.athlete_id: a.tier for a in flagged},
    )
