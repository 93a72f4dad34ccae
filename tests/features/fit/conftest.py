from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from stridewise.simulator.fitfile import ActivitySpec, Leg, encode_activity
from stridewise.simulator.track import Track


def steady_run(seconds: int = 600, step: int = 5) -> Track:
    """A run at 3 m/s, 171 steps/min, GCT balance 50.5 % left: values chosen to be exact in FIT."""
    t = np.arange(0, seconds + 1, step)
    same = np.ones(len(t))
    return Track(
        t=t,
        distance_m=3.0 * t,
        speed_mps=3.0 * same,
        heart_rate_bpm=150 * same,
        cadence_spm=171.0 * same,
        gct_ms=250.0 * same,
        gct_balance_left_pct=50.5 * same,
        latitude_deg=45.0 * same,
        longitude_deg=-90.0 * same,
    )


@pytest.fixture(scope="session")
def run_fit() -> bytes:
    """A generated 10-minute run, 121 records, no pauses."""
    spec = ActivitySpec(datetime(2026, 3, 1, 6, 0, tzinfo=UTC), [Leg("running", steady_run())])
    return encode_activity(spec)
