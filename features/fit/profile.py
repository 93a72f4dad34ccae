"""The slice of the FIT profile that stridewise decodes, and enum names from Garmin's SDK.

Only the messages and fields the frame contract needs are listed here: naming them keeps the
decoder honest (everything else is skipped by size, never guessed at). Scales and offsets are
those of the FIT SDK profile: value = raw / scale - offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

FIT_EPOCH_UNIX_S = 631_065_600
"""1989-12-31T00:00:00Z, the zero of FIT timestamps, in Unix seconds."""

RELATIVE_TIME_LIMIT = 0x1000_0000
"""FIT timestamps below this are seconds of a device clock, not since the FIT epoch."""

SEMICIRCLES_TO_DEGREES = 180.0 / 2**31

TIMESTAMP_FIELD = 253


@dataclass(frozen=True)
class Field:
    """One profile field: its name, number, and how its raw integer becomes a value."""

    name: str
    num: int
    scale: float = 1.0
    offset: float = 0.0

    def to_value(self, raw: float) -> float:
        """Apply scale and offset the way the FIT SDK (and fitparse) do."""
        if self.scale != 1.0:
            raw = raw / self.scale
        if self.offset:
            raw = raw - self.offset
        return raw

    def to_raw(self, value: np.ndarray) -> np.ndarray:
        """The inverse, for writing: the nearest raw integer (NaN stays NaN, i.e. invalid)."""
        return np.rint((value + self.offset) * self.scale if self.offset else value * self.scale)


@dataclass(frozen=True)
class Message:
    """A profile message: its global number and the fields stridewise reads from it."""

    name: str
    num: int
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _message(name: str, num: int, *fields: Field) -> Message:
    return Message(name, num, (Field("timestamp", TIMESTAMP_FIELD), *fields))


FILE_ID = _message(
    "file_id",
    0,
    Field("type", 0),
    Field("manufacturer", 1),
    Field("product", 2),
    Field("serial_number", 3),
    Field("time_created", 4),
)
SPORT = _message("sport", 12, Field("sport", 0), Field("sub_sport", 1))
SESSION = _message(
    "session",
    18,
    Field("start_time", 2),
    Field("sport", 5),
    Field("sub_sport", 6),
    Field("total_elapsed_time", 7, scale=1000),
    Field("total_timer_time", 8, scale=1000),
    Field("total_distance", 9, scale=100),
    Field("total_ascent", 22),
    Field("num_laps", 26),
)
LAP = _message("lap", 19, Field("start_time", 2))
RECORD = _message(
    "record",
    20,
    Field("position_lat", 0),
    Field("position_long", 1),
    Field("altitude", 2, scale=5, offset=500),
    Field("heart_rate", 3),
    Field("cadence", 4),
    Field("distance", 5, scale=100),
    Field("speed", 6, scale=1000),
    Field("power", 7),
    Field("grade", 9, scale=100),
    Field("temperature", 13),
    Field("vertical_oscillation", 39, scale=10),
    Field("stance_time_percent", 40, scale=100),
    Field("stance_time", 41, scale=10),
    Field("fractional_cadence", 53, scale=128),
    Field("enhanced_speed", 73, scale=1000),
    Field("enhanced_altitude", 78, scale=5, offset=500),
    Field("vertical_ratio", 83, scale=100),
    Field("stance_time_balance", 84, scale=100),
    Field("step_length", 85, scale=10),
)
EVENT = _message("event", 21, Field("event", 0), Field("event_type", 1))
ACTIVITY = _message("activity", 34, Field("local_timestamp", 5))

MESSAGES: tuple[Message, ...] = (FILE_ID, SPORT, SESSION, LAP, RECORD, EVENT, ACTIVITY)

FIELD_DESCRIPTION_NUM = 206
"""Developer field descriptions: names and base types of the `dev_` columns."""
DEVELOPER_DATA_ID_NUM = 207
"""Declares a developer (app) index; its field descriptions start afresh."""

COMPRESSED_SPEED_DISTANCE = 8
"""record field 8: 12 bits of speed (1/100 m/s) and 12 accumulating bits of distance (1/16 m)."""

# Enum values used in logic (FIT profile `event`, `event_type`, `sport`).
EVENT_TIMER = 0
EVENT_TYPE_START = 0
EVENT_TYPES_STOP = frozenset({1, 4, 8, 9})  # stop, stop_all, stop_disable, stop_disable_all
SPORT_RUNNING = 1
FOOT_SPORTS = frozenset({1, 11, 17})  # running, walking, hiking: cadence counts steps


@cache
def _sdk_types() -> dict[str, dict[int, str]]:
    from garmin_fit_sdk.profile import Profile

    return Profile["types"]


def enum_name(type_name: str, raw: int | None) -> str | None:
    """The profile's name for an enum value, its number as text when unknown, None when absent."""
    if raw is None:
        return None
    return _sdk_types()[type_name].get(raw, str(raw))


GARMIN_PRODUCT_MANUFACTURERS = frozenset({1, 13, 15, 89})
"""Manufacturers whose `product` is a `garmin_product` (profile sub-field of file_id.product)."""


def product_name(manufacturer: int | None, product: int | None) -> str | None:
    """Name a product the way the profile's sub-field rule does."""
    if product is None:
        return None
    if manufacturer in GARMIN_PRODUCT_MANUFACTURERS:
        return enum_name("garmin_product", product)
    return str(product)
