"""The same `MessageTables` through fitparse: the reference decoder the default one is held to.

Slow (pure Python, message by message) but independent: its own framing, CRC, base types,
scales, component expansion, compressed timestamps and accumulation. `--decoder fitparse`
selects it; the tests compare it with the numpy decoder on every running file of the corpus.
"""

from __future__ import annotations

from typing import Any

import fitparse
import numpy as np

from stridewise.features.fit.errors import FitDecodeError
from stridewise.features.fit.profile import MESSAGES, Message
from stridewise.features.fit.tables import Columns, MessageTables, dev_column_names


def decode_tables_fitparse(data: bytes, *, check_crc: bool = True) -> MessageTables:
    """Decode the messages stridewise needs with fitparse."""
    if not data:
        raise FitDecodeError("empty file (0 bytes)")
    try:
        messages = list(fitparse.FitFile(data, check_crc=check_crc).get_messages())
    except fitparse.FitParseError as error:
        raise FitDecodeError(f"fitparse: {error}") from None
    return tables_from_fitparse(messages)


def tables_from_fitparse(messages: list[Any]) -> MessageTables:
    """Tables from messages fitparse has already decoded."""
    tables = {
        message.name: _table([m for m in messages if m.mesg_num == message.num], message)
        for message in MESSAGES
    }
    return MessageTables(tables, truncated=False)


def _table(messages: list[Any], message: Message) -> Columns:
    by_num = {f.num: f for f in message.fields}
    rows = []
    for m in messages:
        row: dict[str, float] = {}
        for data in m.fields:
            field = by_num.get((data.parent_field or data).def_num)
            if field is None or data.field is None or data.field.field_type == "devfield":
                continue
            scaled = field.scale != 1.0 or field.offset
            _put(row, field.name, data.value if scaled else data.raw_value)
        dev = [d for d in m.fields if d.field is not None and d.field.field_type == "devfield"]
        names = dev_column_names([(d.field.name, d.field.dev_data_index, d.def_num) for d in dev])
        for name, data in zip(names, dev, strict=True):
            _put(row, name, data.raw_value)
        rows.append(row)
    columns = [f.name for f in message.fields]
    columns += sorted({name for row in rows for name in row} - set(columns))
    return {name: np.array([row.get(name, np.nan) for row in rows], np.float64) for name in columns}


def _put(row: dict[str, float], name: str, value: object) -> None:
    """Keep numbers only; the last valid value of a field wins, as in fitparse's get_values."""
    if isinstance(value, int | float):
        row[name] = float(value)
