"""Turn decoded FIT messages into an `Activity`: a summary plus records in the frame contract.

The frame contract (`RECORD_SCHEMA`, documented in docs/frame_contract.md) is what every later
stage reads: SI-ish units in the column names, nulls for absent sensors, never zeros.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from stridewise.features.fit.columns import decode_tables
from stridewise.features.fit.errors import FitDecodeError, NotAnActivity
from stridewise.features.fit.limits import LIMITS, Limits
from stridewise.features.fit.profile import (
    EVENT_TIMER,
    EVENT_TYPE_START,
    EVENT_TYPES_STOP,
    FIT_EPOCH_UNIX_S,
    FOOT_SPORTS,
    RELATIVE_TIME_LIMIT,
    SEMICIRCLES_TO_DEGREES,
    SPORT_RUNNING,
    enum_name,
    product_name,
)
from stridewise.features.fit.tables import Columns, MessageTables, coalesce

Decoder = Literal["numpy", "fitparse"]

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Larger files are refused unread: a day-long 1 Hz activity with every sensor is ~10 MB, and
the message limit (`limits.py`) allows about 60 MB of such records; the corpus' largest file
is 3 MB. The decoder's memory is about twice the file's size beyond what its values take."""

RUNNING_DYNAMICS = (
    "gct_ms",
    "gct_pct",
    "gct_balance_left_pct",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "step_length_mm",
)

RECORD_SCHEMA: dict[str, pl.DataType] = {
    "timestamp": pl.Datetime("us", "UTC"),
    "elapsed_s": pl.Float64(),
    "session": pl.UInt16(),
    "moving": pl.Boolean(),
    "distance_m": pl.Float64(),
    "speed_mps": pl.Float64(),
    "altitude_m": pl.Float64(),
    "latitude_deg": pl.Float64(),
    "longitude_deg": pl.Float64(),
    "heart_rate_bpm": pl.Float64(),
    "cadence_spm": pl.Float64(),
    "power_w": pl.Float64(),
    "grade_pct": pl.Float64(),
    "temperature_c": pl.Float64(),
    **{name: pl.Float64() for name in RUNNING_DYNAMICS},
}
"""The records frame contract; developer fields follow as extra `dev_*` Float64 columns."""

_RENAMED = {
    "distance": "distance_m",
    "heart_rate": "heart_rate_bpm",
    "power": "power_w",
    "grade": "grade_pct",
    "temperature": "temperature_c",
    "stance_time": "gct_ms",
    "stance_time_percent": "gct_pct",
    "stance_time_balance": "gct_balance_left_pct",
    "vertical_oscillation": "vertical_oscillation_mm",
    "vertical_ratio": "vertical_ratio_pct",
    "step_length": "step_length_mm",
}


@dataclass(frozen=True)
class Session:
    """One sport segment of an activity (a multisport file has several)."""

    index: int
    sport: str | None
    sub_sport: str | None
    start_time_utc: datetime | None
    distance_m: float | None
    timer_time_s: float | None
    elapsed_time_s: float | None
    ascent_m: float | None
    laps: int

    @property
    def is_running(self) -> bool:
        """Running, trail and treadmill runs count as running load; everything else does not."""
        return self.sport == enum_name("sport", SPORT_RUNNING)


@dataclass(frozen=True)
class Device:
    manufacturer: str | None
    product: str | None
    serial_number: int | None

    def __str__(self) -> str:
        return "/".join(part or "?" for part in (self.manufacturer, self.product))


@dataclass(frozen=True)
class Activity:
    """A decoded FIT activity: summary fields, sessions and the records frame."""

    sha256: str
    sessions: tuple[Session, ...]
    records: pl.DataFrame
    device: Device
    start_time_utc: datetime | None
    utc_offset_s: int | None
    local_date: date | None
    moving_time_s: float
    """Seconds the timer ran between the first and last record (pauses excluded)."""
    truncated: bool

    @property
    def sport(self) -> str | None:
        sports = {s.sport for s in self.sessions}
        return sports.pop() if len(sports) == 1 else ("multisport" if sports else None)

    @property
    def sub_sport(self) -> str | None:
        subs = {s.sub_sport for s in self.sessions}
        return subs.pop() if len(subs) == 1 else None

    @property
    def is_running(self) -> bool:
        return any(s.is_running for s in self.sessions)

    @property
    def cross_training(self) -> tuple[Session, ...]:
        """Sessions of other sports: recorded as cross-training, never dropped."""
        return tuple(s for s in self.sessions if not s.is_running)

    def is_running_record(self) -> pl.Series:
        """Per record, whether it belongs to a running session."""
        return self.records["session"].is_in([s.index for s in self.sessions if s.is_running])

    def running_records(self) -> pl.DataFrame:
        """The records of the running sessions only."""
        return self.records.filter(self.is_running_record())

    @property
    def has_running_dynamics(self) -> bool:
        frame = self.running_records().select(RUNNING_DYNAMICS)
        return (
            frame.height > 0
            and frame.null_count().sum_horizontal().item() < frame.width * frame.height
        )

    def _total(self, attr: str) -> float | None:
        values = [getattr(s, attr) for s in self.sessions if getattr(s, attr) is not None]
        return float(sum(values)) if values else None

    @property
    def distance_m(self) -> float | None:
        return self._total("distance_m")

    @property
    def timer_time_s(self) -> float | None:
        return self._total("timer_time_s")

    @property
    def elapsed_time_s(self) -> float | None:
        return self._total("elapsed_time_s")

    @property
    def ascent_m(self) -> float | None:
        return self._total("ascent_m")

    @property
    def laps(self) -> int:
        return sum(s.laps for s in self.sessions)


def _decoder(name: Decoder, limits: Limits) -> Callable[..., MessageTables]:
    if name == "fitparse":
        from stridewise.features.fit.reference import decode_tables_fitparse

        return decode_tables_fitparse
    return partial(decode_tables, limits=limits)


def read_activity(
    source: str | Path | bytes,
    *,
    decoder: Decoder = "numpy",
    check_crc: bool = True,
    max_bytes: int = MAX_FILE_BYTES,
    limits: Limits = LIMITS,
) -> Activity:
    """Decode one FIT activity file (a path or its bytes); raise FitDecodeError if unreadable.

    `limits` bound the work of the numpy decoder (the fitparse reference has none)."""
    path = None if isinstance(source, bytes) else str(source)
    try:
        data = source if isinstance(source, bytes) else _read_bytes(Path(source), max_bytes)
        return activity_from_tables(
            _decoder(decoder, limits)(data, check_crc=check_crc), hashlib.sha256(data).hexdigest()
        )
    except FitDecodeError as error:
        raise error.with_path(path) if path else error from None


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FitDecodeError(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
        return path.read_bytes()
    except IsADirectoryError:
        raise FitDecodeError("is a directory, not a file") from None
    except OSError as error:
        raise FitDecodeError(f"cannot read: {error.strerror or error}") from None


def activity_from_tables(tables: MessageTables, sha256: str) -> Activity:
    """Assemble summary and records from decoded message tables."""
    _require_activity_file(tables["file_id"])
    raw = tables["record"]
    times = raw["timestamp"]
    sessions_raw = _session_rows(tables)
    segments = _timer_segments(tables["event"])
    records = _records(raw, sessions_raw, _moving(times, segments))
    sessions = tuple(_session(i, row) for i, row in enumerate(sessions_raw))
    start_raw = sessions_raw[0]["start_time"]
    if start_raw is None:
        start_raw = _first(times)
    offset = _utc_offset(tables["activity"])
    return Activity(
        sha256=sha256,
        sessions=sessions,
        records=records,
        device=_device(tables["file_id"]),
        start_time_utc=_utc(start_raw),
        utc_offset_s=offset,
        local_date=_local_date(start_raw, offset, tables["activity"]),
        moving_time_s=_moving_time(times, segments),
        truncated=tables.truncated,
    )


def _first(values: np.ndarray) -> float | None:
    """The first value that is there (not NaN), or None."""
    present = values[~np.isnan(values)]
    return float(present[0]) if len(present) else None


def _value(values: np.ndarray, i: int) -> float | None:
    return None if np.isnan(values[i]) else float(values[i])


def _utc(raw: float | None) -> datetime | None:
    """A FIT time as UTC, None when missing or on a device-relative clock."""
    if raw is None or raw < RELATIVE_TIME_LIMIT:
        return None
    return datetime.fromtimestamp(raw + FIT_EPOCH_UNIX_S, UTC)


def _require_activity_file(file_id: Columns) -> None:
    file_type = _first(file_id["type"])
    if file_type is not None and int(file_type) != 4:
        raise NotAnActivity(
            f"not an activity file (FIT file type: {enum_name('file', int(file_type))})"
        )


_SESSION_FIELDS = (
    "start_time",
    "sport",
    "sub_sport",
    "total_distance",
    "total_timer_time",
    "total_elapsed_time",
    "total_ascent",
)


def _session_rows(tables: MessageTables) -> list[dict[str, float | None]]:
    """Session messages in start order; one made from the records when a file has none."""
    session, laps = tables["session"], len(tables["lap"]["timestamp"])
    count = len(session["timestamp"])
    rows = []
    for i in range(count):
        row = {name: _value(session[name], i) for name in _SESSION_FIELDS}
        if row["start_time"] is None:
            row["start_time"] = _value(session["timestamp"], i)
        row["laps"] = _value(session["num_laps"], i)
        if row["laps"] is None and count == 1:
            row["laps"] = laps  # the only session owns every lap message
        rows.append(row)
    if rows:
        return sorted(rows, key=lambda r: (r["start_time"] is None, r["start_time"] or 0.0))
    times = tables["record"]["timestamp"]
    times = times[~np.isnan(times)]
    distance = tables["record"]["distance"]
    return [
        {
            "start_time": _first(times),
            "sport": _first(tables["sport"]["sport"]),
            "sub_sport": _first(tables["sport"]["sub_sport"]),
            "total_distance": None if np.isnan(distance).all() else float(np.nanmax(distance)),
            "total_timer_time": None,
            "total_elapsed_time": float(times.max() - times.min()) if len(times) else None,
            "total_ascent": None,
            "laps": laps,
        }
    ]


def _session(index: int, row: dict[str, float | None]) -> Session:
    return Session(
        index=index,
        sport=enum_name("sport", _int(row["sport"])),
        sub_sport=enum_name("sub_sport", _int(row["sub_sport"])),
        start_time_utc=_utc(row["start_time"]),
        distance_m=row["total_distance"],
        timer_time_s=row["total_timer_time"],
        elapsed_time_s=row["total_elapsed_time"],
        ascent_m=row["total_ascent"],
        laps=_int(row["laps"]) or 0,
    )


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _records(
    raw: Columns, sessions: list[dict[str, float | None]], moving: np.ndarray
) -> pl.DataFrame:
    """Records in the frame contract, each tagged with the session its time falls in.

    Computed in numpy and handed to polars once: a frame per step costs more than the step.
    """
    t = raw["timestamp"]
    starts = np.array([np.inf if s["start_time"] is None else s["start_time"] for s in sessions])
    session = np.maximum(np.searchsorted(starts, np.nan_to_num(t, nan=-np.inf), "right") - 1, 0)
    foot = np.array([s["sport"] in FOOT_SPORTS for s in sessions])[session]
    strides = raw["cadence"] + np.nan_to_num(raw["fractional_cadence"])
    with np.errstate(invalid="ignore"):  # NaN timestamps compare False: no UTC time
        absolute = t >= RELATIVE_TIME_LIMIT
    microseconds = np.where(absolute, (t + FIT_EPOCH_UNIX_S) * 1_000_000, np.nan)
    measured = {
        "elapsed_s": t - (_first(t) or 0.0),
        "speed_mps": coalesce(raw["enhanced_speed"], raw["speed"]),
        "altitude_m": coalesce(raw["enhanced_altitude"], raw["altitude"]),
        "latitude_deg": raw["position_lat"] * SEMICIRCLES_TO_DEGREES,
        "longitude_deg": raw["position_long"] * SEMICIRCLES_TO_DEGREES,
        "cadence_spm": np.where(foot, 2 * strides, np.nan),
        **{new: raw[old] for old, new in _RENAMED.items()},
        **{c: raw[c] for c in sorted(raw) if c.startswith("dev_")},
    }
    columns = {
        "timestamp": pl.Series(microseconds, nan_to_null=True)
        .cast(pl.Int64)
        .cast(pl.Datetime("us", "UTC")),
        "session": pl.Series(session, dtype=pl.UInt16),
        "moving": pl.Series(moving, dtype=pl.Boolean),
        **{name: pl.Series(values, nan_to_null=True) for name, values in measured.items()},
    }
    order = [*RECORD_SCHEMA, *(c for c in measured if c.startswith("dev_"))]
    return pl.DataFrame({name: columns[name] for name in order})


def _timer_segments(events: Columns) -> tuple[np.ndarray, np.ndarray]:
    """(starts, stops) of the timer's running spans in raw FIT seconds; no events: always."""
    kinds = events["event_type"]
    timer = (events["event"] == EVENT_TIMER) & ~np.isnan(events["timestamp"])
    timer &= np.isin(kinds, [EVENT_TYPE_START, *EVENT_TYPES_STOP])
    order = np.flatnonzero(timer)[np.argsort(events["timestamp"][timer], kind="stable")]
    if not len(order):
        return np.array([-np.inf]), np.array([np.inf])
    starts: list[float] = [] if kinds[order[0]] == EVENT_TYPE_START else [-np.inf]
    stops: list[float] = []
    for time, kind in zip(events["timestamp"][order].tolist(), kinds[order].tolist(), strict=True):
        if kind == EVENT_TYPE_START and len(starts) == len(stops):
            starts.append(time)
        elif kind in EVENT_TYPES_STOP and len(starts) > len(stops):
            stops.append(time)
    if len(starts) > len(stops):
        stops.append(np.inf)
    return np.asarray(starts, dtype=np.float64), np.asarray(stops, dtype=np.float64)


def _moving(times: np.ndarray, segments: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Whether each record lies in a timer span (a record at a start or stop counts as moving)."""
    starts, stops = segments
    at = np.searchsorted(starts, times, "right") - 1
    return (at >= 0) & (times <= stops[np.maximum(at, 0)])


def _moving_time(times: np.ndarray, segments: tuple[np.ndarray, np.ndarray]) -> float:
    """Seconds the timer ran between the first and the last record."""
    valid = times[~np.isnan(times)]
    if not len(valid):
        return 0.0
    starts, stops = segments
    overlap = np.minimum(stops, valid.max()) - np.maximum(starts, valid.min())
    return float(np.clip(overlap, 0, None).sum())


def _activity_times(activity: Columns) -> tuple[float, float] | None:
    """(timestamp, local_timestamp) of the first activity message that has both."""
    both = np.flatnonzero(~np.isnan(activity["timestamp"]) & ~np.isnan(activity["local_timestamp"]))
    if not len(both):
        return None
    return float(activity["timestamp"][both[0]]), float(activity["local_timestamp"][both[0]])


def _utc_offset(activity: Columns) -> int | None:
    """Local minus UTC time of the activity message, to the quarter hour (None if unknown)."""
    times = _activity_times(activity)
    if times is None or times[0] < RELATIVE_TIME_LIMIT:
        return None
    offset = times[1] - times[0]
    if abs(offset) > 14 * 3600:
        return None
    return int(round(offset / 900) * 900)


def _local_date(start_raw: float | None, offset: int | None, activity: Columns) -> date | None:
    """The athlete's calendar day of the start, also for device-relative clocks."""
    if start_raw is None:
        return None
    if start_raw >= RELATIVE_TIME_LIMIT:
        start = _utc(start_raw)
        assert start is not None
        return (start + timedelta(seconds=offset or 0)).date()
    times = _activity_times(activity)
    if times is None or times[1] < RELATIVE_TIME_LIMIT:
        return None
    local_start = times[1] - (times[0] - start_raw)
    return (datetime(1989, 12, 31) + timedelta(seconds=local_start)).date()


def _device(file_id: Columns) -> Device:
    if not len(file_id["timestamp"]):
        return Device(None, None, None)
    manufacturer = _int(_value(file_id["manufacturer"], 0))
    return Device(
        manufacturer=enum_name("manufacturer", manufacturer),
        product=product_name(manufacturer, _int(_value(file_id["product"], 0))),
        serial_number=_int(_value(file_id["serial_number"], 0)),
    )
