"""The hazard model's factors: the model's inputs cut where the studies measured them.

Each factor is a column of the hazard model's design: a yes/no (a spike bin, progression over
30 %, ...) or a dose (per 5 steps/min of cadence deficit, per point of balance shift), so its
coefficient is a log hazard ratio that reads like the study it comes from. An unknown input
counts as the reference level (no spike, no deficit): the model never guesses one. numpy only,
because `stridewise score` builds the design too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from stridewise.features import evidence
from stridewise.features.daily import SPIKE_EDGES
from stridewise.models.inputs import NAMES


@dataclass(frozen=True)
class Factor:
    name: str
    input: str
    """The model input (`models.inputs.NAMES`) it is cut from."""
    level: Callable[[np.ndarray], np.ndarray]
    """The input's values to the factor's (NaN in, NaN out: read as 0)."""
    unit: str


def _between(low: float, high: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda v: np.where(np.isnan(v), np.nan, (v > low) & (v <= high))


def _over(edge: float) -> Callable[[np.ndarray], np.ndarray]:
    return _between(edge, np.inf)


def _under(edge: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda v: np.where(np.isnan(v), np.nan, v < edge)


def _cadence_deficit(v: np.ndarray) -> np.ndarray:
    return np.clip(-v, 0.0, evidence.CADENCE_DEFICIT_CAP_SPM) / evidence.CADENCE_STEP_SPM


SMALL, MODERATE, LARGE = SPIKE_EDGES
FACTORS = (
    Factor("spike_10_30", "spike_ratio_max_7d", _between(SMALL, MODERATE), "a run 10-30 % longer"),
    Factor("spike_30_100", "spike_ratio_max_7d", _between(MODERATE, LARGE), "30-100 % longer"),
    Factor("spike_over_100", "spike_ratio_max_7d", _over(LARGE), "over 100 % longer"),
    Factor(
        "progression", "weekly_progression", _over(evidence.PROGRESSION_THRESHOLD), "> 30 % a week"
    ),
    Factor("acwr", "acwr", _over(evidence.ACWR_THRESHOLD), "ACWR > 1.5"),
    Factor("monotony", "monotony", _over(evidence.MONOTONY_THRESHOLD), "monotony > 2"),
    Factor("cadence", "cadence_prior_residual_28d_spm", _cadence_deficit, "per 5 spm deficit"),
    Factor("balance_shift", "gct_balance_shift_7d_pct", lambda v: v, "per point of balance"),
    Factor("previous_injury", "previous_injury", _over(0.5), "an earlier hip injury"),
    Factor("low_volume", "km_28d", _under(4 * evidence.LOW_VOLUME_KM_PER_WEEK), "< 25 km a week"),
    Factor(
        "intensity", "high_intensity_share_7d", _over(evidence.INTENSITY_SHARE), "> 20 % intense"
    ),
    Factor("hills", "ascent_m_per_km_7d", _over(evidence.HILLS_M_PER_KM), "> 25 m/km climbing"),
)
"""The spike bins are Frandsen 2025's (the reference: up to 10 % longer). `acwr_ewma` has no
factor: no study gives it an effect apart from the ACWR's."""
FACTOR_NAMES = tuple(f.name for f in FACTORS)
_COLUMNS = tuple(NAMES.index(f.input) for f in FACTORS)


def design(x: np.ndarray) -> np.ndarray:
    """The factors of input rows `x` (`models.inputs.input_matrix`), float64, unknown = 0."""
    levels = np.column_stack(
        [f.level(x[:, c]).astype(np.float64) for f, c in zip(FACTORS, _COLUMNS, strict=True)]
    )
    return np.nan_to_num(levels, nan=0.0)
