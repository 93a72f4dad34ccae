"""Generated files whose every value was chosen, so the expected results are known by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import fitparse
import numpy as np
import polars as pl
import pytest

from stridewise.features.fit import read_activity
from stridewise.features.fit.encode import UINT8, UINT32, FieldSpec, FitWriter
from stridewise.features.fit.profile import FIT_EPOCH_UNIX_S
from stridewise.simulator.fitfile import ActivitySpec, Leg, encode_activity
from stridewise.simulator.track import Track
from tests.features.fit.conftest import steady_run

START = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def test_steady_run_values(run_fit: bytes) -> None:
    a = read_activity(run_fit)
    r = a.records
    assert r.height == 121  # 0, 5, ..., 600 s
    assert r["cadence_spm"].unique().to_list() == [171.0]  # 85 strides + 64/128, doubled
    assert r["gct_balance_left_pct"].unique().to_list() == [50.5]
    assert r["gct_ms"].unique().to_list() == [250.0]
    assert r["latitude_deg"].unique().to_list() == [45.0]  # 536870912 semicircles
    assert r["longitude_deg"].unique().to_list() == [-90.0]
    assert r["distance_m"][-1] == 1800.0 and r["speed_mps"].unique().to_list() == [3.0]
    assert r["timestamp"][0] == START and r["elapsed_s"][-1] == 600.0
    for absent in ("altitude_m", "power_w", "vertical_oscillation_mm", "step_length_mm"):
        assert r[absent].null_count() == r.height, f"{absent}: no sensor means null, not zero"
    assert (a.sport, a.sub_sport, a.is_running, a.truncated) == ("running", "generic", True, False)
    assert (a.distance_m, a.timer_time_s, a.elapsed_time_s, a.laps) == (1800.0, 600.0, 600.0, 1)
    assert a.moving_time_s == 600.0 and r["moving"].all()
    assert str(a.device) == "garmin/fr945" and a.device.serial_number == 3_900_000_001
    assert a.has_running_dynamics


def test_pause_stops_the_moving_flag_and_time() -> None:
    spec = ActivitySpec(START, [Leg("running", steady_run())], pauses=[(100, 130)])
    a = read_activity(encode_activity(spec))
    stopped = a.records.filter(~pl.col("moving"))["elapsed_s"].to_list()
    assert stopped == [105.0, 110.0, 115.0, 120.0, 125.0]  # 100 and 130 close and open spans
    assert a.moving_time_s == 570.0 and a.timer_time_s == 570.0


@pytest.mark.parametrize(
    ("start", "offset", "local"),
    [
        (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), 3600, date(2026, 3, 2)),
        (datetime(2026, 3, 2, 2, 0, tzinfo=UTC), -5 * 3600, date(2026, 3, 1)),
        (datetime(2026, 3, 1, 12, 0, tzinfo=UTC), 5 * 3600 + 1800, date(2026, 3, 1)),
    ],
    ids=["east-past-midnight", "west-before-midnight", "half-hour-zone"],
)
def test_local_date_uses_the_activity_offset(start: datetime, offset: int, local: date) -> None:
    a = read_activity(encode_activity(ActivitySpec(start, [Leg("running", steady_run())], offset)))
    assert (a.start_time_utc, a.utc_offset_s, a.local_date) == (start, offset, local)


def test_multisport_keeps_other_sports_as_cross_training() -> None:
    run = steady_run()
    t = np.arange(0, 601, 5)
    bike = Track(t=t + 660, distance_m=8.0 * t, speed_mps=8.0 + 0 * t, cadence_spm=170.0 + 0 * t)
    a = read_activity(
        encode_activity(ActivitySpec(START, [Leg("running", run), Leg("cycling", bike)]))
    )
    assert a.sport == "multisport" and a.is_running
    assert [s.sport for s in a.cross_training] == ["cycling"]
    assert a.records.group_by("session").len().sort("session")["len"].to_list() == [121, 121]
    assert a.running_records()["cadence_spm"].unique().to_list() == [171.0]
    cycling = a.records.filter(pl.col("session") == 1)
    assert cycling["cadence_spm"].null_count() == 121  # pedal rpm is not steps per minute
    assert a.distance_m == 1800.0 + 4800.0


def _records_file(timestamps: list[tuple[int, int | None]], *, big_endian: bool = False) -> bytes:
    """Records with a heart rate; (raw time, None) is a full timestamp, (offset, 5) compressed."""
    w = FitWriter(big_endian=big_endian)
    w.define(0, 20, [FieldSpec(253, UINT32), FieldSpec(3, UINT8)])
    w.define(1, 20, [FieldSpec(3, UINT8)])
    for value, compressed in timestamps:
        if compressed is None:
            w.write(0, [value, 140])
        else:
            w.write(1, [141], time_offset=value)
    return w.to_bytes()


def test_compressed_timestamps_roll_over_like_fitparse() -> None:
    t = 1_000_000_030  # t mod 32 == 30
    data = _records_file([(t, None), (31, 5), (2, 5), (4, 5)])
    by_hand = [t, t + 1, t + 4, t + 6]  # 31 >= 30; 2 < 31 rolls over; 4 >= 2
    expected = [datetime.fromtimestamp(x + FIT_EPOCH_UNIX_S, UTC) for x in by_hand]
    assert read_activity(data).records["timestamp"].to_list() == expected
    reference = [
        m.get_value("timestamp").replace(tzinfo=UTC)
        for m in fitparse.FitFile(data).get_messages("record")
    ]
    assert reference == expected


def test_big_endian_definitions_read_the_same() -> None:
    times = [(1_000_000_000 + 2 * i, None) for i in range(5)]
    little = read_activity(_records_file(times)).records
    big = read_activity(_records_file(times, big_endian=True)).records
    assert big.equals(little) and little["heart_rate_bpm"].to_list() == [140.0] * 5


def test_device_relative_clock_has_no_utc_time_but_keeps_elapsed() -> None:
    data = _records_file([(5000, None), (5003, None), (5010, None)])
    r = read_activity(data).records
    assert r["timestamp"].null_count() == 3 and r["elapsed_s"].to_list() == [0.0, 3.0, 10.0]


def test_developer_power_field_becomes_a_dev_column() -> None:
    run = steady_run(60)
    run = replace(run, power_w=200 + run.t // 5)
    a = read_activity(encode_activity(ActivitySpec(START, [Leg("running", run)], dev_power=True)))
    assert a.records["dev_power"].to_list() == [float(200 + i) for i in range(13)]
    assert a.records["power_w"].null_count() == 13  # the native field stays empty


def test_cut_short_run_still_knows_its_sport(run_fit: bytes) -> None:
    a = read_activity(run_fit[: len(run_fit) // 2])
    assert a.truncated and a.sport == "running" and 0 < a.records.height < 121
