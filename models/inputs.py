"""The model's inputs: which athlete-day features it reads, and what the evidence says of each.

Each input names its column of the athlete-day table (`features.daily.DAY_SCHEMA`, plus the
injury log's `previous_injury`), the direction the evidence gives it (a monotonic constraint:
more of it can only raise the risk, or only lower it), and the injury
pattern it points to, which picks the recommendation (DESIGN §5). Every input has a direction,
so each is a driver the explanations can name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

Pattern = Literal["lateral", "flexor", "general"]


@dataclass(frozen=True)
class Input:
    name: str
    direction: Literal[-1, 1]
    pattern: Pattern


INPUTS = (
    Input("spike_ratio_max_7d", 1, "lateral"),  # Frandsen 2025
    Input("weekly_progression", 1, "lateral"),  # Nielsen 2014
    Input("acwr", 1, "lateral"),  # Williams 2017 (small effect)
    Input("acwr_ewma", 1, "lateral"),
    Input("monotony", 1, "general"),  # Foster 1998
    Input("cadence_prior_residual_28d_spm", -1, "lateral"),  # Heiderscheit 2011
    Input("gct_balance_shift_7d_pct", 1, "general"),  # Malisoux 2024 (weak)
    Input("previous_injury", 1, "general"),  # van der Worp 2015
    Input("km_28d", -1, "lateral"),  # low volume: Abrahamson 2025
    Input("high_intensity_share_7d", 1, "flexor"),  # Lenhart 2014
    Input("ascent_m_per_km_7d", 1, "flexor"),
)
"""How much history and coverage there is are caveats, not inputs: as inputs they let the
trees learn the simulated cohorts' artefacts (docs/model.md, settings tried)."""
NAMES = tuple(i.name for i in INPUTS)
MONOTONIC = tuple(i.direction for i in INPUTS)


def with_inputs(days: pl.DataFrame) -> pl.DataFrame:
    """`days` with the inputs the table does not hold as such (the size of a balance shift)."""
    return days.with_columns(
        pl.col("gct_balance_change_7d_pct").abs().alias("gct_balance_shift_7d_pct")
    )


def input_matrix(days: pl.DataFrame) -> np.ndarray:
    """The model's input rows (float64, NaN where a feature is unknown) of athlete-days that
    already carry `previous_injury` (`stridewise.models.labels.injury_flags`)."""
    return (
        with_inputs(days)
        .select(pl.col(name).cast(pl.Float64) for name in NAMES)
        .to_numpy()
        .astype(np.float64, copy=False)
    )
