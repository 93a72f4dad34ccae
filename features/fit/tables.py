"""What a decoder hands to `activity.py`: one table of scaled values per profile message.

Both decoders (numpy, the default, and fitparse, the reference) produce `MessageTables`, so
everything after decoding is shared and the two can be compared field by field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

Columns = dict[str, np.ndarray]
"""Equal-length float64 arrays by field name, NaN where a message lacks the field."""


@dataclass(frozen=True)
class MessageTables:
    """Per profile message name, its fields as columns (raw FIT seconds for times).

    numpy, not polars: most messages are few, and a frame per message costs more than it
    saves; only the records become a frame (in `activity.py`).
    """

    tables: dict[str, Columns]
    truncated: bool

    def __getitem__(self, name: str) -> Columns:
        return self.tables[name]


def coalesce(preferred: np.ndarray | None, fallback: np.ndarray) -> np.ndarray:
    """`preferred` where it holds a value (not NaN), else `fallback`."""
    return fallback if preferred is None else np.where(np.isnan(preferred), fallback, preferred)


def dev_column_names(fields: list[tuple[str | None, int, int]]) -> list[str]:
    """Column names for the developer fields of one message, given (name, dev index, number).

    `dev_<field name>`; a name that two fields of the message share gets their numbers too.
    """
    stems = [_stem(name, num) for name, _, num in fields]
    return [
        f"dev_{stem}_{index}_{num}" if stems.count(stem) > 1 else f"dev_{stem}"
        for stem, (_, index, num) in zip(stems, fields, strict=True)
    ]


def _stem(name: str | None, num: int) -> str:
    stem = re.sub(r"[^0-9a-z]+", "_", (name or "").lower()).strip("_")
    return stem or f"field_{num}"
