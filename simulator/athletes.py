"""A team of simulated runners: the traits that shape their training, gait and risk.

Distributions are documented in docs/simulator.md; the cadence prior is van Oeveren 2017
(165 + 7·(v - 3 m/s) steps/min, SD 8 between runners, lower for taller runners).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import polars as pl

from stridewise.features.fit.profile import product_name
from stridewise.simulator.fitfile import Device

SQUADS = (
    ("zurich", "Europe/Zurich", (47.3769, 8.5417)),
    ("boston", "America/New_York", (42.3601, -71.0589)),
    ("sydney", "Australia/Sydney", (-33.8688, 151.2093)),
    ("denver", "America/Denver", (39.7392, -104.9903)),
)
"""Squads train in one city each: name, IANA time zone, home coordinates."""

WATCHES = (3113, 3990, 4024, 4315, 3906, 3589)
"""Garmin products (fr945, fr255_music, fr955, fr965, fenix7, fr745)."""

FIRST_NAMES = {
    "female": ("Anna", "Lea", "Mia", "Sara", "Nora", "Emma", "Lina", "Julia", "Zoe", "Ava"),
    "male": ("Luca", "Noah", "Elias", "Jonas", "Leon", "Ben", "Tim", "Finn", "Max", "Sam"),
}
LAST_NAMES = ("Meier", "Keller", "Brown", "Weber", "Smith", "Huber", "Lee", "Fischer", "Ng", "Roth")


@dataclass(frozen=True)
class Athlete:
    """One runner: roster facts, then the traits only the simulator knows."""

    athlete_id: str
    name: str
    team: str
    sex: str
    birth_year: int
    height_cm: float
    timezone: str
    product: int
    serial_number: int
    hr_max_bpm: float
    hr_rest_bpm: float
    home: tuple[float, float]
    experience_years: float
    weekly_km: float
    runs_per_week: int
    long_run_share: float
    long_run_weekday: int
    quality_per_week: int
    hilliness_m: float
    easy_speed_mps: float
    cadence_offset_spm: float
    balance_baseline_pct: float
    balance_noise_pct: float
    has_strap: bool
    rides_per_week: float
    treadmill_share: float
    trail_share: float
    missing_share: float
    start_hour: int
    previous_injury: bool

    @property
    def device(self) -> Device:
        return Device(product=self.product, serial_number=self.serial_number)

    @property
    def reference_speed_mps(self) -> float:
        """The speed a coach would compare cadence at: the athlete's easy pace, to 0.1 m/s."""
        return round(self.easy_speed_mps, 1)

    @property
    def device_name(self) -> str:
        return f"garmin/{product_name(1, self.product)}"


ROSTER_SCHEMA: dict[str, pl.DataType] = {
    "athlete_id": pl.String(),
    "name": pl.String(),
    "team": pl.String(),
    "sex": pl.String(),
    "birth_year": pl.Int32(),
    "height_cm": pl.Float64(),
    "timezone": pl.String(),
    "device": pl.String(),
    "hr_max_bpm": pl.Float64(),
    "hr_rest_bpm": pl.Float64(),
    "reference_speed_mps": pl.Float64(),
}
"""roster.csv: what a coach knows about each athlete (the reference speed: their easy pace)."""


def draw_athlete(rng: np.random.Generator, index: int, squad: int, today: date) -> Athlete:
    """One runner of `squad`, with traits drawn from `rng` (one stream per athlete)."""
    team, timezone, (lat, lon) = SQUADS[squad % len(SQUADS)]
    sex = "female" if rng.random() < 0.45 else "male"
    height = rng.normal(167 if sex == "female" else 180, 6.5)
    age = int(np.clip(rng.normal(34, 9), 18, 65))
    experience = float(np.clip(rng.gamma(2.0, 3.0), 0.3, 30))
    weekly_km = float(np.clip(np.exp(rng.normal(np.log(28) + 0.03 * experience, 0.5)), 15, 120))
    runs = int(np.clip(round(2 + weekly_km / 16 + rng.normal(0, 0.7)), 3, 7))
    speed = float(np.clip(rng.normal(2.75 + 0.006 * weekly_km, 0.25), 2.2, 4.0))
    height_effect = -0.3 * (height - (167 if sex == "female" else 180))
    hr_max = float(np.round(208 - 0.7 * age + rng.normal(0, 6)))
    return Athlete(
        athlete_id=f"{team[0]}{index + 1:03d}",
        name=f"{rng.choice(FIRST_NAMES[sex])} {rng.choice(LAST_NAMES)}",
        team=team,
        sex=sex,
        birth_year=today.year - age,
        height_cm=round(float(height), 1),
        timezone=timezone,
        product=int(rng.choice(WATCHES)),
        serial_number=3_900_000_000 + int(rng.integers(1, 99_999_999)),
        hr_max_bpm=hr_max,
        hr_rest_bpm=float(np.round(rng.normal(56 - 0.05 * weekly_km, 5))),
        home=(lat + rng.normal(0, 0.02), lon + rng.normal(0, 0.02)),
        experience_years=round(experience, 1),
        weekly_km=weekly_km,
        runs_per_week=runs,
        long_run_share=float(rng.uniform(0.22, 0.35)),
        long_run_weekday=int(rng.choice([5, 6])),
        quality_per_week=int(rng.choice([0, 1, 1, 2])) if runs >= 4 else int(rng.choice([0, 1])),
        hilliness_m=float(rng.gamma(2.0, 6.0)),
        easy_speed_mps=speed,
        cadence_offset_spm=float(height_effect + rng.normal(0, 7.5)),
        balance_baseline_pct=float(rng.uniform(48.5, 51.5)),
        balance_noise_pct=float(rng.uniform(0.3, 0.8)),
        has_strap=bool(rng.random() < 0.5),
        rides_per_week=float(rng.choice([0, 0, 0.5, 1, 2])),
        treadmill_share=float(rng.choice([0, 0, 0.05, 0.15])),
        trail_share=float(rng.choice([0, 0.1, 0.25])),
        missing_share=float(rng.uniform(0, 0.06)),
        start_hour=int(rng.choice([6, 7, 12, 17, 18, 19])),
        previous_injury=bool(rng.random() < 0.15),
    )


def roster_frame(athletes: list[Athlete]) -> pl.DataFrame:
    rows = [
        {
            **{k: v for k, v in asdict(a).items() if k in ROSTER_SCHEMA},
            "device": a.device_name,
            "reference_speed_mps": a.reference_speed_mps,
        }
        for a in athletes
    ]
    return pl.DataFrame(rows, schema=ROSTER_SCHEMA, orient="row")
