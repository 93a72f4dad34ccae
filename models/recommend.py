"""Turn a risk tier and an injury pattern into advice: rest, warm-up, cool-down, cadence, strength.

Heuristics from DESIGN §5, worded in `models/rules.toml`. Cadence advice follows the pattern:
a higher step rate unloads the lateral hip but loads the hip flexors, so it is advised only
for the lateral pattern and advised against for the flexor one. A current injury in the log
overrides the tier: rest by its severity, and a clinician for a severe one.
"""

from __future__ import annotations

from typing import Any

from stridewise.models.inputs import Pattern
from stridewise.models.rules import Rules, Severity, Tier

DISCLAIMER = "Training heuristics, not medical advice or a diagnosis."


def recommend(
    rules: Rules,
    tier: Tier,
    pattern: Pattern,
    km_per_week: float | None,
    injury: Severity | None = None,
) -> dict[str, Any]:
    """The recommendation for one athlete today (JSON-ready).

    `km_per_week`: the last four weeks' average week, which caps next week's km.
    `injury`: the severity of a logged injury the athlete has not yet returned from.
    """
    rest = rules.rest[tier]
    factor = rest.next_week_km_factor
    cap = round(factor * km_per_week, 1) if factor and km_per_week else None
    advice: dict[str, Any] = {
        "tier": tier,
        "pattern": pattern,
        "rest": {
            "days_off": rest.days_off,
            "reduced_days": rest.reduced_days,
            "next_week_km_cap": cap,
            "text": rest.text,
            "evidence": rules.cite(rest.evidence),
        },
        "warmup": _session(rules, rules.warmup[tier]),
        "cooldown": _session(rules, rules.cooldown[tier]),
        "cadence": _cadence(rules, tier, pattern),
        "strength": {
            "text": getattr(rules.strength, pattern if tier != "low" else "general"),
            "evidence": rules.cite(rules.strength.evidence),
        },
        "referral": False,
        "injury": None,
        "note": DISCLAIMER,
    }
    if injury is not None:
        current = rules.injury[injury]
        advice["injury"] = {
            "severity": injury,
            "text": current.text,
            "evidence": rules.cite(current.evidence),
        }
        advice["referral"] = current.referral
    return advice


def _session(rules: Rules, session: Any) -> dict[str, Any]:
    return {
        "minutes": list(session.minutes),
        "content": session.content,
        "evidence": rules.cite(session.evidence),
    }


def _cadence(rules: Rules, tier: Tier, pattern: Pattern) -> dict[str, Any] | None:
    """+x % for the lateral pattern on a flag; 'do not raise' for the flexor one; else none."""
    cadence = rules.cadence
    if tier == "low" or pattern == "general":
        return None
    if pattern == "lateral":
        return {
            "change_pct": cadence.increase_pct,
            "max_change_pct": cadence.max_increase_pct,
            "text": cadence.lateral,
            "evidence": rules.cite(cadence.lateral_evidence),
        }
    return {
        "change_pct": 0,
        "max_change_pct": 0,
        "text": cadence.flexor,
        "evidence": rules.cite(cadence.flexor_evidence),
    }
