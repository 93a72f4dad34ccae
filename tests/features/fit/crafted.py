"""Crafted FIT files that try to exhaust the decoder (issue 24), built message by message.

Legal framing, absurd content: each class aims at one cost the decoder once had. The tests
build them just past a limit; `benchmarks/crafted.py` builds them at the issue's sizes. The
messages are written here byte by byte (little-endian) rather than through `FitWriter`,
which packs one Python call per message: millions of one-byte messages would take minutes.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np

from stridewise.features.fit.encode import ENUM, STRING, UINT8, UINT32, fit_file

FIELD_DESCRIPTION, DEVELOPER_DATA_ID, RECORD = 206, 207, 20
START = 1_100_000_000
"""A record timestamp (FIT seconds: 2024-11-08 11:33:20 UTC), so that records have a UTC time."""
NAME_SIZE = 8


def definition(
    local: int,
    global_num: int,
    fields: Sequence[tuple[int, int, int]],
    dev_fields: Sequence[tuple[int, int, int]] = (),
) -> bytes:
    """A definition message: fields as (number, size, base type), developer fields as
    (number, size, developer index)."""
    header = 0x40 | (0x20 if dev_fields else 0) | local
    out = struct.pack("<BBBHB", header, 0, 0, global_num, len(fields))
    out += b"".join(bytes(f) for f in fields)
    if dev_fields:
        out += bytes([len(dev_fields)]) + b"".join(bytes(d) for d in dev_fields)
    return out


def file_id() -> bytes:
    """A `file_id` of an activity (type 4), local type 0: every file starts with one."""
    return definition(0, 0, [(0, 1, ENUM)]) + b"\x00\x04"


def description(local: int, dev_index: int, num: int, name: str) -> bytes:
    """A `field_description` data message: a uint8 developer field named `name`."""
    text = name.encode()[: NAME_SIZE - 1].ljust(NAME_SIZE, b"\0")
    return bytes([local, dev_index, num, UINT8]) + text


DESCRIPTION_FIELDS = [(0, 1, UINT8), (1, 1, UINT8), (2, 1, UINT8), (3, NAME_SIZE, STRING)]
"""developer_data_index, field_definition_number, fit_base_type_id, field_name."""


def descriptions_then_resets(descriptions: int, resets: int) -> bytes:
    """`descriptions` field descriptions (developer index i // 256, field number i % 256,
    named `f<i>`: at most 65,280, indexes 0-254), then `resets` developer_data_id messages:
    the first for index 1, the others for index 255, which no field has. Last, a record whose
    developer fields are (0, 0), still described as `f0`, and (1, 0), no longer described:
    one column, dev_f0.

    The decoder once rebuilt every description per developer_data_id: quadratic, and a
    restart that forgets nothing keeps every description to rebuild for the next one.
    """
    out = file_id() + definition(1, FIELD_DESCRIPTION, DESCRIPTION_FIELDS)
    out += b"".join(description(1, i // 256, i % 256, f"f{i}") for i in range(descriptions))
    out += definition(2, DEVELOPER_DATA_ID, [(3, 1, UINT8)])
    out += b"".join(bytes([2, 255 if j else 1]) for j in range(resets))
    out += definition(3, RECORD, [(253, 4, UINT32)], [(0, 1, 0), (0, 1, 1)])
    out += bytes([3]) + struct.pack("<I", START) + bytes([42, 7])
    return fit_file(out)


def unique_developer_fields(rounds: int, per_round: int = 255, records: int = 0) -> bytes:
    """`rounds` times: `per_round` field descriptions named afresh (`r<round>_<n>`), then a
    record definition with all of them as developer fields and one record. Every round adds
    `per_round` columns that only its one record fills; `records` one-byte records follow,
    each a row as wide as all the rounds' columns together.

    The decoder once made a full-length column per name: rounds x columns float64 values.
    """
    out = file_id() + definition(1, FIELD_DESCRIPTION, DESCRIPTION_FIELDS)
    for r in range(rounds):
        out += b"".join(description(1, 0, n, f"r{r}_{n}") for n in range(per_round))
        out += definition(2, RECORD, [(253, 4, UINT32)], [(n, 1, 0) for n in range(per_round)])
        out += bytes([2]) + struct.pack("<I", START + r) + bytes(range(per_round))
    return fit_file(out + definition(3, RECORD, []) + b"\x03" * records)


def one_byte_messages(count: int) -> bytes:
    """A record definition without fields, then `count` records of one byte (the header).

    Each makes a full row of the records frame: over a hundred bytes out per byte in.
    """
    return fit_file(file_id() + definition(1, RECORD, []) + b"\x01" * count)


def large_records(count: int, size: int = 64) -> bytes:
    """`count` records of `size` bytes: timestamp, heart rate, distance, then an unknown field
    filling the rest. Real files do not come near; the limits let through the full-sized file.
    """
    pad = size - 1 - 4 - 1 - 4
    rows = np.zeros(
        count, [("h", "u1"), ("t", "<u4"), ("hr", "u1"), ("d", "<u4"), ("x", f"V{pad}")]
    )
    rows["h"], rows["t"], rows["hr"] = 1, START + np.arange(count), 150
    rows["d"] = np.arange(count) * 300  # 3 m per second, in centimetres
    fields = [(253, 4, UINT32), (3, 1, UINT8), (5, 4, UINT32), (200, pad, 0x0D)]  # 0x0D: byte
    return fit_file(file_id() + definition(1, RECORD, fields) + rows.tobytes())


def definitions(count: int, records: bool = False) -> bytes:
    """`count` record definitions, each different (three one-byte fields numbered by the
    definition's count in base 256), then one record, or with `records` a record after each."""
    fields = (
        [(i & 0xFF, 1, UINT8), (i >> 8 & 0xFF, 1, UINT8), (i >> 16, 1, UINT8)] for i in range(count)
    )
    record = b"\x01\0\0\0"
    defined = (definition(1, RECORD, f) + record * records for f in fields)
    return fit_file(file_id() + b"".join(defined) + record * (not records))
