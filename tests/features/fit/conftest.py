from __future__ import annotations

from datetime import UTC, datetime

import pytest

from simulator.fitfile import ActivitySpec, Leg, Sample, encode_activity


def steady_run(seconds: int = 600, step: int = 5) -> list[Sample]:
    """A run at 3 m/s, 171 steps/min, GCT balance 50.5 % left: values chosen to be exact in FIT."""
    return [
        Sample(
            t=t,
            distance_m=3.0 * t,
            speed_mps=3.0,
            heart_rate_bpm=150,
            cadence_spm=171.0,
            gct_ms=250.0,
            gct_balance_left_pct=50.5,
            latitude_deg=45.0,
            longitude_deg=-90.0,
        )
        for t in range(0, seconds + 1, step)
    ]


@pytest.fixture(scope="session")
def run_fit() -> bytes:
    """A generated 10-minute run, 121 records, no pauses."""
    spec = ActivitySpec(datetime(2026, 3, 1, 6, 0, tzinfo=UTC), [Leg("running", steady_run())])
    return encode_activity(spec)
