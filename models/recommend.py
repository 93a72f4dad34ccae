"""Advice as an adjustment: from what the athlete does now to what to change, driver by driver.

Heuristics from DESIGN §5, worded in `models/rules.toml`. Each driver of the score asks for its
own action with the athlete's numbers (a spike caps the next long run from their own longest;
a progression caps the week from their usual one; intensity and hills drop named sessions; a
balance shift asks for a symptom check). Cadence advice follows the pattern: a higher step
rate unloads the lateral hip but loads the hip flexors, so it is advised only for a clear
lateral pattern and advised against for a flexor one. Warm-up and cool-down start from the
athlete's measured ones. During a return from a logged injury, the return is the advice:
one rest text, never two that disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from stridewise.models.explain import Driver
from stridewise.models.habits import Habits
from stridewise.models.inputs import Pattern
from stridewise.models.plan import Caps, return_plan, week_plan
from stridewise.models.returning import Return
from stridewise.models.rules import ACTION_FIELDS, Rules, Session, Tier

DISCLAIMER = "Training heuristics, not medical advice or a diagnosis."

DRIVER_ACTIONS = {
    "spike_ratio_max_7d": "spike",
    "weekly_progression": "progression",
    "acwr": "progression",
    "acwr_ewma": "progression",
    "monotony": "monotony",
    "high_intensity_share_7d": "intensity",
    "ascent_m_per_km_7d": "hills",
    "gct_balance_shift_7d_pct": "balance",
    "km_28d": "volume",
    "previous_injury": "previous_injury",
}
"""The action each driver asks for (`[actions.*]` of the rules); a cadence driver's is the
cadence advice, which the pattern decides."""
HARDER_ACTIONS = ("intensity", "hills")
"""Actions that turn the athlete's harder sessions of the week into easy runs."""


def pattern_of(found: list[Driver], margin: float) -> Pattern:
    """Lateral or flexor when its drivers explain at least `margin` times the other's effect;
    general otherwise (nothing, or too close to call)."""
    weight = {"lateral": 0.0, "flexor": 0.0}
    for d in found:
        if d.pattern in weight:
            weight[d.pattern] += d.effect
    lateral, flexor = weight["lateral"], weight["flexor"]
    if lateral > 0 and lateral >= margin * flexor:
        return "lateral"
    if flexor > 0 and flexor >= margin * lateral:
        return "flexor"
    return "general"


def recommend(
    rules: Rules,
    tier: Tier,
    found: list[Driver],
    habits: Habits,
    today: date,
    returning: Return | None = None,
) -> dict[str, Any]:
    """The recommendation for one athlete on `today` (JSON-ready); during a return, the
    return's rest, plan and no actions or cadence cue instead of the tier's."""
    pattern = pattern_of(found, rules.pattern.margin)
    advice: dict[str, Any] = {
        "tier": tier,
        "pattern": pattern,
        "warmup": adjusted(rules, rules.warmup[tier], habits.warmup_min, habits, "warm"),
        "cooldown": adjusted(rules, rules.cooldown[tier], habits.cooldown_min, habits, "cool"),
        "strength": {
            "text": getattr(rules.strength, pattern if tier != "low" else "general"),
            "evidence": rules.cite(rules.strength.evidence),
        },
        "note": DISCLAIMER,
    }
    if returning is not None:
        return advice | _returning(rules, returning, habits, today)
    rest = rules.rest[tier]
    week_cap = _times(rest.next_week_km_factor, habits.km_per_week)
    spiked = any(d.name == "spike_ratio_max_7d" for d in found)
    longest = habits.longest_before_week_km if spiked else habits.longest_30d_km
    long_run_cap = _times(rest.long_run_factor, longest)
    actions = _actions(rules, found, habits, week_cap, long_run_cap)
    caps = Caps(
        days_off=rest.days_off,
        reduced_days=rest.reduced_days,
        week_km=week_cap,
        long_run_km=long_run_cap,
        drop_harder=any(a["action"] in HARDER_ACTIONS for a in actions),
    )
    return advice | {
        "rest": {
            "days_off": rest.days_off,
            "reduced_days": rest.reduced_days,
            "next_week_km_cap": week_cap,
            "long_run_km_cap": long_run_cap,
            "text": rest.text,
            "evidence": rules.cite(rest.evidence),
        },
        "actions": actions,
        "cadence": _cadence(rules, tier, pattern),
        "plan": week_plan(today, habits, caps, rules.plan),
        "return_to_run": None,
        "referral": False,
    }


def _times(factor: float, km: float | None) -> float | None:
    return round(factor * km, 1) if factor and km else None


def _actions(
    rules: Rules,
    found: list[Driver],
    habits: Habits,
    week_cap: float | None,
    long_run_cap: float | None,
) -> list[dict[str, Any]]:
    """One action per kind the drivers ask for, in the drivers' order; one whose numbers are
    unknown (no usual week, no long run yet) is left out rather than worded without them."""
    caps = {"spike": long_run_cap, "progression": week_cap}
    done: list[dict[str, Any]] = []
    for driver in found:
        name = DRIVER_ACTIONS.get(driver.name)
        if name is None or any(a["action"] == name for a in done):
            continue
        action = getattr(rules.actions, name)
        values = {
            "km": caps.get(name),
            "longest": habits.longest_before_week_km,
            "usual": habits.km_per_week,
            "days": _weekdays(habits.quality_weekdays),
        }
        wanted = {k: v for k, v in values.items() if k in ACTION_FIELDS[name]}
        if any(v is None for v in wanted.values()):
            continue
        done.append(
            {
                "driver": driver.name,
                "action": name,
                "text": action.text.format(**wanted),
                "km_max": wanted.get("km"),
                "evidence": rules.cite(action.evidence),
            }
        )
    return done


def _weekdays(weekdays: frozenset[int]) -> str:
    """ " (your Tuesday and Thursday sessions)", or "" when the athlete has no regular ones."""
    names = [date(2024, 1, 1 + d).strftime("%A") for d in sorted(weekdays)]  # 2024-01-01: Monday
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f" (your {listed} sessions)"


SESSION_WORDS = {"warm": ("warm-ups", "Warm up"), "cool": ("cool-downs", "Cool down")}


def adjusted(
    rules: Rules, session: Session, current: float | None, habits: Habits, kind: str
) -> dict[str, Any]:
    """A warm-up or cool-down from the athlete's measured one: make it longer when it is
    shorter than the rules' minimum, keep it when it is long enough, or just the rules'
    length when nothing was measured."""
    low, high = session.minutes
    plural, verb = SESSION_WORDS[kind]
    if current is None:
        change, text = "unknown", f"{verb} {low}-{high} min around harder sessions: "
    else:
        measured = (
            f"Your {plural} around harder sessions have been about {current:.0f} min "
            f"({habits.harder_sessions} sessions in 4 weeks): "
        )
        if current < low:
            change, text = "longer", measured + f"make them {low}-{high} min: "
        else:
            change, text = "keep", measured + "long enough, keep them: "
    return {
        "current_minutes": None if current is None else round(current, 1),
        "sessions": habits.harder_sessions,
        "minutes": [low, high],
        "change": change,
        "text": text + session.content,
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


def _returning(rules: Rules, ret: Return, habits: Habits, today: date) -> dict[str, Any]:
    """What a return replaces: the rest, the actions, the cadence advice and the plan."""
    phase = rules.returning.phases[ret.phase].text.format(
        back=f"{ret.back:%A %-d %B}",
        km=ret.target_km_7d or 0.0,
        usual=ret.usual_week_km or 0.0,
    )
    injury = rules.injury[ret.severity]
    text = f"{phase} {rules.returning.progress}"
    if injury.referral:
        text = f"{injury.text} {text}"
    return {
        "rest": {
            "days_off": None,
            "reduced_days": None,
            "next_week_km_cap": ret.target_km_7d,
            "long_run_km_cap": None,
            "text": text,
            "evidence": rules.cite([*rules.returning.evidence, *injury.evidence]),
        },
        "actions": [],
        "cadence": None,
        "plan": return_plan(today, habits, ret, rules.plan, rules.returning.walk_run_km),
        "return_to_run": {
            "severity": ret.severity,
            "onset_date": ret.onset.isoformat(),
            "days_lost_until": ret.back.isoformat(),
            "phase": ret.phase,
            "phases": list(rules.returning.phases),
            "phase_text": phase,
            "progress": rules.returning.progress,
            "usual_week_km": ret.usual_week_km,
            "km_7d": round(ret.km_7d, 1),
            "target_km_7d": None if ret.target_km_7d is None else round(ret.target_km_7d, 1),
        },
        "referral": injury.referral,
    }
