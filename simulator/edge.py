"""Hand-picked edge files: the cases a decoder and the features must get right.

    python -m simulator.edge data_samples/edge

Treadmill, trail, many timer pauses, a developer (Connect IQ) power field, a ride, a run+ride
multisport file and a file cut short, all from one simulated athlete. Same seed, same bytes.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from stridewise.simulator.athletes import draw_athlete
from stridewise.simulator.fitfile import ActivitySpec, Leg, encode_activity
from stridewise.simulator.runs import ride_track, season_tracks
from stridewise.simulator.track import Track
from stridewise.simulator.training import PlannedRun

SEED = 20261125
DAY = datetime(2026, 11, 18, tzinfo=UTC)
OFFSET_S = 3600  # Europe/Zurich in November


ATHLETE = replace(
    draw_athlete(np.random.default_rng([SEED, 0]), 0, 0, date(2026, 11, 1)), has_strap=True
)
"""The one athlete of every edge file, with a strap: running dynamics in every run."""


def _run(kind: str, km: float, sub_sport: str = "generic", seed: int = 0) -> Track:
    run = PlannedRun(0, kind, km, 7.0, sub_sport, True, 0.0, 0.0)
    tracks = season_tracks(ATHLETE, [run], np.random.default_rng([SEED, 1, seed]))
    return tracks.session(0)


def _spec(
    hour: int,
    legs: list[Leg],
    pauses: list[tuple[int, int]] | None = None,
    *,
    dev_power: bool = False,
) -> ActivitySpec:
    start = DAY + timedelta(hours=hour) - timedelta(seconds=OFFSET_S)
    return ActivitySpec(start, legs, OFFSET_S, pauses or [], dev_power=dev_power)


def _with_pauses(
    track: Track, count: int, rng: np.random.Generator
) -> tuple[Track, list[tuple[int, int]]]:
    """Stop the timer `count` times for 20-90 s: later records move later in wall time."""
    at = np.linspace(len(track) // 8, len(track) * 7 // 8, count).astype(int)
    stopped = rng.integers(20, 90, count)
    added = np.zeros(len(track), dtype=np.int64)
    added[at + 1] = stopped
    wall = track.t + np.cumsum(added)
    pauses = [(int(wall[a]), int(wall[a] + s)) for a, s in zip(at, stopped, strict=True)]
    return replace(track, t=wall), pauses


def edge_files() -> Iterator[tuple[str, bytes]]:
    """(file name, FIT bytes) of every edge file."""
    rng = np.random.default_rng([SEED, 2])
    yield (
        "treadmill.fit",
        encode_activity(_spec(6, [Leg("running", _run("easy", 6.0, "treadmill", 1), "treadmill")])),
    )
    yield (
        "trail.fit",
        encode_activity(_spec(9, [Leg("running", _run("long", 14.0, "trail", 2), "trail")])),
    )
    paused, pauses = _with_pauses(_run("easy", 8.0, seed=3), 7, rng)
    yield "many_pauses.fit", encode_activity(_spec(17, [Leg("running", paused)], pauses))
    run = _run("tempo", 7.0, seed=4)
    power = np.round(230 * run.speed_mps / 3 + rng.normal(0, 5, len(run)))
    yield (
        "developer_power.fit",
        encode_activity(_spec(12, [Leg("running", replace(run, power_w=power))], dev_power=True)),
    )
    yield (
        "cycling.fit",
        encode_activity(_spec(16, [Leg("cycling", ride_track(rng, ATHLETE, 40), "road")])),
    )
    brick = _run("easy", 4.0, seed=5)
    ride = ride_track(rng, ATHLETE, 30)
    ride = replace(ride, t=ride.t + int(brick.t[-1]) + 60)
    yield (
        "multisport_run_bike.fit",
        encode_activity(_spec(7, [Leg("running", brick), Leg("cycling", ride, "road")])),
    )
    whole = encode_activity(_spec(19, [Leg("running", _run("easy", 5.0, seed=6))]))
    yield "truncated.fit", whole[: len(whole) * 2 // 3]  # the battery died two thirds in


def write_edge_files(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in edge_files():
        (out / name).write_bytes(data)
        written.append(out / name)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write into (e.g. data_samples/edge)")
    paths = write_edge_files(parser.parse_args().out)
    print(f"wrote {len(paths)} edge files")
