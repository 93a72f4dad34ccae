"""What a watch records during one session, as columns, and what a decoder reads back from it.

A `Track` holds the sensors' values at each record (None: that sensor is absent). The same
rounding to FIT's raw integers serves both outputs of the simulator: the FIT file
(`fitfile.py`) and, in summary-only mode, the records frame a decoder would build from it
(`track_records`), so the two give the same features by construction, not by luck.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from stridewise.features.fit.profile import RECORD, SEMICIRCLES_TO_DEGREES


@dataclass(frozen=True)
class Track:
    """Records of one session: `t` in whole seconds since the activity's start."""

    t: np.ndarray
    distance_m: np.ndarray
    speed_mps: np.ndarray
    heart_rate_bpm: np.ndarray | None = None
    cadence_spm: np.ndarray | None = None
    altitude_m: np.ndarray | None = None
    latitude_deg: np.ndarray | None = None
    longitude_deg: np.ndarray | None = None
    gct_ms: np.ndarray | None = None
    gct_balance_left_pct: np.ndarray | None = None
    vertical_oscillation_mm: np.ndarray | None = None
    vertical_ratio_pct: np.ndarray | None = None
    step_length_mm: np.ndarray | None = None
    power_w: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.t)

    def take(self, index: np.ndarray) -> Track:
        """The records at `index` (e.g. what smart recording keeps)."""
        return Track(
            **{
                f.name: None if getattr(self, f.name) is None else getattr(self, f.name)[index]
                for f in fields(self)
            }
        )


RAW_FIELDS = (
    ("distance", "distance_m"),
    ("enhanced_speed", "speed_mps"),
    ("heart_rate", "heart_rate_bpm"),
    ("enhanced_altitude", "altitude_m"),
    ("stance_time", "gct_ms"),
    ("stance_time_balance", "gct_balance_left_pct"),
    ("vertical_oscillation", "vertical_oscillation_mm"),
    ("vertical_ratio", "vertical_ratio_pct"),
    ("step_length", "step_length_mm"),
)
"""Record fields written from a track column through the profile's scale and offset."""


def raw_record_columns(track: Track) -> dict[str, np.ndarray]:
    """The raw FIT integers of every record field, by profile name (NaN: invalid/absent)."""
    missing = np.full(len(track), np.nan)

    def raw_of(name: str, to_raw: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        value = getattr(track, name)
        return missing if value is None else to_raw(np.asarray(value, dtype=np.float64))

    raw = {field: raw_of(name, RECORD.field(field).to_raw) for field, name in RAW_FIELDS}
    strides = raw_of("cadence_spm", lambda spm: spm / 2)
    raw["cadence"] = np.floor(strides)
    raw["fractional_cadence"] = RECORD.field("fractional_cadence").to_raw(strides - raw["cadence"])
    for field, name in (("position_lat", "latitude_deg"), ("position_long", "longitude_deg")):
        raw[field] = raw_of(name, lambda degrees: np.round(degrees / SEMICIRCLES_TO_DEGREES))
    raw["power"] = raw_of("power_w", np.round)
    return raw


def concat_tracks(tracks: list[Track]) -> Track:
    """Many tracks end to end (NaN where a track lacks a sensor), to convert them in one go."""
    lengths = [len(t) for t in tracks]
    total = sum(lengths)
    columns: dict[str, np.ndarray | None] = {}
    for f in fields(Track):
        parts = [getattr(t, f.name) for t in tracks]
        if all(p is None for p in parts):
            columns[f.name] = None
            continue
        joined = np.full(total, np.nan)
        at = 0
        for part, n in zip(parts, lengths, strict=True):
            if part is not None:
                joined[at : at + n] = part
            at += n
        columns[f.name] = joined
    return Track(**columns)  # type: ignore[arg-type]


def track_records(track: Track, first_t: np.ndarray | float | None = None) -> dict[str, np.ndarray]:
    """The records-frame columns a decoder yields for this track written to FIT (one session).

    `first_t`: the time of each record's first record, for tracks joined by `concat_tracks`.
    """
    raw = raw_record_columns(track)
    value = {field: RECORD.field(field).to_value(raw[field]) for field, _ in RAW_FIELDS}
    fraction = RECORD.field("fractional_cadence").to_value(raw["fractional_cadence"])
    t = np.asarray(track.t, dtype=np.float64)
    return {
        "elapsed_s": t - (t[0] if first_t is None else first_t),
        **{name: value[field] for field, name in RAW_FIELDS},
        "cadence_spm": 2 * (raw["cadence"] + np.nan_to_num(fraction)),
    }
