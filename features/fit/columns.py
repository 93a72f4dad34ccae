"""Read the fields of indexed FIT messages column-wise with numpy (the default decoder).

For each definition, the payloads of all its data messages are gathered into one (n, size)
byte matrix; each field is then a slice of columns viewed as its base type. The result is one
table per profile message (`profile.MESSAGES`) with values already scaled, in file order, with
invalid values as nulls: the same `MessageTables` the fitparse reference decoder produces.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from stridewise.features.fit.errors import FitDecodeError
from stridewise.features.fit.framing import (
    Definition,
    DevFieldDef,
    FieldDef,
    MessageIndex,
    index_messages,
)
from stridewise.features.fit.limits import LIMITS, Limits, over_limit
from stridewise.features.fit.profile import (
    COMPRESSED_SPEED_DISTANCE,
    DEVELOPER_DATA_ID_NUM,
    FIELD_DESCRIPTION_NUM,
    MESSAGES,
    RECORD,
    TIMESTAMP_FIELD,
    Message,
)
from stridewise.features.fit.tables import Columns, MessageTables, coalesce, dev_column_names


@dataclass(frozen=True)
class BaseType:
    dtype: np.dtype
    invalid: int
    """The invalid value as an unsigned bit pattern of the same width."""


def _base(dtype: str, invalid: int) -> BaseType:
    return BaseType(np.dtype(dtype), invalid)


BASE_TYPES: dict[int, BaseType] = {
    0x00: _base("u1", 0xFF),  # enum
    0x01: _base("i1", 0x7F),
    0x02: _base("u1", 0xFF),
    0x83: _base("i2", 0x7FFF),
    0x84: _base("u2", 0xFFFF),
    0x85: _base("i4", 0x7FFF_FFFF),
    0x86: _base("u4", 0xFFFF_FFFF),
    0x88: _base("f4", 0xFFFF_FFFF),
    0x89: _base("f8", 0xFFFF_FFFF_FFFF_FFFF),
    0x0A: _base("u1", 0x00),  # uint8z
    0x8B: _base("u2", 0x0000),
    0x8C: _base("u4", 0x0000_0000),
    0x8E: _base("i8", 0x7FFF_FFFF_FFFF_FFFF),
    0x8F: _base("u8", 0xFFFF_FFFF_FFFF_FFFF),
    0x90: _base("u8", 0x0),  # uint64z
}
"""Numeric base types by their definition byte; strings, bytes and unknown types are not read."""


def decode_tables(data: bytes, *, check_crc: bool = True, limits: Limits = LIMITS) -> MessageTables:
    """Decode the messages stridewise needs from the bytes of a FIT file."""
    index = index_messages(data, check_crc=check_crc, limits=limits)
    dev_by_definition = _dev_columns(index)
    plans = [_plan(index, m, dev_by_definition if m is RECORD else {}) for m in MESSAGES]
    _check_values(plans, index, len(data))
    timestamps = _timestamps(index)
    tables = {plan.message.name: _table(index, plan, timestamps) for plan in plans}
    return MessageTables(tables, truncated=index.truncated)


@dataclass(frozen=True)
class TablePlan:
    """What the table of one profile message will hold, known before a value is read."""

    message: Message
    definitions: list[Definition]
    dev_columns: dict[int, list[DevColumn]]
    names: list[str]
    rows: int


def _plan(
    index: MessageIndex, message: Message, dev_columns: dict[int, list[DevColumn]]
) -> TablePlan:
    own = [d for d in index.definitions if d.global_num == message.num]
    names = [f.name for f in message.fields]
    names += sorted({c.column for d in own for c in dev_columns.get(d.id, ())})
    rows = sum(index.count(d) for d in own)
    return TablePlan(message, own, dev_columns, names, rows)


def _check_values(plans: list[TablePlan], index: MessageIndex, size: int) -> None:
    """Refuse a file whose tables would hold more values than its size allows.

    Counted before reading: a few thousand uniquely named developer fields make as many
    columns, each as long as the records, out of a file of a few MiB.
    """
    values = len(index.def_ids) + sum(p.rows * (len(p.names) + 1) for p in plans)
    allowed = index.limits.allowed_values(size)
    if values > allowed:
        limits = index.limits
        raise FitDecodeError(
            f"{values:,} values from {size:,} bytes: over the limit of {limits.values_per_byte}"
            f" values per byte and {limits.values:,} per file"
        )


def _scalar(rows: np.ndarray, field: FieldDef, big_endian: bool, base_type: int) -> np.ndarray:
    """One numeric field of every row as float64, NaN where invalid or not a single number."""
    kind = BASE_TYPES.get(base_type)
    if kind is None or field.size != kind.dtype.itemsize:
        return np.full(len(rows), np.nan)
    block = np.ascontiguousarray(rows[:, field.offset : field.offset + field.size])
    raw = block.view(kind.dtype.newbyteorder(">" if big_endian else "<"))[:, 0]
    bits = block.view(np.dtype(f"u{field.size}").newbyteorder(">" if big_endian else "<"))[:, 0]
    values = raw.astype(np.float64)
    values[bits == kind.invalid] = np.nan
    return values


def _timestamps(index: MessageIndex) -> np.ndarray:
    """Every message's timestamp in raw FIT seconds (NaN if none), compressed headers resolved."""
    timestamps = np.full(len(index.def_ids), np.nan)
    for definition in index.definitions:
        field = definition.field(TIMESTAMP_FIELD)
        if field is not None:
            rows = index.payloads(definition)
            timestamps[index.messages_of(definition)] = _scalar(
                rows, field, definition.big_endian, field.base_type
            )
    if (index.time_offsets >= 0).any():
        _resolve_compressed(timestamps, index)
    return timestamps


def _resolve_compressed(timestamps: np.ndarray, index: MessageIndex) -> None:
    """Apply the 5-bit time offsets of compressed headers to the last full timestamp, in order."""
    part_starts = set(index.part_starts)
    last = 0
    for seq, time_offset in enumerate(index.time_offsets.tolist()):
        if seq in part_starts:
            last = 0
        if timestamps[seq] == timestamps[seq]:  # not NaN: a full timestamp
            last = int(timestamps[seq])
        if time_offset >= 0:
            last += (time_offset - last) & 0x1F
            timestamps[seq] = last


def _accumulate(raw: np.ndarray, seq: np.ndarray, resets: np.ndarray, bits: int) -> np.ndarray:
    """Unwrap a rolling counter: acc += (raw - acc) mod 2**bits, from 0 after each reset."""
    out = np.full(len(raw), np.nan)
    valid = np.flatnonzero(~np.isnan(raw))
    segment = np.searchsorted(resets, seq[valid], side="right")
    for s in np.unique(segment):
        at = valid[segment == s]
        counter = raw[at].astype(np.int64)
        steps = np.diff(counter, prepend=0) % (1 << bits)
        out[at] = np.cumsum(steps)
    return out


@dataclass(frozen=True)
class DevColumn:
    """A developer field of one definition and the `dev_` column it fills."""

    field: DevFieldDef
    column: str
    base_type: int


def _dev_columns(index: MessageIndex) -> dict[int, list[DevColumn]]:
    """Per definition id, its described developer fields, as the file described them then.

    Descriptions are replayed in file order: a `developer_data_id` message starts its developer
    index afresh and a `field_description` (re)defines one field, as fitparse does. Kept per
    developer index, so that starting one afresh is one step, not a pass over every field
    described so far (which made a file of many of both take minutes).
    """
    described_by = [
        d
        for d in index.definitions
        if d.global_num in (FIELD_DESCRIPTION_NUM, DEVELOPER_DATA_ID_NUM)
    ]
    if sum(index.count(d) for d in described_by) > index.limits.developer_descriptions:
        raise over_limit(index.limits.developer_descriptions, "developer descriptions")
    changes = sorted(_description_changes(index, described_by))
    described: dict[int, dict[int, tuple[str | None, int]]] = {}
    result: dict[int, list[DevColumn]] = {}
    at = 0
    for definition in index.definitions:
        while at < len(changes) and changes[at][0] < definition.first_seq:
            _, dev_index, num, base_type, name = changes[at]
            if num < 0:
                described.pop(dev_index, None)
            else:
                described.setdefault(dev_index, {})[num] = (name, base_type)
            at += 1
        known = [
            (f, described[f.dev_index][f.num])
            for f in definition.dev_fields
            if f.num in described.get(f.dev_index, {})
        ]
        names = dev_column_names([(name, f.dev_index, f.num) for f, (name, _) in known])
        result[definition.id] = [
            DevColumn(f, column, base_type)
            for (f, (_, base_type)), column in zip(known, names, strict=True)
        ]
    return result


def _description_changes(
    index: MessageIndex, definitions: list[Definition]
) -> Iterator[tuple[int, int, int, int, str | None]]:
    """(seq, dev index, field number or -1 for a new developer, base type, name) in any order."""
    for definition in definitions:
        by_num = {f.num: f for f in definition.fields if f.size}  # a 0-byte field says nothing
        seqs = index.messages_of(definition)
        rows = index.payloads(definition)
        if definition.global_num == DEVELOPER_DATA_ID_NUM and 3 in by_num:
            for seq, row in zip(seqs.tolist(), rows, strict=True):
                yield seq, int(row[by_num[3].offset]), -1, 0, None
        elif definition.global_num == FIELD_DESCRIPTION_NUM and {0, 1, 2} <= by_num.keys():
            for seq, row in zip(seqs.tolist(), rows, strict=True):
                dev_index, num, base_type = (int(row[by_num[n].offset]) for n in (0, 1, 2))
                yield seq, dev_index, num, base_type, _string(row, by_num.get(3))


def _string(row: np.ndarray, field: FieldDef | None) -> str | None:
    if field is None:
        return None
    text = row[field.offset : field.offset + field.size].tobytes().split(b"\0")[0]
    return text.decode("utf-8", errors="replace") or None


def _table(index: MessageIndex, plan: TablePlan, timestamps: np.ndarray) -> Columns:
    """All messages of one kind as columns of scaled values in file order."""
    message, names, dev_columns = plan.message, plan.names, plan.dev_columns
    parts: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []
    resets: list[int] = []
    for definition in plan.definitions:
        seq = index.messages_of(definition)
        if not len(seq):
            continue
        rows = index.payloads(definition)
        columns = {"timestamp": timestamps[seq]}
        for field in message.fields:
            where = definition.field(field.num)
            if where is not None and field.num != TIMESTAMP_FIELD:
                raw = _scalar(rows, where, definition.big_endian, where.base_type)
                columns[field.name] = field.to_value(raw)
        for dev in dev_columns.get(definition.id, ()):
            columns[dev.column] = _scalar(rows, dev.field, definition.big_endian, dev.base_type)
        if message is RECORD and definition.field(COMPRESSED_SPEED_DISTANCE):
            resets.append(definition.first_seq)
            speed, distance16 = _compressed_speed_distance(rows, definition)
            columns["speed"] = coalesce(columns.get("speed"), speed)
            columns["_distance16"] = distance16
        parts.append((seq, columns))
    seq, columns = _concat(parts, names + ["_distance16"] * bool(resets))
    if resets:
        distance16 = columns.pop("_distance16")
        accumulated = _accumulate(distance16, seq, np.asarray(resets), bits=12) / 16
        columns["distance"] = coalesce(columns["distance"], accumulated)
    fields = len(message.fields)  # developer columns that never hold a value are left out
    kept = names[:fields] + [n for n in names[fields:] if not np.isnan(columns[n]).all()]
    return {name: columns[name] for name in kept}


def _compressed_speed_distance(
    rows: np.ndarray, definition: Definition
) -> tuple[np.ndarray, np.ndarray]:
    """Expand record field 8: speed (bits 0-11, 1/100 m/s), distance counter (bits 12-23)."""
    field = definition.field(COMPRESSED_SPEED_DISTANCE)
    assert field is not None
    block = rows[:, field.offset : field.offset + 3].astype(np.int64)
    invalid = (block == 0xFF).all(axis=1) if field.size == 3 else np.ones(len(rows), bool)
    if field.size != 3:
        block = np.zeros((len(rows), 3), np.int64)
    speed = (block[:, 0] | (block[:, 1] & 0x0F) << 8) / 100
    distance16 = (block[:, 1] >> 4 | block[:, 2] << 4).astype(np.float64)
    speed[invalid] = np.nan
    distance16[invalid] = np.nan
    return speed, distance16


def _concat(
    parts: list[tuple[np.ndarray, dict[str, np.ndarray]]], names: list[str]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Stack the per-definition columns and put the rows back in file order.

    Each column is filled in place: a definition without it costs nothing (not a block of
    NaN per definition and column, which wide tables of many definitions multiplied).
    """
    if not parts:
        return np.empty(0, np.int64), {name: np.empty(0) for name in names}
    seq = np.concatenate([s for s, _ in parts])
    stacked = {name: np.full(len(seq), np.nan) for name in names}
    at = 0
    for s, columns in parts:
        for name, values in columns.items():
            stacked[name][at : at + len(s)] = values
        at += len(s)
    if (np.diff(seq) > 0).all():  # one definition, or definitions one after another
        return seq, stacked
    order = np.argsort(seq, kind="stable")
    return seq[order], {name: stacked.pop(name)[order] for name in names}  # one copy at a time
