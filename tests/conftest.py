"""Fixtures several test packages share: built once per session, read-only for the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from stridewise.simulator.team import Config, simulate


@pytest.fixture(scope="session")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """160 athletes x 52 weeks summary-only, another seed than the shipped model's cohorts,
    hazard x 8 so that a small cohort has enough onsets (training, evaluating, retraining)."""
    out = tmp_path_factory.mktemp("cohort")
    simulate(Config(160, 52, seed=424242, hazard_scale=8.0), out, summary_only=True, workers=2)
    return out
