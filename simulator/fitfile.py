"""Encode one simulated activity as a real FIT activity file, the way a running watch writes it.

Messages: file_id, device_info, event (timer start/stop), record, lap, session, activity, and
developer fields (a Stryd-like "Power") when asked. Units in `Sample` are the frame contract's;
they are converted to the profile's raw integers here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from features.fit.encode import (
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
)
from features.fit.profile import FIT_EPOCH_UNIX_S

SPORTS = {"running": 1, "cycling": 2, "walking": 11}
SUB_SPORTS = {"generic": 0, "treadmill": 1, "trail": 3, "road": 7, "indoor_cycling": 6}


@dataclass(frozen=True)
class Sample:
    """One record: seconds since the start and what the sensors read (None: no sensor)."""

    t: int
    distance_m: float
    speed_mps: float
    heart_rate_bpm: int | None = None
    cadence_spm: float | None = None
    altitude_m: float | None = None
    latitude_deg: float | None = None
    longitude_deg: float | None = None
    gct_ms: float | None = None
    gct_balance_left_pct: float | None = None
    vertical_oscillation_mm: float | None = None
    vertical_ratio_pct: float | None = None
    step_length_mm: float | None = None
    power_w: int | None = None


@dataclass(frozen=True)
class Leg:
    """One session of the activity: its sport and its records (times relative to the start)."""

    sport: str
    samples: Sequence[Sample]
    sub_sport: str = "generic"


@dataclass(frozen=True)
class Device:
    manufacturer: int = 1  # garmin
    product: int = 3113  # garmin_product fr945
    serial_number: int = 3_900_000_001


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


_RECORD = [
    FieldSpec(253, UINT32),
    FieldSpec(5, UINT32),
    FieldSpec(73, UINT32),
    FieldSpec(3, UINT8),
    FieldSpec(4, UINT8),
    FieldSpec(53, UINT8),
    FieldSpec(78, UINT32),
    FieldSpec(0, SINT32),
    FieldSpec(1, SINT32),
    FieldSpec(41, UINT16),
    FieldSpec(84, UINT16),
    FieldSpec(39, UINT16),
    FieldSpec(83, UINT16),
    FieldSpec(85, UINT16),
]


def _raw(value: float | None, scale: float, offset: float = 0.0) -> int | None:
    return None if value is None else round((value + offset) * scale)


def _fit_time(moment: datetime, seconds: float = 0) -> int:
    return int(moment.timestamp()) - FIT_EPOCH_UNIX_S + int(seconds)


def _cadence(spm: float | None) -> tuple[int | None, int | None]:
    """Steps/min as FIT stores it: whole strides/min plus 1/128ths."""
    if spm is None:
        return None, None
    strides = spm / 2
    whole = math.floor(strides)
    return whole, round((strides - whole) * 128)


def _semicircles(degrees: float | None) -> int | None:
    return None if degrees is None else round(degrees * 2**31 / 180)


def encode_activity(spec: ActivitySpec) -> bytes:
    """The bytes of a FIT activity file for `spec`."""
    w = FitWriter()
    start = _fit_time(spec.start_utc)
    samples = [s for leg in spec.legs for s in leg.samples]
    end = start + samples[-1].t
    w.define(
        0,
        0,
        [
            FieldSpec(0, ENUM),
            FieldSpec(1, UINT16),
            FieldSpec(2, UINT16),
            FieldSpec(3, UINT32Z),
            FieldSpec(4, UINT32),
        ],
    )
    d = spec.device
    w.write(0, [4, d.manufacturer, d.product, d.serial_number, start])
    first = spec.legs[0]
    w.define(1, 12, [FieldSpec(0, ENUM), FieldSpec(1, ENUM)])  # so a cut-short file knows its sport
    w.write(1, [SPORTS[first.sport], SUB_SPORTS[first.sub_sport]])
    w.define(1, 21, [FieldSpec(253, UINT32), FieldSpec(0, ENUM), FieldSpec(1, ENUM)])
    w.write(1, [start, 0, 0])  # timer start
    if spec.dev_power:
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
    dev = [DevFieldSpec(0, 0, UINT16)] if spec.dev_power else []
    w.define(3, 20, _RECORD, dev)
    pauses = sorted(spec.pauses)
    for s in samples:
        while pauses and pauses[0][0] <= s.t:
            stop, restart = pauses.pop(0)
            w.write(1, [start + stop, 0, 4])  # stop_all
            w.write(1, [start + restart, 0, 0])  # start
        whole, fraction = _cadence(s.cadence_spm)
        values: list[int | None] = [
            start + s.t,
            _raw(s.distance_m, 100),
            _raw(s.speed_mps, 1000),
            s.heart_rate_bpm,
            whole,
            fraction,
            _raw(s.altitude_m, 5, 500),
            _semicircles(s.latitude_deg),
            _semicircles(s.longitude_deg),
            _raw(s.gct_ms, 10),
            _raw(s.gct_balance_left_pct, 100),
            _raw(s.vertical_oscillation_mm, 10),
            _raw(s.vertical_ratio_pct, 100),
            _raw(s.step_length_mm, 10),
        ]
        w.write(3, values + ([s.power_w] if spec.dev_power else []))
    w.write(1, [end, 0, 4])  # stop_all
    _summaries(w, spec, start)
    return w.to_bytes()


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
        first, last = leg.samples[0].t, leg.samples[-1].t
        paused = sum(max(0, min(b, last) - max(a, first)) for a, b in spec.pauses)
        totals = [
            start + last,
            start + first,
            (last - first) * 1000,
            (last - first - paused) * 1000,
            _raw(leg.samples[-1].distance_m - leg.samples[0].distance_m, 100),
            SPORTS[leg.sport],
            SUB_SPORTS[leg.sub_sport],
        ]
        w.write(4, totals)
        w.write(5, [*totals, 1])
    end = start + spec.legs[-1].samples[-1].t
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
