"""Every running file of the corpus decodes to what fitparse, the reference decoder, says.

Two checks per file, from one fitparse pass:
- the whole activity (records frame, sessions, device, dates, moving time) equals the one
  assembled from fitparse's messages;
- each column of the frame contract equals the DESIGN.md formula applied here, independently,
  to fitparse's `get_values()` (steps/min = 2 x (cadence + fractional_cadence), enhanced_*
  first, degrees = semicircles x 180 / 2^31, nulls for absent sensors).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import fitparse
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from stridewise.features.fit import read_activity
from stridewise.features.fit.activity import activity_from_tables
from stridewise.features.fit.reference import tables_from_fitparse
from tests.corpus import RUNNING_KINDS, corpus_files

SEMICIRCLE = 180 / 2**31
SIMPLE = {
    "distance_m": "distance",
    "heart_rate_bpm": "heart_rate",
    "power_w": "power",
    "grade_pct": "grade",
    "temperature_c": "temperature",
    "gct_ms": "stance_time",
    "gct_pct": "stance_time_percent",
    "gct_balance_left_pct": "stance_time_balance",
    "vertical_oscillation_mm": "vertical_oscillation",
    "vertical_ratio_pct": "vertical_ratio",
    "step_length_mm": "step_length",
}


def _by_hand(values: dict) -> dict[str, object]:
    """The frame-contract columns of one fitparse record, by the formulas of DESIGN.md §4."""

    def number(name: str) -> float | None:
        v = values.get(name)
        return float(v) if isinstance(v, int | float) else None

    def first(*names: str) -> float | None:
        return next((number(n) for n in names if number(n) is not None), None)

    cadence, fraction = number("cadence"), number("fractional_cadence")
    lat, lon = number("position_lat"), number("position_long")
    stamp = values.get("timestamp")
    return {
        "timestamp": stamp.replace(tzinfo=UTC) if isinstance(stamp, datetime) else None,
        "speed_mps": first("enhanced_speed", "speed"),
        "altitude_m": first("enhanced_altitude", "altitude"),
        "latitude_deg": None if lat is None else lat * SEMICIRCLE,
        "longitude_deg": None if lon is None else lon * SEMICIRCLE,
        "cadence_spm": None if cadence is None else 2 * (cadence + (fraction or 0.0)),
        **{column: number(name) for column, name in SIMPLE.items()},
    }


def _timer_spans(messages: list) -> list[tuple[float, float]]:
    """Timer start..stop spans, walked event by event (stop, stop_all, stop_disable[_all])."""
    spans, opened = [], None
    events = [m for m in messages if m.name == "event" and m.get_value("event") == "timer"]
    events.sort(key=lambda m: m.get_raw_value("timestamp"))
    for m in events:
        kind, t = m.get_value("event_type"), m.get_raw_value("timestamp")
        if kind == "start" and opened is None:
            opened = t
        elif kind in ("stop", "stop_all", "stop_disable", "stop_disable_all"):
            if opened is None and not spans:
                opened = -math.inf  # the timer ran before the first stop
            if opened is not None:
                spans.append((opened, t))
                opened = None
    if opened is not None:
        spans.append((opened, math.inf))
    return spans or [(-math.inf, math.inf)]


@pytest.mark.parametrize("path", corpus_files(*RUNNING_KINDS))
def test_running_file_matches_fitparse(path: Path) -> None:
    actual = read_activity(path)
    messages = list(fitparse.FitFile(str(path)).get_messages())

    expected = activity_from_tables(tables_from_fitparse(messages), actual.sha256)
    assert_frame_equal(actual.records, expected.records)
    assert actual.sessions == expected.sessions
    assert (actual.device, actual.start_time_utc, actual.local_date, actual.utc_offset_s) == (
        expected.device,
        expected.start_time_utc,
        expected.local_date,
        expected.utc_offset_s,
    )
    assert actual.moving_time_s == expected.moving_time_s

    records = [m for m in messages if m.name == "record"]
    assert actual.records.height == len(records)
    by_hand = pl.DataFrame(
        [_by_hand(m.get_values()) for m in records],
        schema={
            c: actual.records.schema[c]
            for c in [
                "timestamp",
                "speed_mps",
                "altitude_m",
                "latitude_deg",
                "longitude_deg",
                "cadence_spm",
                *SIMPLE,
            ]
        },
    )
    running = actual.is_running_record()
    assert running.any(), "a running file has running records"
    assert_frame_equal(
        actual.records.filter(running).select(by_hand.columns),
        by_hand.filter(running),
        check_exact=False,
        rel_tol=1e-12,
    )

    spans = _timer_spans(messages)
    times = [m.get_raw_value("timestamp") for m in records]
    moving = [t is not None and any(a <= t <= b for a, b in spans) for t in times]
    assert actual.records["moving"].to_list() == moving

    sessions = [m for m in messages if m.name == "session"]
    if sessions:
        assert sorted(str(s.sport) for s in actual.sessions) == sorted(
            str(m.get_value("sport")) for m in sessions
        )
        assert math.isclose(
            actual.distance_m or 0.0,
            sum(m.get_value("total_distance") or 0.0 for m in sessions),
        )
