"""Encode one simulated activity as a real FIT activity file, the way a running watch writes it.

Messages: file_id, device_info, event (timer start/stop), record, lap, session, activity, and
developer fields (a Stryd-like "Power") when asked. Records come from `Track`s, whose values
become the profile's raw integers in `track.raw_record_columns`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from stridewise.features.fit.encode import (
    ENUM,
    SINT32,
    STRING,
    UINT8,
    UINT16,
    UINT32,
    UINT32Z,
    DevFieldSpec,
    FieldSpec,
    FitWriter,
    write_file_id,
)
from stridewise.features.fit.profile import FIT_EPOCH_UNIX_S, RECORD
from stridewise.simulator.track import Track, raw_record_columns

SPORTS = {"running": 1, "cycling": 2, "walking": 11}
SUB_SPORTS = {"generic": 0, "treadmill": 1, "trail": 3, "road": 7, "indoor_cycling": 6}


@dataclass(frozen=True)
class Leg:
    """One session of the activity: its sport and its records (times relative to the start)."""

    sport: str
    track: Track
    sub_sport: str = "generic"


@dataclass(frozen=True)
class Device:
    manufacturer: int = 1  # garmin
    product: int = 3113  # garmin_product fr945
    serial_number: int = 3_900_000_001
    software_version: int = 1210  # 12.10


@dataclass(frozen=True)
class ActivitySpec:
    """Everything one FIT activity file says."""

    start_utc: datetime
    legs: Sequence[Leg]
    utc_offset_s: int = 0
    pauses: Sequence[tuple[int, int]] = ()
    """(stop, restart) seconds since the start: the timer is stopped in between."""
    device: Device = field(default_factory=Device)
    dev_power: bool = False
    """Write power as a Connect IQ developer field named "Power" (as Stryd does)."""


_RECORD_FIELDS = (
    "distance",
    "enhanced_speed",
    "heart_rate",
    "cadence",
    "fractional_cadence",
    "enhanced_altitude",
    "position_lat",
    "position_long",
    "stance_time",
    "stance_time_balance",
    "vertical_oscillation",
    "vertical_ratio",
    "step_length",
)
_BASE_TYPES = {"position_lat": SINT32, "position_long": SINT32, "distance": UINT32}
_BASE_TYPES |= {"enhanced_speed": UINT32, "enhanced_altitude": UINT32}
_BASE_TYPES |= {"heart_rate": UINT8, "cadence": UINT8, "fractional_cadence": UINT8}


def _record_fields(spec: ActivitySpec) -> list[str]:
    """The record fields some leg has a value for: a watch writes only the sensors it has."""
    raws = [raw_record_columns(leg.track) for leg in spec.legs]
    return [name for name in _RECORD_FIELDS if any(not np.isnan(r[name]).all() for r in raws)]


def _fit_time(moment: datetime, seconds: float = 0) -> int:
    return int(moment.timestamp()) - FIT_EPOCH_UNIX_S + int(seconds)


def timer_seconds(leg: Leg, pauses: Sequence[tuple[int, int]]) -> int:
    """What the watch's timer shows for a leg: its span less the pauses inside it."""
    first, last = int(leg.track.t[0]), int(leg.track.t[-1])
    paused = sum(max(0, min(b, last) - max(a, first)) for a, b in pauses)
    return last - first - paused


FILE_ACTIVITY = 4


def encode_activity(spec: ActivitySpec) -> bytes:
    """The bytes of a FIT activity file for `spec`."""
    w = FitWriter()
    start = _fit_time(spec.start_utc)
    end = start + int(spec.legs[-1].track.t[-1])
    d = spec.device
    write_file_id(w, FILE_ACTIVITY, d.manufacturer, d.product, d.serial_number, start)
    w.define(2, 23, [*_DEVICE_INFO])
    w.write(2, [start, 0, d.manufacturer, d.serial_number, d.product, d.software_version])
    first = spec.legs[0]
    w.define(1, 12, [FieldSpec(0, ENUM), FieldSpec(1, ENUM)])  # so a cut-short file knows its sport
    w.write(1, [SPORTS[first.sport], SUB_SPORTS[first.sub_sport]])
    w.define(1, 21, [FieldSpec(253, UINT32), FieldSpec(0, ENUM), FieldSpec(1, ENUM)])
    w.write(1, [start, 0, 0])  # timer start
    if spec.dev_power:
        _declare_power(w)
    dev = [DevFieldSpec(0, 0, UINT16)] if spec.dev_power else []
    fields = _record_fields(spec)
    layout = [FieldSpec(RECORD.field(n).num, _BASE_TYPES.get(n, UINT16)) for n in fields]
    w.define(3, 20, [FieldSpec(253, UINT32), *layout], dev)
    pending = sorted(spec.pauses)
    for leg in spec.legs:
        raw = raw_record_columns(leg.track)
        columns = [start + leg.track.t, *(raw[name] for name in fields)]
        if spec.dev_power:
            columns.append(raw["power"])
        written = 0
        while pending and pending[0][0] <= leg.track.t[-1]:
            stop, restart = pending.pop(0)  # timer events go before the first record at or after
            at = int(np.searchsorted(leg.track.t, stop, "left"))
            w.write_many(3, [c[written:at] for c in columns])
            w.write(1, [start + stop, 0, 4])  # stop_all
            w.write(1, [start + restart, 0, 0])  # start
            written = at
        w.write_many(3, [c[written:] for c in columns])
    w.write(1, [end, 0, 4])  # stop_all
    _summaries(w, spec, start)
    return w.to_bytes()


_DEVICE_INFO = (
    FieldSpec(253, UINT32),
    FieldSpec(0, UINT8),  # device_index 0: the creator
    FieldSpec(2, UINT16),  # manufacturer
    FieldSpec(3, UINT32Z),  # serial_number
    FieldSpec(4, UINT16),  # product
    FieldSpec(5, UINT16),  # software_version, x100
)


def _declare_power(w: FitWriter) -> None:
    """A Connect IQ developer field "Power" in watts, as Stryd declares it."""
    w.define(2, 207, [FieldSpec(3, UINT8), FieldSpec(1, UINT8)])
    w.write(2, [0, 1])
    w.define(
        2,
        206,
        [
            FieldSpec(0, UINT8),
            FieldSpec(1, UINT8),
            FieldSpec(2, UINT8),
            FieldSpec(3, STRING, 16),
            FieldSpec(8, STRING, 8),
        ],
    )
    w.write(2, [0, 0, UINT16, "Power", "Watts"])


def _summaries(w: FitWriter, spec: ActivitySpec, start: int) -> None:
    """lap and session per leg, then the activity message with the local time."""
    summary = [
        FieldSpec(253, UINT32),
        FieldSpec(2, UINT32),
        FieldSpec(7, UINT32),
        FieldSpec(8, UINT32),
        FieldSpec(9, UINT32),
        FieldSpec(5, ENUM),
        FieldSpec(6, ENUM),
    ]
    w.define(4, 19, summary)
    w.define(5, 18, [*summary, FieldSpec(26, UINT16)])
    for leg in spec.legs:
        first, last = int(leg.track.t[0]), int(leg.track.t[-1])
        distance = RECORD.field("distance").to_raw(leg.track.distance_m[[0, -1]])
        totals = [
            start + last,
            start + first,
            (last - first) * 1000,
            timer_seconds(leg, spec.pauses) * 1000,
            int(distance[1] - distance[0]),
            SPORTS[leg.sport],
            SUB_SPORTS[leg.sub_sport],
        ]
        w.write(4, totals)
        w.write(5, [*totals, 1])
    end = start + int(spec.legs[-1].track.t[-1])
    w.define(
        6,
        34,
        [
            FieldSpec(253, UINT32),
            FieldSpec(1, UINT16),
            FieldSpec(5, UINT32),
            FieldSpec(2, ENUM),
            FieldSpec(3, ENUM),
            FieldSpec(4, ENUM),
        ],
    )
    w.write(6, [end, len(spec.legs), end + spec.utc_offset_s, 0, 26, 1])
