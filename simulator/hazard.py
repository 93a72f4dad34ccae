"""The hip-overuse hazard: a daily rate times hazard ratios with published effect sizes.

h(day) = BASE_HAZARD_PER_DAY · Π HR_f(day), P(onset that day) = 1 - exp(-h). Every factor, its
definition and its source is in docs/simulator.md; `truth.parquet` carries each factor's
contribution (log HR) per athlete-day, so any model can be held against the true risk. The
effects with a published interval can be set at either end of it (`Hazard.effects`), to see
what the model would do in a world that is kinder or harsher than the studies' estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from stridewise.features.daily import SPIKE_BINS, SPIKE_EDGES
from stridewise.features.evidence import (
    ACWR_THRESHOLD,
    CADENCE_DEFICIT_CAP_SPM,
    CADENCE_STEP_SPM,
    HILLS_M_PER_KM,
    INTENSITY_SHARE,
    LOW_VOLUME_KM_PER_WEEK,
    MONOTONY_THRESHOLD,
    PROGRESSION_THRESHOLD,
)

BASE_HAZARD_PER_DAY = 1.6e-4
"""Tuned so that about 5 % of runners get a hip overuse injury in six months."""

Effects = Literal["published", "low", "high"]
"""Which estimate of the effects with a published 95 % interval: the point, or an end."""
SPIKE_HR: dict[str, dict[str, float]] = {
    "published": dict(zip(SPIKE_BINS, (1.0, 1.64, 1.52, 2.28), strict=True)),
    "low": dict(zip(SPIKE_BINS, (1.0, 1.31, 1.16, 1.50), strict=True)),
    "high": dict(zip(SPIKE_BINS, (1.0, 2.05, 2.00, 3.48), strict=True)),
}
"""Frandsen et al. 2025 (BJSM, 5,205 runners): single-session spike vs longest run in 30 days,
HRR 1.64 (1.31-2.05), 1.52 (1.16-2.00), 2.28 (1.50-3.48)."""
PROGRESSION_HR: dict[str, float] = {"published": 1.59, "low": 0.96, "high": 2.66}
"""Nielsen et al. 2014 (JOSPT): > 30 % weekly progression, HR 1.59 (0.96-2.66) for the
distance-related cluster (IT band, gluteus medius, trochanteric bursitis among them)."""
ACWR_HR = 1.15
MONOTONY_HR = 1.10
"""Small effects only (Impellizzeri 2020 and Lolli 2019 on ACWR; Foster 1998 on monotony)."""
CADENCE_HR_PER_5_SPM = 1.15
"""Per 5 steps/min below the cadence prior at pace, up to 20 (Heiderscheit 2011: hip loads
fall with higher cadence). An assumption sized as a modest effect."""
ASYMMETRY_HR_PER_PCT = 1.10
"""Per percentage point of GCT balance away from the runner's baseline (Malisoux 2024: weak)."""
PREVIOUS_INJURY_HR = 1.6
"""Previous injury is the most consistent risk factor (van der Worp 2015; Hulme 2017)."""
LOW_VOLUME_HR = 1.25
"""Under 25 km a week (Abrahamson 2025; Nielsen 2012: low-volume runners tolerate spikes worse)."""
INTENSITY_HR = 1.30
HILLS_HR = 1.20
"""Speed work and hills load the hip flexors (Lenhart 2014). Assumed sizes."""

FATIGUE_CADENCE_SPM_PER_ACWR = 3.0
"""Acute load above chronic lowers cadence at pace (Apte 2021): spm per unit of ACWR over 1."""

FACTORS = (
    "spike",
    "progression",
    "acwr",
    "monotony",
    "cadence",
    "asymmetry",
    "previous_injury",
    "low_volume",
    "intensity",
    "hills",
)
LATERAL_FACTORS = ("spike", "progression", "cadence", "low_volume")
"""Mechanisms of the lateral hip (IT band, gluteal tendinopathy): long-run spikes, fatigue, low
cadence. Intensity and hills point to the hip flexors."""
FLEXOR_FACTORS = ("intensity", "hills")


def spike_bin(longest: float, before: float) -> str:
    """The Frandsen bin of the day's longest run vs the longest of the previous 30 days
    (the same edges as the features: `features.daily.SPIKE_EDGES`)."""
    for edge, name in zip(SPIKE_EDGES, SPIKE_BINS, strict=False):
        if longest <= (1 + edge) * before:
            return name
    return SPIKE_BINS[-1]


@dataclass(frozen=True)
class LoadState:
    """What the hazard reads on one day (true loads, recorded or not)."""

    spike_hr: float
    weekly_progression: float | None
    acwr: float | None
    monotony: float | None
    cadence_deficit_spm: float
    asymmetry_pct: float
    previous_injury: bool
    km_per_week_28d: float | None
    intensity_share: float | None
    hills_m_per_km: float | None


@dataclass(frozen=True)
class Hazard:
    """The world's hazard: which estimate of the published effects, and a scale on the base
    rate (more onsets per athlete, for recovery tests)."""

    effects: Effects = "published"
    scale: float = 1.0

    @property
    def spike_hr(self) -> dict[str, float]:
        """Per Frandsen bin of the day's longest run."""
        return SPIKE_HR[self.effects]

    def ratios(self) -> dict[str, float]:
        """The true hazard ratio of each of the hazard model's factors (`models.factors`)."""
        spike = self.spike_hr
        return {
            "spike_10_30": spike["10-30%"],
            "spike_30_100": spike["30-100%"],
            "spike_over_100": spike[">100%"],
            "progression": PROGRESSION_HR[self.effects],
            "acwr": ACWR_HR,
            "monotony": MONOTONY_HR,
            "cadence": CADENCE_HR_PER_5_SPM,
            "balance_shift": ASYMMETRY_HR_PER_PCT,
            "previous_injury": PREVIOUS_INJURY_HR,
            "low_volume": LOW_VOLUME_HR,
            "intensity": INTENSITY_HR,
            "hills": HILLS_HR,
        }

    def log_contributions(self, s: LoadState) -> dict[str, float]:
        """log hazard ratio of every factor (0 when a factor does not apply)."""
        return {
            "spike": math.log(s.spike_hr),
            "progression": _flag(
                s.weekly_progression is not None and s.weekly_progression > PROGRESSION_THRESHOLD,
                PROGRESSION_HR[self.effects],
            ),
            "acwr": _flag(s.acwr is not None and s.acwr > ACWR_THRESHOLD, ACWR_HR),
            "monotony": _flag(
                s.monotony is not None and s.monotony > MONOTONY_THRESHOLD, MONOTONY_HR
            ),
            "cadence": math.log(CADENCE_HR_PER_5_SPM)
            * min(s.cadence_deficit_spm, CADENCE_DEFICIT_CAP_SPM)
            / CADENCE_STEP_SPM,
            "asymmetry": math.log(ASYMMETRY_HR_PER_PCT) * s.asymmetry_pct,
            "previous_injury": _flag(s.previous_injury, PREVIOUS_INJURY_HR),
            "low_volume": _flag(
                s.km_per_week_28d is not None and s.km_per_week_28d < LOW_VOLUME_KM_PER_WEEK,
                LOW_VOLUME_HR,
            ),
            "intensity": _flag(
                s.intensity_share is not None and s.intensity_share > INTENSITY_SHARE,
                INTENSITY_HR,
            ),
            "hills": _flag(
                s.hills_m_per_km is not None and s.hills_m_per_km > HILLS_M_PER_KM, HILLS_HR
            ),
        }

    def daily(self, contributions: dict[str, float]) -> float:
        """The day's hazard rate: base rate · scale · every factor's hazard ratio."""
        return BASE_HAZARD_PER_DAY * self.scale * math.exp(sum(contributions.values()))


PUBLISHED = Hazard()
"""The world as the studies estimate it."""


def _flag(on: bool, hazard_ratio: float) -> float:
    return math.log(hazard_ratio) if on else 0.0
