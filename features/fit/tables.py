"""What a decoder hands to `activity.py`: one table of scaled values per profile message.

Both decoders (numpy, the default, and fitparse, the reference) produce `MessageTables`, so
everything after decoding is shared and the two can be compared field by field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class MessageTables:
    """Per profile message name, a frame of its fields (raw FIT seconds for times)."""

    tables: dict[str, pl.DataFrame]
    truncated: bool

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.tables[name]


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
