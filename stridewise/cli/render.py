"""Assessments as text for a terminal: what a coach reads first comes first."""

from __future__ import annotations

from typing import Any

from stridewise.models.assess import Assessment

PATTERN_NAMES = {
    "lateral": "lateral-hip pattern: long-run spikes, load jumps, low cadence",
    "flexor": "hip-flexor pattern: speed work, hills",
    "general": "no dominant pattern",
}


def _plan_line(day: dict[str, Any]) -> str:
    km = f" (at most {day['km_max']:.0f} km)" if day["km_max"] else ""
    return f"    {day['weekday'][:3]} {day['date'][5:]}  {day['status']}{km}: {day['note']}"


def assessment_text(a: Assessment) -> str:
    """A few lines: risk, why, what to do, the week ahead, when not to trust it."""
    r = a.recommendation
    chance = f"about 1 in {round(1 / a.probability)}" if a.probability > 0 else "negligible"
    status = (
        "RETURNING from a logged injury (not an alert)"
        if a.tier == "returning"
        else (f"risk {a.tier.upper()}")
    )
    lines = [
        f"{a.athlete_id}  {a.date:%Y-%m-%d}  {status}: {a.probability:.2%} "
        f"chance of a hip overuse injury in the next 14 days ({chance}; "
        f"{a.against_usual()})",
    ]
    if a.drivers:
        lines.append("Why:")
        lines += [f"  - {d.text}" for d in a.drivers]
    back = r["return_to_run"]
    rest = r["rest"]
    lines.append(f"What to do ({PATTERN_NAMES[r['pattern']]}):")
    if back:
        lines.append(f"  Return to run, phase {back['phase'].replace('_', '-')}: {rest['text']}")
    else:
        caps = [
            f"Next week at most {rest['next_week_km_cap']:.0f} km."
            if rest["next_week_km_cap"]
            else "",
            f"No run over {rest['long_run_km_cap']:.0f} km." if rest["long_run_km_cap"] else "",
        ]
        lines.append(" ".join(["  Rest:", rest["text"], *filter(None, caps)]))
    lines += [f"  - {action['text']}" for action in r["actions"]]
    lines += [f"  Warm-up: {r['warmup']['text']}", f"  Cool-down: {r['cooldown']['text']}"]
    if r["cadence"]:
        lines.append(f"  Cadence: {r['cadence']['text']}")
    lines.append(f"  Strength: {r['strength']['text']}")
    if r["plan"]:
        lines.append("  The next 7 days:")
        lines += [_plan_line(day) for day in r["plan"]]
    if a.unavailable:
        lines.append("Unavailable without history: " + ", ".join(a.unavailable) + ".")
    lines += [f"Caveat: {c}" for c in a.caveats]
    lines.append(f"{r['note']} Model {a.model_version}.")
    return "\n".join(lines)


def team_table(assessments: list[Assessment]) -> str:
    """One line per athlete, riskiest first: tier, probability, top driver, what to do."""
    lines = [f"{'athlete':<10} {'tier':<9} {'risk':>6} {'x usual':>7}  top driver / recommendation"]
    for a in assessments:
        driver = a.drivers[0].text if a.drivers else "-"
        usual = f"{a.relative_risk:.1f}" if a.relative_risk is not None else "-"
        lines.append(f"{a.athlete_id:<10} {a.tier:<9} {a.probability:>6.2%} {usual:>7}  {driver}")
        lines.append(f"{'':<36}{a.recommendation['rest']['text']}")
    return "\n".join(lines)
