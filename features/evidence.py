"""Where the literature measured hip-overuse risk (DESIGN §5): the cut points that the simulated
world's hazard, the hazard model's factors and the single-rule baselines share, so that a fitted
hazard ratio and a published one speak of the same days."""

PROGRESSION_THRESHOLD = 0.30
"""Weekly progression above 30 % (Nielsen et al. 2014)."""
ACWR_THRESHOLD = 1.5
MONOTONY_THRESHOLD = 2.0
CADENCE_STEP_SPM = 5.0
"""Cadence effects are per 5 steps/min below what is typical at that speed."""
CADENCE_DEFICIT_CAP_SPM = 20.0
LOW_VOLUME_KM_PER_WEEK = 25.0
INTENSITY_SHARE = 0.20
HILLS_M_PER_KM = 25.0
