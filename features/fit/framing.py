"""Walk the framing of a FIT file: headers, CRCs, definitions and where each data message lies.

This is the only byte-by-byte loop of the decoder. It touches one header byte per message and
leaves the payloads alone; `columns.py` then reads the fields of all messages of one definition
at once with numpy. Chained files (several FIT files back to back) are walked part by part.
The walk enforces the message and definition limits of `limits.py` as it goes, so a file past
one costs no more than the limit's worth of work.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from functools import cached_property

import anycrc
import numpy as np

from stridewise.features.fit.errors import FitDecodeError
from stridewise.features.fit.limits import LIMITS, Limits, over_limit
from stridewise.features.fit.profile import COMPRESSED_SPEED_DISTANCE, RECORD

_CRC16 = anycrc.Model("CRC16-ARC")  # the FIT CRC: polynomial 0x8005, reflected, initial 0
_MIN_HEADER = 12


def fit_crc(data: bytes | memoryview) -> int:
    """The FIT CRC-16 of a byte string."""
    return _CRC16.calc(data)


@dataclass(frozen=True)
class FieldDef:
    """A field of a definition message: where it sits in the payload and how it is encoded."""

    num: int
    offset: int
    size: int
    base_type: int


@dataclass(frozen=True)
class DevFieldDef:
    """A developer field of a definition message, named later by its field description."""

    num: int
    offset: int
    size: int
    dev_index: int


@dataclass(frozen=True)
class Definition:
    """One definition message; every data message points at exactly one."""

    id: int
    global_num: int
    big_endian: bool
    size: int
    fields: tuple[FieldDef, ...]
    dev_fields: tuple[DevFieldDef, ...]
    first_seq: int
    """Sequence number of the first data message that could use it (for accumulator resets)."""

    def field(self, num: int) -> FieldDef | None:
        return next((f for f in self.fields if f.num == num), None)


@dataclass
class MessageIndex:
    """Where every data message of a file is, in file order (its position is its `seq`)."""

    data: np.ndarray
    definitions: list[Definition] = field(default_factory=list)
    def_ids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    offsets: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    time_offsets: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    part_starts: list[int] = field(default_factory=list)
    truncated: bool = False
    limits: Limits = LIMITS
    definition_messages: int = 0
    developer_fields: int = 0
    """Developer fields declared by the definitions so far (repeated definitions included)."""
    _layouts: dict[bytes, Definition] = field(default_factory=dict, repr=False)
    _payloads: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def payloads(self, definition: Definition) -> np.ndarray:
        """The payload bytes of `definition`'s messages as an (n, size) matrix (gathered once).

        Taken from a view of the file as overlapping rows of `size` bytes, one per offset: no
        index matrix (8 bytes per payload byte) is built, so the matrix is all it allocates.
        """
        if definition.id not in self._payloads:
            starts = self.offsets[self.messages_of(definition)]
            size = definition.size  # rows: one per start, the file's end included (size 0)
            rows = max(len(self.data) - size + 1, 0)  # none if the file is shorter
            windows = np.ndarray((rows, size), np.uint8, self.data, 0, (1, 1))
            self._payloads[definition.id] = windows[starts]
        return self._payloads[definition.id]

    def count(self, definition: Definition) -> int:
        """How many data messages use `definition`."""
        return int(self._counts[definition.id])

    @cached_property
    def _counts(self) -> np.ndarray:
        return np.bincount(self.def_ids, minlength=len(self.definitions))

    def messages_of(self, definition: Definition) -> np.ndarray:
        """Sequence numbers of the data messages that use `definition`, in file order."""
        starts = np.searchsorted(self._def_ids_sorted, [definition.id, definition.id + 1])
        return self._seq_by_definition[starts[0] : starts[1]]

    @cached_property
    def _seq_by_definition(self) -> np.ndarray:
        return np.argsort(self.def_ids, kind="stable")

    @cached_property
    def _def_ids_sorted(self) -> np.ndarray:
        return self.def_ids[self._seq_by_definition]


def _header(buf: bytes, pos: int, part: int, check_crc: bool) -> tuple[int, int]:
    """Validate the file header at `pos`; return (header size, declared data size)."""
    remaining = len(buf) - pos
    if remaining < _MIN_HEADER:
        where = "file" if part == 0 else f"chained part {part + 1}"
        raise FitDecodeError(f"not a FIT file: {where} is {remaining} bytes, shorter than a header")
    header_size, _, _, data_size = struct.unpack_from("<BBHI", buf, pos)
    if buf[pos + 8 : pos + 12] != b".FIT" or header_size < _MIN_HEADER or header_size == 13:
        where = "" if part == 0 else f" of chained part {part + 1}"
        raise FitDecodeError(f"not a FIT file: bad header{where}")
    if header_size > remaining:
        raise FitDecodeError(f"bad header: declares {header_size} bytes, file has {remaining}")
    if header_size >= 14 and check_crc:
        (stored,) = struct.unpack_from("<H", buf, pos + 12)
        if stored not in (0, fit_crc(buf[pos : pos + 12])):  # 0 means "not computed": legal
            raise FitDecodeError("header CRC mismatch")
    return header_size, data_size


def index_messages(buf: bytes, *, check_crc: bool = True, limits: Limits = LIMITS) -> MessageIndex:
    """Walk every part of a FIT file and index its data messages."""
    if not buf:
        raise FitDecodeError("empty file (0 bytes)")
    index = MessageIndex(data=np.frombuffer(buf, dtype=np.uint8), limits=limits)
    def_ids: list[int] = []
    offsets: list[int] = []
    time_offsets: list[int] = []
    pos, part = 0, 0
    while pos < len(buf):
        if part > 0 and not any(buf[pos:]):
            break  # zero padding after the last part, as some devices write
        header_size, data_size = _header(buf, pos, part, check_crc)
        start, end = pos + header_size, pos + header_size + data_size
        index.part_starts.append(len(def_ids))
        complete = end + 2 <= len(buf)  # data and CRC all there; else the file was cut short
        stop = min(end, len(buf))
        reached = _walk_part(buf, start, stop, complete, index, def_ids, offsets, time_offsets)
        if reached < end or not complete:
            index.truncated = True
            break
        if check_crc:
            (stored,) = struct.unpack_from("<H", buf, end)
            if stored != fit_crc(memoryview(buf)[pos:end]):
                where = "" if part == 0 else f" of chained part {part + 1}"
                raise FitDecodeError(f"file CRC mismatch{where}")
        pos, part = end + 2, part + 1
    if index.truncated and not def_ids:
        raise FitDecodeError("truncated before the first complete data message")
    index.def_ids = np.asarray(def_ids, dtype=np.int32)
    index.offsets = np.asarray(offsets, dtype=np.int64)
    index.time_offsets = np.asarray(time_offsets, dtype=np.int16)
    return index


def _walk_part(
    buf: bytes,
    pos: int,
    stop: int,
    complete: bool,
    index: MessageIndex,
    def_ids: list[int],
    offsets: list[int],
    time_offsets: list[int],
) -> int:
    """Index the messages of one part; return where the walk stopped (== end when whole).

    The message limit costs nothing per message: every message takes at least one byte, so
    the walk goes in windows no longer than the number of messages still allowed, and counts
    only between windows.
    """
    local: list[tuple[int, int] | None] = [None] * 16  # local type -> (definition id, size)
    append_def, append_offset, append_time = def_ids.append, offsets.append, time_offsets.append
    window = pos
    while pos < stop:
        if pos >= window:
            allowed = index.limits.messages - len(def_ids) - index.definition_messages
            if allowed <= 0:
                raise over_limit(index.limits.messages, "messages")
            window = min(stop, pos + allowed)
        header = buf[pos]
        if header & 0x80:  # compressed-timestamp header: local type in bits 5-6
            entry, time_offset = local[(header >> 5) & 0x3], header & 0x1F
        elif header & 0x40:  # definition message
            definition = _definition(buf, pos, stop, complete, header, index, len(def_ids))
            if definition is None:
                return pos
            local[header & 0xF] = (definition.id, definition.size)
            pos += _definition_length(buf, pos, header)
            continue
        else:
            entry, time_offset = local[header & 0xF], -1
        if entry is None:
            raise FitDecodeError(f"data message for undefined local message type at byte {pos}")
        def_id, size = entry
        if pos + 1 + size > stop:
            return _overrun(pos, complete)
        append_def(def_id)
        append_offset(pos + 1)
        append_time(time_offset)
        pos += 1 + size
    return pos


def _overrun(pos: int, complete: bool) -> int:
    """A message runs past the data: truncation if the file was cut short (returns `pos`)."""
    if complete:
        raise FitDecodeError(f"message at byte {pos} runs past the declared end of the data")
    return pos


def _definition_length(buf: bytes, pos: int, header: int) -> int:
    n_fields = buf[pos + 5]
    length = 6 + 3 * n_fields
    if header & 0x20:
        length += 1 + 3 * buf[pos + length]
    return length


def _definition(
    buf: bytes, pos: int, stop: int, complete: bool, header: int, index: MessageIndex, seq: int
) -> Definition | None:
    """Parse a definition message; None when the file ends inside it (truncation).

    A definition without developer fields that repeats an earlier one byte for byte (some
    devices define before every message) is that same definition: reading it costs a lookup,
    and its messages are read together. Not so with developer fields (their names are those
    described when the definition comes) or compressed speed and distance (each definition
    restarts the accumulated distance): those stay apart.
    """
    counts_readable = pos + 6 <= stop and not (header & 0x20 and pos + 7 + 3 * buf[pos + 5] > stop)
    length = _definition_length(buf, pos, header) if counts_readable else 0
    if not counts_readable or pos + length > stop:
        _overrun(pos, complete)
        return None
    index.definition_messages += 1
    layout = buf[pos + 2 : pos + length]
    if header & 0x20 == 0 and layout in index._layouts:
        return index._layouts[layout]
    definition = _parse_definition(buf, pos, header, len(index.definitions), seq)
    _count_definition(definition, index)
    if not definition.dev_fields and not (
        definition.global_num == RECORD.num and definition.field(COMPRESSED_SPEED_DISTANCE)
    ):
        index._layouts[layout] = definition
    return definition


def _count_definition(definition: Definition, index: MessageIndex) -> None:
    """Add a new definition to the index, within the definition and developer-field limits."""
    limits = index.limits
    if len(index.definitions) >= limits.definitions:
        raise over_limit(limits.definitions, "distinct definitions")
    index.developer_fields += len(definition.dev_fields)
    if index.developer_fields > limits.developer_fields:
        raise over_limit(limits.developer_fields, "developer fields in definitions")
    index.definitions.append(definition)


def _parse_definition(buf: bytes, pos: int, header: int, id: int, seq: int) -> Definition:
    """The fields and developer fields of the definition message at `pos`."""
    big_endian = buf[pos + 2] != 0
    global_num = struct.unpack_from(">H" if big_endian else "<H", buf, pos + 3)[0]
    n_fields = buf[pos + 5]
    fields, offset = [], 0
    for i in range(n_fields):
        num, size, base_type = buf[pos + 6 + 3 * i : pos + 9 + 3 * i]
        fields.append(FieldDef(num, offset, size, base_type))
        offset += size
    dev_fields = []
    if header & 0x20:
        at = pos + 6 + 3 * n_fields
        for i in range(buf[at]):
            num, size, dev_index = buf[at + 1 + 3 * i : at + 4 + 3 * i]
            dev_fields.append(DevFieldDef(num, offset, size, dev_index))
            offset += size
    return Definition(
        id=id,
        global_num=global_num,
        big_endian=big_endian,
        size=offset,
        fields=tuple(fields),
        dev_fields=tuple(dev_fields),
        first_seq=seq,
    )
