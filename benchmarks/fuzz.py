"""Mutation fuzz of decoding and per-run features: no file may crash either with an untyped error.

    python -m benchmarks.fuzz [--cases 20000] [--seed 1] [--max-bytes N]

Each case mutates one base file, chosen at random: a running file of ../shared/fit_corpus
(MANIFEST kinds running, multisport) or one the project's encoder writes (the edge files,
and runs whose record times the encoder writes shuffled, reversed, jumping back, repeated,
or down to one or two records). One to three byte-level mutations follow (bytes flipped or
set to invalid values, a cut, random bytes inserted, a chunk duplicated, deleted or swapped
with another); half the cases then get a header and CRCs that match, so that they pass the
framing checks and reach the messages. Every case runs what a night runs on a file: decode
(`read_activity`), then the run's row and records and `run_features`.

Reported: cases, decoded, failed typed (`FitDecodeError`: the file is refused with a
reason), and untyped crashes by step and location (exception type, file:line of the
project's innermost frame). Case n of seed s is the same bytes on every machine, and
`--show` prints how a location's first case was made. Only the APIs the code has had since
before issue 24 are used, so the same script measures an older tree (PYTHONPATH).
"""

from __future__ import annotations

import argparse
import random
import struct
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from benchmarks.corpus import running_files

if TYPE_CHECKING:
    from stridewise.simulator.track import Track

LAYERS = ("features", "models", "simulator", "store", "flows", "dashboard", "cli")
"""Folders of the project's code: a crash is located at its innermost frame in one of them."""
MAX_OPS = 3
REPAIRED_SHARE = 0.5


@dataclass(frozen=True)
class Case:
    """One fuzz case: the base file's name, the mutations applied, the bytes."""

    number: int
    base: str
    ops: tuple[str, ...]
    data: bytes


@dataclass(frozen=True)
class Outcome:
    """What became of a case: `decoded` or `failed typed`, or an untyped crash `in decoding`
    or `in run_features` at `location`."""

    result: str
    location: str | None = None


# --- base files ------------------------------------------------------------------------


def corpus_bases(max_bytes: int | None = None) -> list[tuple[str, bytes]]:
    """The corpus' running files (at most `max_bytes` each, if given), by corpus path."""
    files = [(p, p.stat().st_size) for p in running_files()]
    return [
        (f"corpus:{p.parent.name}/{p.name}", p.read_bytes())
        for p, size in files
        if max_bytes is None or size <= max_bytes
    ]


def _track() -> Track:
    """A simulated 2 km run, one record every 3-5 s (smart recording)."""
    from stridewise.simulator.edge import ATHLETE, SEED
    from stridewise.simulator.runs import season_tracks
    from stridewise.simulator.training import PlannedRun

    run = PlannedRun(0, "tempo", 2.0, 7.0, "generic", True, 0.0, 0.0)
    return season_tracks(ATHLETE, [run], np.random.default_rng([SEED, 9])).session(0)


TIME_ORDERS: dict[str, Callable[[np.ndarray, np.random.Generator], np.ndarray]] = {
    "shuffled": lambda t, rng: rng.permutation(len(t)),
    "reversed": lambda t, rng: np.arange(len(t))[::-1],
    "blocks swapped": lambda t, rng: np.roll(np.arange(len(t)), len(t) // 3),
    "repeated": lambda t, rng: np.sort(rng.integers(0, len(t), len(t))),
    "one record": lambda t, rng: np.array([len(t) // 2]),
    "two records": lambda t, rng: np.array([0, len(t) - 1]),
}
"""Which records of a run, in which order, a timestamp variant writes."""
CLOCKS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "in order": lambda t: t,
    "clock jumps back": lambda t: np.where(np.arange(len(t)) < len(t) // 2, t, t - 10_000),
    "clock stands still": lambda t: np.full_like(t, t[0]),
    "relative clock": lambda t: t - t[0] + 1_000,
}
"""Record times a timestamp variant writes (seconds since the start) in place of the run's."""
RECORD_FIELDS = {"distance": 0x86, "enhanced_speed": 0x86, "heart_rate": 0x02, "cadence": 0x02}


def records_file(t: np.ndarray, columns: dict[str, np.ndarray], start: int) -> bytes:
    """A running activity whose records carry these times and raw values, in this order,
    written with the project's encoder as a watch would (file_id, timer start, records,
    session, activity) and nothing smoothed: the encoder writes what it is given."""
    from stridewise.features.fit.encode import ENUM, UINT32, FieldSpec, FitWriter, write_file_id
    from stridewise.features.fit.profile import RECORD

    w = FitWriter()
    write_file_id(w, 4, 1, 3113, 1, start)
    w.define(1, 21, [FieldSpec(253, UINT32), FieldSpec(0, ENUM), FieldSpec(1, ENUM)])
    w.write(1, [start, 0, 0])
    layout = [FieldSpec(RECORD.field(n).num, base) for n, base in RECORD_FIELDS.items()]
    w.define(3, 20, [FieldSpec(253, UINT32), *layout])
    w.write_many(3, [start + t, *(columns[n] for n in RECORD_FIELDS)])
    end = start + int(t.max()) if len(t) else start
    w.define(5, 18, [FieldSpec(253, UINT32), FieldSpec(2, UINT32), FieldSpec(5, ENUM)])
    w.write(5, [end, start, 1])
    w.define(6, 34, [FieldSpec(253, UINT32), FieldSpec(5, UINT32)])
    w.write(6, [end, end + 3600])
    return w.to_bytes()


def encoder_bases() -> list[tuple[str, bytes]]:
    """Files the project's encoder writes: the edge files, and a run's records in odd time
    orders (shuffled, reversed, ... down to one record) on odd clocks (jumping back,
    standing still, device-relative)."""
    from stridewise.simulator.edge import edge_files
    from stridewise.simulator.track import raw_record_columns

    track, rng = _track(), np.random.default_rng(24)
    raw = raw_record_columns(track)
    start = int(datetime(2026, 11, 20, 6, tzinfo=UTC).timestamp()) - 631_065_600
    bases = [(f"encoder:{name}", data) for name, data in edge_files()]
    for (order_name, order), (clock_name, clock) in product(TIME_ORDERS.items(), CLOCKS.items()):
        keep = order(track.t, rng)
        t = clock(track.t.astype(np.float64))[keep]
        data = records_file(t, {n: raw[n][keep] for n in RECORD_FIELDS}, start)
        bases.append((f"encoder:{order_name}, {clock_name}", data))
    return bases


@cache
def bases(max_bytes: int | None = None) -> tuple[tuple[str, bytes], ...]:
    """Every base file of the fuzz, in a fixed order (the corpus' only if it is there)."""
    return (*corpus_bases(max_bytes), *encoder_bases())


# --- mutations -------------------------------------------------------------------------


def _flip(data: bytearray, rng: random.Random) -> str:
    at = [rng.randrange(len(data)) for _ in range(rng.randint(1, 3))]
    for i in at:
        data[i] ^= rng.randint(1, 255)
    return f"flip {len(at)} bytes"


def _invalid(data: bytearray, rng: random.Random) -> str:
    i, n, value = rng.randrange(len(data)), rng.randint(1, 4), rng.choice((0x00, 0xFF))
    data[i : i + n] = bytes([value]) * len(data[i : i + n])
    return f"set {n} bytes to {value:#04x} at {i}"


def _cut(data: bytearray, rng: random.Random) -> str:
    i = rng.randrange(1, len(data))
    del data[i:]
    return f"cut at {i}"


def _insert(data: bytearray, rng: random.Random) -> str:
    i, n = rng.randrange(len(data) + 1), rng.randint(1, 64)
    data[i:i] = rng.randbytes(n)
    return f"insert {n} random bytes at {i}"


def _duplicate(data: bytearray, rng: random.Random) -> str:
    i, n, to = rng.randrange(len(data)), rng.randint(1, 256), rng.randrange(len(data) + 1)
    data[to:to] = data[i : i + n]
    return f"copy {n} bytes from {i} to {to}"


def _delete(data: bytearray, rng: random.Random) -> str:
    i, n = rng.randrange(len(data)), rng.randint(1, 256)
    del data[i : i + n]
    return f"delete {n} bytes at {i}"


def _swap(data: bytearray, rng: random.Random) -> str:
    n = rng.randint(1, 64)
    if len(data) < 2 * n:
        return _flip(data, rng)
    i, j = sorted(rng.sample(range(len(data) - n + 1), 2))
    if j < i + n:
        return _flip(data, rng)
    data[i : i + n], data[j : j + n] = data[j : j + n], data[i : i + n]
    return f"swap {n} bytes at {i} and {j}"


MUTATIONS = {_flip: 3, _invalid: 2, _cut: 2, _insert: 1, _duplicate: 1, _delete: 1, _swap: 1}
"""Each mutation's weight: changes of values (more of them decode) more often than moves."""


def _crc(data: bytes) -> int:
    """The FIT CRC-16 (written here, not imported: the fuzz checks the decoder, not itself)."""
    table = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
             0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)  # fmt: skip
    crc = 0
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            crc = (crc >> 4) ^ table[crc & 0xF] ^ table[nibble]
    return crc


def repaired(data: bytearray) -> str:
    """Make the header's data size and both CRCs match the mutated bytes, as a tool that
    rewrites a file would: such a file passes the framing checks and reaches the messages."""
    size = data[0] if data else 0
    if size not in (12, 14) or len(data) < size + 2:
        return "no header to repair"
    data[4:8] = struct.pack("<I", len(data) - size - 2)
    if size == 14:
        data[12:14] = struct.pack("<H", _crc(bytes(data[:12])))
    data[-2:] = struct.pack("<H", _crc(bytes(data[:-2])))
    return "header and CRCs repaired"


def case(seed: int, number: int, files: Sequence[tuple[str, bytes]]) -> Case:
    """Case `number` of `seed`: the same bytes on every machine and in every order."""
    rng = random.Random(f"{seed}:{number}")
    base, original = files[rng.randrange(len(files))]
    data = bytearray(original)
    drawn = rng.choices(list(MUTATIONS), list(MUTATIONS.values()), k=rng.randint(1, MAX_OPS))
    ops = [mutate(data, rng) for mutate in drawn if data]
    if data and rng.random() < REPAIRED_SHARE:
        ops.append(repaired(data))
    return Case(number, base, tuple(ops), bytes(data))


def cases(seed: int, count: int, files: Sequence[tuple[str, bytes]]) -> Iterator[Case]:
    return (case(seed, n, files) for n in range(count))


# --- running a case --------------------------------------------------------------------


def location(error: BaseException) -> str:
    """`ExceptionType at layer/file.py:line`, the innermost frame in the project's code."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        parts = Path(frame.filename).parts
        inside = [i for i, part in enumerate(parts) if part in LAYERS]
        if inside and "site-packages" not in parts:
            return f"{type(error).__name__} at {'/'.join(parts[inside[-1] :])}:{frame.lineno}"
    return f"{type(error).__name__} outside the project's code"


def outcome(data: bytes) -> Outcome:
    """Decode the bytes and compute the run's features, as a night does with a file."""
    from stridewise.features.fit import FitDecodeError, read_activity
    from stridewise.features.runs import run_features, run_id, run_records, run_row, runs_frame

    try:
        activity = read_activity(data)
    except FitDecodeError:
        return Outcome("failed typed")
    except Exception as error:  # what the fuzz looks for
        return Outcome("in decoding", location(error))
    try:
        key = run_id("fuzz", activity)
        run_features(run_records(key, activity), runs_frame([run_row("fuzz", activity)]))
    except Exception as error:  # what the fuzz looks for
        return Outcome("in run_features", location(error))
    return Outcome("decoded")


@dataclass(frozen=True)
class Tally:
    cases: int
    results: Counter[str]
    crashes: Counter[tuple[str, str]]
    """(step, location) -> untyped crashes."""
    first: dict[tuple[str, str], Case]
    seconds: float

    @property
    def decoded(self) -> int:
        return self.results["decoded"] + self.results["in run_features"]


def run(seed: int, count: int, files: Sequence[tuple[str, bytes]]) -> Tally:
    results: Counter[str] = Counter()
    crashes: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], Case] = {}
    start = time.perf_counter()
    for c in cases(seed, count, files):
        got = outcome(c.data)
        results[got.result] += 1
        if got.location is not None:
            key = (got.result, got.location)
            crashes[key] += 1
            first.setdefault(key, c)
    return Tally(count, results, crashes, first, time.perf_counter() - start)


def report(tally: Tally, show: bool) -> str:
    crashed = sum(tally.crashes.values())
    lines = [
        f"cases: {tally.cases:,} in {tally.seconds:.0f} s",
        f"decoded: {tally.decoded:,}",
        f"failed typed (FitDecodeError): {tally.results['failed typed']:,}",
        f"untyped crashes: {crashed:,} (in decoding {tally.results['in decoding']:,}, "
        f"in run_features {tally.results['in run_features']:,})",
    ]
    for (step, where), n in tally.crashes.most_common():
        lines.append(f"  {n:6,}  {step}: {where}")
        if show:
            c = tally.first[(step, where)]
            lines.append(f"          first: case {c.number}, {c.base}: {'; '.join(c.ops)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--max-bytes", type=int, default=None, help="only corpus files up to this size"
    )
    parser.add_argument(
        "--show", action="store_true", help="how each location's first case was made"
    )
    args = parser.parse_args(argv)
    files = bases(args.max_bytes)
    import stridewise.features

    print(
        f"fuzz: seed {args.seed}, {len(files)} base files, code from "
        f"{Path(stridewise.features.__file__).parent}, {date.today()}",
        file=sys.stderr,
    )
    print(report(run(args.seed, args.cases, files), args.show))


if __name__ == "__main__":
    main()
