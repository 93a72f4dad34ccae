"""Write FIT files: the encoder behind stridewise's generated samples and test files.

Small on purpose: definition and data messages, developer fields, compressed-timestamp headers,
both byte orders, chained files. Values are raw FIT integers (apply the profile's scale
yourself); None writes the base type's invalid value, as a watch does for a missing sensor.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from stridewise.features.fit.framing import fit_crc

BASE_TYPE_FORMATS: dict[int, tuple[str, int]] = {
    0x00: ("B", 0xFF),
    0x01: ("b", 0x7F),
    0x02: ("B", 0xFF),
    0x83: ("h", 0x7FFF),
    0x84: ("H", 0xFFFF),
    0x85: ("i", 0x7FFF_FFFF),
    0x86: ("I", 0xFFFF_FFFF),
    0x0A: ("B", 0),
    0x8B: ("H", 0),
    0x8C: ("I", 0),
}
"""struct format and invalid value of the integer base types, by definition byte."""
STRING = 0x07

ENUM, SINT8, UINT8, SINT16, UINT16, SINT32, UINT32, UINT8Z, UINT16Z, UINT32Z = (
    0x00,
    0x01,
    0x02,
    0x83,
    0x84,
    0x85,
    0x86,
    0x0A,
    0x8B,
    0x8C,
)


@dataclass(frozen=True)
class FieldSpec:
    """A field of a message to define: number, base type, and size for strings."""

    num: int
    base_type: int
    size: int = 0

    @property
    def byte_size(self) -> int:
        return (
            self.size
            if self.base_type == STRING
            else struct.calcsize(BASE_TYPE_FORMATS[self.base_type][0])
        )


@dataclass(frozen=True)
class DevFieldSpec:
    num: int
    dev_index: int
    base_type: int

    @property
    def byte_size(self) -> int:
        return struct.calcsize(BASE_TYPE_FORMATS[self.base_type][0])


@dataclass
class FitWriter:
    """Accumulates messages and returns the finished file (header, data, CRC)."""

    big_endian: bool = False
    _data: bytearray = field(default_factory=bytearray)
    _layouts: dict[int, list[FieldSpec | DevFieldSpec]] = field(default_factory=dict)

    def define(
        self,
        local: int,
        global_num: int,
        fields: Sequence[FieldSpec],
        dev_fields: Sequence[DevFieldSpec] = (),
    ) -> None:
        """Write a definition message for local message type `local`."""
        order = ">" if self.big_endian else "<"
        header = 0x40 | (0x20 if dev_fields else 0) | local
        self._data += struct.pack(
            f"{order}BBBHB", header, 0, int(self.big_endian), global_num, len(fields)
        )
        for f in fields:
            self._data += bytes((f.num, f.byte_size, f.base_type))
        if dev_fields:
            self._data.append(len(dev_fields))
            for d in dev_fields:
                self._data += bytes((d.num, d.byte_size, d.dev_index))
        self._layouts[local] = [*fields, *dev_fields]

    def write(
        self, local: int, values: Sequence[int | str | None], time_offset: int | None = None
    ) -> None:
        """Write a data message; with `time_offset`, under a compressed-timestamp header."""
        layout = self._layouts[local]
        if len(values) != len(layout):
            raise ValueError(
                f"local type {local} has {len(layout)} fields, got {len(values)} values"
            )
        if time_offset is None:
            self._data.append(local)
        else:
            self._data.append(0x80 | (local & 0x3) << 5 | (time_offset & 0x1F))
        order = ">" if self.big_endian else "<"
        for spec, value in zip(layout, values, strict=True):
            if spec.base_type == STRING:
                encoded = str(value or "").encode()[: spec.byte_size - 1]
                self._data += encoded.ljust(spec.byte_size, b"\0")
                continue
            fmt, invalid = BASE_TYPE_FORMATS[spec.base_type]
            self._data += struct.pack(order + fmt, invalid if value is None else value)

    def write_many(self, local: int, columns: Sequence[np.ndarray]) -> None:
        """Write one data message per row: a column of raw values per field, NaN for invalid.

        The bulk form of `write` (records are most of a file): packed by numpy in one go.
        """
        layout = self._layouts[local]
        order = ">" if self.big_endian else "<"
        if len(columns) != len(layout) or any(s.base_type == STRING for s in layout):
            raise ValueError(f"local type {local} needs {len(layout)} numeric columns")
        dtype = np.dtype(
            [("header", "u1")]
            + [(f"f{i}", order + BASE_TYPE_FORMATS[s.base_type][0]) for i, s in enumerate(layout)]
        )
        rows = np.empty(len(columns[0]) if columns else 0, dtype)
        rows["header"] = local
        for i, (spec, column) in enumerate(zip(layout, columns, strict=True)):
            values = np.asarray(column, dtype=np.float64)
            rows[f"f{i}"] = np.where(np.isnan(values), BASE_TYPE_FORMATS[spec.base_type][1], values)
        self._data += rows.tobytes()

    def to_bytes(self, *, header_crc: bool = True) -> bytes:
        """The complete FIT file: 14-byte header, the messages, the file CRC."""
        return fit_file(bytes(self._data), header_crc=header_crc)


def fit_file(messages: bytes, *, header_crc: bool = True) -> bytes:
    """Messages framed as a FIT file: 14-byte header, the messages, the file CRC.

    Public so that tests can frame message bytes they wrote themselves (crafted files with
    millions of messages, which `FitWriter` would write one Python call at a time).
    """
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(messages), b".FIT")
    header += struct.pack("<H", fit_crc(header) if header_crc else 0)
    body = header + messages
    return body + struct.pack("<H", fit_crc(body))


FILE_ID_FIELDS = (
    FieldSpec(0, ENUM),  # type
    FieldSpec(1, UINT16),  # manufacturer
    FieldSpec(2, UINT16),  # product
    FieldSpec(3, UINT32Z),  # serial_number
    FieldSpec(4, UINT32),  # time_created
)


def write_file_id(
    w: FitWriter, kind: int, manufacturer: int, product: int, serial: int, created: int
) -> None:
    """The `file_id` message every FIT file starts with (local type 0), `created` in FIT time."""
    w.define(0, 0, FILE_ID_FIELDS)
    w.write(0, [kind, manufacturer, product, serial, created])
