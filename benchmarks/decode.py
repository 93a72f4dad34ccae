"""Decoder speed on the corpus' running files: stridewise, fitparse, fitdecode, garmin-fit-sdk.

    python -m benchmarks.decode [--repeats 3]

Per file and decoder, the median of `--repeats` full decodes from bytes in memory (stridewise:
`read_activity`, i.e. records frame and summary; the others: every message). Reports MB/s and
records/s per decoder, the median per-file speed-up over fitparse (the target is >= 20x), and
stridewise's peak Python-heap memory relative to the file size plus its output frame.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tracemalloc
from collections.abc import Callable

import fitdecode
import fitparse
from garmin_fit_sdk import Decoder, Stream

from benchmarks.corpus import median_seconds, running_files
from stridewise.features.fit import read_activity


def _fitparse(data: bytes) -> None:
    list(fitparse.FitFile(data).get_messages())


def _fitdecode(data: bytes) -> None:
    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        for _ in reader:
            pass


def _garmin_sdk(data: bytes) -> None:
    Decoder(Stream.from_byte_array(bytearray(data))).read()


DECODERS: dict[str, Callable[[bytes], object]] = {
    "stridewise": read_activity,
    "fitparse": _fitparse,
    "fitdecode": _fitdecode,
    "garmin-fit-sdk": _garmin_sdk,
}


def _peak_memory_ratio(data: bytes) -> float:
    """Peak Python and numpy heap while decoding (tracemalloc), over file plus output frame.

    polars' own (Rust) allocations are not traced: they hold the output frame itself.
    """
    tracemalloc.start()
    activity = read_activity(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / (len(data) + activity.records.estimated_size())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per file and decoder")
    args = parser.parse_args()
    files = running_files()
    totals = {name: [0.0, 0, 0] for name in DECODERS}  # seconds, bytes, records
    ratios, memory = [], []
    print(f"| file | KB | records | {' | '.join(f'{n} ms' for n in DECODERS)} | x fitparse |")
    print("|---|---:|---:|" + "---:|" * (len(DECODERS) + 1))
    for path in files:
        data = path.read_bytes()
        records = read_activity(data).records.height
        seconds = {
            name: median_seconds(lambda d=decode, b=data: d(b), args.repeats)
            for name, decode in DECODERS.items()
        }
        for name, s in seconds.items():
            totals[name][0] += s
            totals[name][1] += len(data)
            totals[name][2] += records
        ratios.append(seconds["fitparse"] / seconds["stridewise"])
        memory.append((_peak_memory_ratio(data), len(data)))
        cells = " | ".join(f"{s * 1000:.1f}" for s in seconds.values())
        print(
            f"| {path.relative_to(path.parents[1])} | {len(data) / 1024:.0f} | {records} | "
            f"{cells} | {ratios[-1]:.0f} |"
        )
    print(f"\n{len(files)} running files, median of {args.repeats} runs each\n")
    print("| decoder | MB/s | records/s | x fitparse (throughput) |")
    print("|---|---:|---:|---:|")
    reference = totals["fitparse"][1] / totals["fitparse"][0]
    for name, (s, size, records) in totals.items():
        print(
            f"| {name} | {size / s / 1e6:.2f} | {records / s:,.0f} | {size / s / reference:.1f} |"
        )
    print(
        f"\nmedian per-file speed-up of stridewise over fitparse: {statistics.median(ratios):.1f}x "
        f"(min {min(ratios):.1f}x, max {max(ratios):.1f}x)"
    )
    worst, over_100k = max(memory), max(m for m in memory if m[1] > 100_000)
    typical = statistics.median(m for m, _ in memory)
    print(
        f"peak Python heap / (file + output frame): median {typical:.2f}, "
        f"max {worst[0]:.2f} (a {worst[1]}-byte file), max over files > 100 kB {over_100k[0]:.2f}"
    )


if __name__ == "__main__":
    main()
