"""Write `data_samples/`: a few realistic runs per athlete and hand-picked edge files.

    python -m simulator.samples data_samples

Same seed, same bytes. Each run has a warm-up, steady running with noise and hills, cadence that
follows speed (prior 165 + 7·(v - 3 m/s) steps/min plus the athlete's offset) and drifts down
late in long runs, and running dynamics only for athletes who wear a strap.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from simulator.fitfile import ActivitySpec, Leg, Sample, encode_activity

SEED = 20261125


@dataclass(frozen=True)
class Runner:
    athlete_id: str
    cadence_offset_spm: float
    gct_balance_left_pct: float
    has_strap: bool
    easy_speed_mps: float
    utc_offset_s: int
    home: tuple[float, float]


RUNNERS = (
    Runner("a01", 4.0, 50.4, True, 3.1, 3600, (47.3769, 8.5417)),
    Runner("a02", -6.0, 49.2, False, 2.8, 3600, (47.4980, 8.7240)),
    Runner("b01", 1.0, 51.1, True, 3.4, -18000, (40.7812, -73.9665)),
    Runner("b02", -2.0, 49.9, False, 3.0, -18000, (40.6602, -73.9690)),
)


def run_samples(
    rng: random.Random,
    runner: Runner,
    seconds: int,
    *,
    start_distance: float = 0.0,
    indoor: bool = False,
    recording_s: tuple[int, int] = (1, 5),
) -> list[Sample]:
    """Records of one run: warm-up, steady pace with hills and noise, fatigue late in the run."""
    samples, t, distance = [], 0, start_distance
    lat, lon = runner.home
    bearing = rng.uniform(0, 2 * math.pi)
    while t <= seconds:
        warm = min(1.0, 0.8 + 0.2 * t / 600)
        speed = max(
            1.5, runner.easy_speed_mps * warm + 0.15 * math.sin(t / 97) + rng.gauss(0, 0.05)
        )
        fatigue = max(0.0, (t - 3600) / 3600) * 3  # steps/min lost per hour beyond the first
        spm = 165 + 7 * (speed - 3) + runner.cadence_offset_spm - fatigue + rng.gauss(0, 1.5)
        spm = round(spm * 64) / 64  # what FIT can hold: 1/128 stride
        gct = 250 - 25 * (speed - 3) + rng.gauss(0, 4)
        step_mm = speed * 60 / spm * 1000
        oscillation = 85 + rng.gauss(0, 3)
        if not indoor:
            lat += speed * math.cos(bearing) / 111_320 * _gap(samples, t)
            lon += (
                speed
                * math.sin(bearing)
                / (111_320 * math.cos(math.radians(lat)))
                * _gap(samples, t)
            )
        strap = runner.has_strap
        samples.append(
            Sample(
                t=t,
                distance_m=round(distance, 2),
                speed_mps=round(speed, 3),
                heart_rate_bpm=round(120 + 25 * (speed / runner.easy_speed_mps) + t / 240),
                cadence_spm=spm,
                altitude_m=None if indoor else round(400 + 15 * math.sin(t / 400), 1),
                latitude_deg=None if indoor else lat,
                longitude_deg=None if indoor else lon,
                gct_ms=round(gct, 1) if strap else None,
                gct_balance_left_pct=round(runner.gct_balance_left_pct + rng.gauss(0, 0.4), 2)
                if strap
                else None,
                vertical_oscillation_mm=round(oscillation, 1) if strap else None,
                vertical_ratio_pct=round(oscillation / step_mm * 100, 2) if strap else None,
                step_length_mm=round(step_mm, 1) if strap else None,
            )
        )
        step = rng.randint(*recording_s)
        t += step
        distance += speed * step
    return samples


def _gap(samples: list[Sample], t: int) -> int:
    return t - samples[-1].t if samples else 0


def _start(day: datetime, runner: Runner, hour: int) -> datetime:
    """`hour` o'clock local time on `day`, as UTC."""
    return day.replace(hour=hour) - timedelta(seconds=runner.utc_offset_s)


def team_files(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """(relative path, FIT bytes) for three weeks of easy and long runs per athlete."""
    first_day = datetime(2026, 10, 5, tzinfo=UTC)
    for runner in RUNNERS:
        for week in range(3):
            for day, minutes, hour in ((1, 40, 7), (3, 45, 18), (6, 70 + 10 * week, 8)):
                start = _start(first_day + timedelta(days=7 * week + day), runner, hour)
                seconds = minutes * 60 + rng.randint(-120, 120)
                spec = ActivitySpec(
                    start,
                    [Leg("running", run_samples(rng, runner, seconds))],
                    utc_offset_s=runner.utc_offset_s,
                )
                yield (
                    f"inbox/{runner.athlete_id}/{start:%Y-%m-%dT%H%M%SZ}.fit",
                    encode_activity(spec),
                )


def edge_files(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """Files that exercise the decoder's edge cases (see data_samples/README.md)."""
    a01, a02 = RUNNERS[0], RUNNERS[1]
    day = datetime(2026, 10, 28, tzinfo=UTC)
    treadmill = run_samples(rng, a01, 1800, indoor=True)
    yield (
        "edge/treadmill.fit",
        encode_activity(
            ActivitySpec(
                _start(day, a01, 6), [Leg("running", treadmill, "treadmill")], utc_offset_s=3600
            )
        ),
    )
    trail = run_samples(rng, a02, 3000)
    yield (
        "edge/trail.fit",
        encode_activity(
            ActivitySpec(_start(day, a02, 9), [Leg("running", trail, "trail")], utc_offset_s=3600)
        ),
    )
    paused = run_samples(rng, a01, 2400)
    pauses = [(t, t + rng.randint(20, 90)) for t in range(300, 2300, 300)]
    kept = [s for s in paused if not any(a < s.t < b for a, b in pauses)]
    yield (
        "edge/many_pauses.fit",
        encode_activity(
            ActivitySpec(
                _start(day, a01, 17), [Leg("running", kept)], utc_offset_s=3600, pauses=pauses
            )
        ),
    )
    powered = [_with_power(s, rng) for s in run_samples(rng, a01, 1500)]
    yield (
        "edge/developer_power.fit",
        encode_activity(
            ActivitySpec(
                _start(day, a01, 12), [Leg("running", powered)], utc_offset_s=3600, dev_power=True
            )
        ),
    )
    ride = _ride(rng, 2400)
    yield (
        "edge/cycling.fit",
        encode_activity(
            ActivitySpec(_start(day, a02, 16), [Leg("cycling", ride, "road")], utc_offset_s=3600)
        ),
    )
    run = run_samples(rng, a02, 1200)
    bike = [
        Sample(
            t=s.t + run[-1].t + 60,
            distance_m=s.distance_m,
            speed_mps=s.speed_mps,
            heart_rate_bpm=s.heart_rate_bpm,
        )
        for s in _ride(rng, 1800)
    ]
    yield (
        "edge/multisport_run_bike.fit",
        encode_activity(
            ActivitySpec(
                _start(day, a02, 7),
                [Leg("running", run), Leg("cycling", bike, "road")],
                utc_offset_s=3600,
            )
        ),
    )
    whole = encode_activity(
        ActivitySpec(
            _start(day, a01, 19), [Leg("running", run_samples(rng, a01, 1200))], utc_offset_s=3600
        )
    )
    yield "edge/truncated.fit", whole[: len(whole) * 2 // 3]  # the battery died two thirds in


def _with_power(sample: Sample, rng: random.Random) -> Sample:
    return replace(sample, power_w=round(230 * sample.speed_mps / 3 + rng.gauss(0, 5)))


def _ride(rng: random.Random, seconds: int) -> list[Sample]:
    samples, distance = [], 0.0
    for t in range(0, seconds + 1, 2):
        speed = max(3.0, 8 + rng.gauss(0, 0.4))
        samples.append(
            Sample(
                t=t,
                distance_m=round(distance, 2),
                speed_mps=round(speed, 3),
                heart_rate_bpm=round(130 + rng.gauss(0, 3)),
            )
        )
        distance += speed * 2
    return samples


def write_samples(out: Path, seed: int = SEED) -> list[Path]:
    """Write every sample file under `out`; return their paths."""
    rng = random.Random(seed)
    written = []
    for relative, data in [*team_files(rng), *edge_files(rng)]:
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write into (e.g. data_samples)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    paths = write_samples(args.out, args.seed)
    print(f"wrote {len(paths)} FIT files under {args.out}")
