"""The recommendation rules a coach can edit (`models/rules.toml`), checked when loaded.

A typo in a hand-edited file must not silently drop advice, so every table is a closed schema:
unknown keys, missing keys, wrong types, thresholds out of order and evidence references that
do not exist are one-line errors naming the key.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFAULT_RULES = Path(__file__).with_name("rules.toml")

Tier = Literal["low", "moderate", "high"]
TIERS: tuple[Tier, ...] = ("low", "moderate", "high")
Severity = Literal["mild", "moderate", "severe"]
Probability = Field(gt=0, lt=1)


class RulesError(Exception):
    """The rules file cannot be used; the message names the file and the key, in one line."""


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tiers(_Table):
    moderate: float = Probability
    high: float = Probability

    @model_validator(mode="after")
    def _ordered(self) -> Tiers:
        if self.high <= self.moderate:
            raise ValueError("high must be above moderate")
        return self

    def of(self, probability: float) -> Tier:
        if probability >= self.high:
            return "high"
        return "moderate" if probability >= self.moderate else "low"


class Caveats(_Table):
    min_history_days: int = Field(ge=0)
    min_coverage_28d: float = Field(ge=0, le=1)


class PatternRule(_Table):
    margin: float = Field(ge=1, le=10)


class Rest(_Table):
    days_off: int = Field(ge=0, le=28)
    reduced_days: int = Field(ge=0, le=28)
    next_week_km_factor: float = Field(ge=0, le=2)
    long_run_factor: float = Field(ge=0.5, le=1.5)
    text: str
    evidence: list[str]


class Session(_Table):
    minutes: tuple[int, int]
    content: str
    evidence: list[str]

    @model_validator(mode="after")
    def _range(self) -> Session:
        low, high = self.minutes
        if not 0 <= low <= high <= 60:
            raise ValueError("minutes must be [low, high] with 0 <= low <= high <= 60")
        return self


class Cadence(_Table):
    increase_pct: float = Field(gt=0, le=10)
    max_increase_pct: float = Field(gt=0, le=10)
    lateral: str
    flexor: str
    lateral_evidence: list[str]
    flexor_evidence: list[str]

    @model_validator(mode="after")
    def _capped(self) -> Cadence:
        if self.increase_pct > self.max_increase_pct:
            raise ValueError("increase_pct must not exceed max_increase_pct")
        return self


class Strength(_Table):
    lateral: str
    flexor: str
    general: str
    evidence: list[str]


class Action(_Table):
    text: str
    evidence: list[str]


ACTION_FIELDS = {
    "spike": {"km", "longest"},
    "progression": {"km", "usual"},
    "monotony": set(),
    "intensity": {"days"},
    "hills": {"days"},
    "balance": set(),
    "volume": {"usual"},
    "previous_injury": set(),
}
"""Each driver's action and the numbers its text may name (`{km:.0f}` ...)."""


class Actions(_Table):
    spike: Action
    progression: Action
    monotony: Action
    intensity: Action
    hills: Action
    balance: Action
    volume: Action
    previous_injury: Action

    @model_validator(mode="after")
    def _placeholders(self) -> Actions:
        for name, allowed in ACTION_FIELDS.items():
            _check_fields(f"actions.{name}", getattr(self, name).text, allowed)
        return self


def _check_fields(where: str, text: str, allowed: set[str]) -> None:
    """A text's `{name}` placeholders must be ones the advice fills in."""
    used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    unknown = sorted(used - allowed)
    if unknown:
        names = ", ".join(sorted(allowed)) or "none"
        raise ValueError(f"{where}: unknown placeholder {{{unknown[0]}}} (allowed: {names})")


class Plan(_Table):
    reduced_share: float = Field(gt=0, le=1)
    off: str
    usual_rest: str
    reduced: str
    easy: str
    as_planned: str
    long_run: str


class Phase(_Table):
    text: str


PhaseName = Literal["rest", "walk", "walk_run", "easy"]
RETURN_FIELDS: dict[PhaseName, set[str]] = {
    "rest": {"back"},
    "walk": set(),
    "walk_run": set(),
    "easy": {"km", "usual"},
}
"""The phases of a return to running, in order, and the numbers each text may name."""


class Returning(_Table):
    progress: str
    walk_share: float = Field(gt=0, lt=1)
    walk_run_km: float = Field(gt=0, le=20)
    evidence: list[str]
    phases: dict[PhaseName, Phase]

    @model_validator(mode="after")
    def _complete(self) -> Returning:
        for name, allowed in RETURN_FIELDS.items():
            if name not in self.phases:
                raise ValueError(f"returning.phases: no text for phase {name!r}")
            _check_fields(f"returning.phases.{name}", self.phases[name].text, allowed)
        return self


class InjuryAdvice(_Table):
    text: str
    evidence: list[str]
    referral: bool = False


class Rules(_Table):
    tiers: Tiers
    caveats: Caveats
    evidence: dict[str, str]
    rest: dict[Tier, Rest]
    warmup: dict[Tier, Session]
    cooldown: dict[Tier, Session]
    pattern: PatternRule
    cadence: Cadence
    strength: Strength
    actions: Actions
    plan: Plan
    injury: dict[Severity, InjuryAdvice]
    returning: Returning

    @model_validator(mode="after")
    def _complete(self) -> Rules:
        for name in ("rest", "warmup", "cooldown"):
            missing = [t for t in TIERS if t not in getattr(self, name)]
            if missing:
                raise ValueError(f"{name}: no advice for tier {missing[0]!r}")
        missing_severity = [s for s in ("mild", "moderate", "severe") if s not in self.injury]
        if missing_severity:
            raise ValueError(f"injury: no advice for severity {missing_severity[0]!r}")
        for reference in self._references():
            if reference not in self.evidence:
                raise ValueError(f"evidence {reference!r} is used but not defined in [evidence]")
        return self

    def _references(self) -> list[str]:
        tables = [*self.rest.values(), *self.warmup.values(), *self.cooldown.values()]
        actions = [getattr(self.actions, name) for name in ACTION_FIELDS]
        with_evidence = [*tables, *self.injury.values(), self.strength, *actions, self.returning]
        return [
            *(r for t in with_evidence for r in t.evidence),
            *self.cadence.lateral_evidence,
            *self.cadence.flexor_evidence,
        ]

    def cite(self, references: list[str]) -> list[str]:
        return [self.evidence[r] for r in references]


def load_rules(path: Path = DEFAULT_RULES) -> Rules:
    """The rules of a TOML file, validated (`RulesError` names the first problem)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RulesError(f"{path}: cannot read: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RulesError(f"{path}: not valid TOML: {error}") from None
    try:
        return Rules.model_validate(raw)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(p) for p in e['loc'] if p != '[key]') or '(top level)'}: {e['msg']}"
            for e in error.errors()
        ]
        raise RulesError(f"{path}: " + "; ".join(problems)) from None
