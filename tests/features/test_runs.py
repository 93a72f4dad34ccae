"""Per-run features on tiny records frames whose every value was chosen, checked by hand."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path

import fitparse
import numpy as np
import polars as pl
import pytest

from stridewise.features.fit import read_activity
from stridewise.features.runs import RECORD_COLUMNS, run_features, run_records, run_row, runs_frame
from tests.corpus import CORPUS, manifest

START = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


def records(run: str = "a/1", **columns: list[float] | np.ndarray) -> pl.DataFrame:
    """A records frame of one run: `elapsed_s` and whichever columns are given, the rest null."""
    n = len(columns["elapsed_s"])
    frame = {"run_id": [run] * n, "running": [True] * n, "session": [0] * n, "moving": [True] * n}
    for name in RECORD_COLUMNS:
        if name not in ("session", "moving"):
            frame[name] = columns.get(name, [None] * n)
    frame.update({k: v for k, v in columns.items() if k in ("running", "moving", "session")})
    schema = {
        "run_id": pl.String,
        "running": pl.Boolean,
        "session": pl.UInt16,
        "moving": pl.Boolean,
    }
    return pl.DataFrame(frame, schema_overrides=schema).select("run_id", "running", *RECORD_COLUMNS)


def runs(*run_ids: str, athlete: str = "a", running_s: float = 3600.0) -> pl.DataFrame:
    return runs_frame(
        [
            {
                "run_id": r,
                "athlete_id": athlete,
                "start_time_utc": START,
                "local_date": date(2026, 3, 1),
                "utc_offset_s": 3600,
                "sport": "running",
                "sub_sport": "generic",
                "running_s": running_s,
                "cross_training_s": 0.0,
            }
            for r in run_ids
        ]
    )


def features(frame: pl.DataFrame, athletes: pl.DataFrame | None = None) -> dict[str, object]:
    return run_features(frame, runs(*frame["run_id"].unique(maintain_order=True)), athletes).row(
        0, named=True
    )


def test_cadence_at_reference_speed_from_a_shrunk_fit() -> None:
    # warm-up (0-240 s), a walk break and a paused record are left out of the running segment
    elapsed = list(range(0, 1260, 60))  # 0 .. 1200
    speed = [3.0] * 5 + [2.8, 3.2] * 8  # from 300 s: 8 records at 2.8 and 8 at 3.2 m/s
    cadence = [200.0] * 5 + [158.0, 162.0] * 8  # 160 + 10 x (v - 3)
    elapsed += [1260, 1320]
    speed += [1.4, 3.0]
    cadence += [120.0, 200.0]  # walking; and a record with the timer stopped
    moving = [True] * 22 + [False]
    f = features(records(elapsed_s=elapsed, speed_mps=speed, cadence_spm=cadence, moving=moving))
    # own slope 10 (cov 0.4 / var 0.04), shrunk: (0.4 + 0.05 x 7) / (0.04 + 0.05)
    assert f["cadence_slope_spm_per_mps"] == pytest.approx(0.75 / 0.09)
    assert f["cadence_spm"] == pytest.approx(160.0)
    assert f["cadence_at_ref_spm"] == pytest.approx(160.0)  # mean speed is exactly 3 m/s
    assert f["cadence_prior_residual_spm"] == pytest.approx(-5.0)
    assert f["cadence_sd_spm"] == pytest.approx(math.sqrt(16 * 4 / 15))
    assert f["cadence_drift_spm"] == pytest.approx(0.0)  # 15 min of segment (300-1200 s)
    roster = pl.DataFrame({"athlete_id": ["a"], "reference_speed_mps": [3.2]})
    frame = records(elapsed_s=elapsed, speed_mps=speed, cadence_spm=cadence, moving=moving)
    own = features(frame, roster)
    assert own["cadence_at_ref_spm"] == pytest.approx(160 + 0.75 / 0.09 * 0.2)
    assert own["cadence_prior_residual_spm"] == pytest.approx(160 + 0.75 / 0.09 * 0.2 - 166.4)
    shorter = records(elapsed_s=elapsed[:-3], speed_mps=speed[:-3], cadence_spm=cadence[:-3])
    assert features(shorter)["cadence_drift_spm"] is None  # 300-1140 s: under 15 min


def test_cadence_drift_compares_the_last_third_with_the_first() -> None:
    elapsed = np.arange(0, 3660, 60.0)  # 0 .. 3600; segment 300-3600, thirds at 1400 and 2500
    cadence = np.where(elapsed < 1800, 170.0, 166.0)
    balance = np.where(elapsed < 1800, 50.0, 50.5)  # SI 0 early, 2 late
    f = features(
        records(
            elapsed_s=elapsed,
            speed_mps=np.full(len(elapsed), 3.0),
            cadence_spm=cadence,
            gct_balance_left_pct=balance,
        )
    )
    assert f["cadence_drift_spm"] == pytest.approx(-4.0)
    assert f["gct_si_drift_pct"] == pytest.approx(2.0)
    # balance: 30 of 61 moving records at 50.0 (0..1740 s), 31 at 50.5
    assert f["gct_balance_left_pct"] == pytest.approx((30 * 50.0 + 31 * 50.5) / 61)
    assert f["gct_si_pct"] == pytest.approx(4 * (30 * 50.0 + 31 * 50.5) / 61 - 200)
    assert f["has_running_dynamics"] is True


def test_trimp_and_high_intensity_by_hand() -> None:
    elapsed = [0.0, 10.0, 20.0, 30.0, 50.0, 650.0]  # steps 10, 10, 10, 20 and 600 (a pause)
    hr = [150.0, 150.0, 180.0, 180.0, 150.0, 150.0]
    distance = [0.0, 30.0, 60.0, 90.0, 150.0, 1000.0]
    roster = pl.DataFrame({"athlete_id": ["a"], "sex": ["male"], "hr_max_bpm": [190.0]})
    roster = roster.with_columns(hr_rest_bpm=pl.lit(50.0))
    f = features(records(elapsed_s=elapsed, heart_rate_bpm=hr, distance_m=distance), roster)

    def minute(heart_rate: float) -> float:  # Banister, men: HRr x 0.64 e^(1.92 HRr)
        r = (heart_rate - 50) / 140
        return r * 0.64 * math.exp(1.92 * r)

    # seconds since the previous record, a gap counting at most 30 s
    expected = (10 * minute(150) + 20 * minute(180) + 20 * minute(150) + 30 * minute(150)) / 60
    assert f["trimp"] == pytest.approx(expected)
    assert f["high_intensity_km"] == pytest.approx((30 + 30) / 1000)  # HRr 130/140 >= 0.8
    assert f["distance_km"] == pytest.approx(1.0)
    assert f["pace_s_per_km"] == pytest.approx(3600.0)
    assert f["heart_rate_bpm"] == pytest.approx(160.0)


def test_heart_rate_limits_are_estimated_without_a_roster() -> None:
    frame = records(elapsed_s=[0.0, 30.0], heart_rate_bpm=[125.0, 125.0])  # half a minute
    f = features(frame)
    r = (125 - 60) / (190 - 60)  # defaults: rest 60, max 190; unknown sex: mean coefficients
    assert f["trimp"] == pytest.approx(0.5 * r * 0.75 * math.exp(1.795 * r))
    born_1976 = pl.DataFrame({"athlete_id": ["a"], "birth_year": [1976], "sex": ["female"]})
    r = (125 - 60) / (208 - 0.7 * 50 - 60)  # Tanaka: 208 - 0.7 x age (50 in 2026)
    trimp = features(frame, born_1976)["trimp"]
    assert trimp == pytest.approx(0.5 * r * 0.86 * math.exp(1.67 * r))


def test_ascent_descent_and_downhill() -> None:
    distance = np.arange(0, 2100, 100.0)  # 21 records, 100 m apart
    altitude = np.concatenate([np.linspace(400, 410, 11), np.linspace(405, 360, 10)])
    f = features(records(elapsed_s=distance / 3, distance_m=distance, altitude_m=altitude))
    assert f["ascent_m"] == pytest.approx(10.0)
    assert f["descent_m"] == pytest.approx(5.0 + 45.0)  # 410 -> 405, then 405 -> 360
    # grade over the last 10 records: records 19 and 20 (-45 m over 1 km from 410 at record 9
    # and 10) reach -3 %: record 19: 360 + 5 = 365 vs 409 -> -4.4 %; counted for their steps
    grade = [(altitude[i] - altitude[i - 10]) / 1000 for i in range(10, 21)]
    downhill = sum(100 for g in grade if g <= -0.03)
    assert f["downhill_km"] == pytest.approx(downhill / 1000)


def test_absent_sensors_are_null_and_other_sports_count_as_cross_training() -> None:
    ride = records("a/ride", elapsed_s=[0.0, 60.0], distance_m=[0.0, 500.0], running=[False] * 2)
    meta = runs("a/ride").with_columns(
        sport=pl.lit("cycling"), running_s=pl.lit(0.0), cross_training_s=pl.lit(60.0)
    )
    f = run_features(ride, meta).row(0, named=True)
    assert (f["is_running"], f["distance_km"], f["cross_training_s"]) == (False, 0.0, 60.0)
    for absent in ("cadence_spm", "gct_balance_left_pct", "trimp", "pace_s_per_km"):
        assert f[absent] is None, absent
    assert f["has_running_dynamics"] is False


def test_runs_are_computed_apart_in_one_batch() -> None:
    one = records("a/1", elapsed_s=[0.0, 60.0], distance_m=[0.0, 200.0], heart_rate_bpm=[1, 1])
    two = records("a/2", elapsed_s=[0.0, 60.0], distance_m=[5000.0, 5300.0])
    f = run_features(pl.concat([one, two]), runs("a/1", "a/2"))
    assert f["distance_km"].to_list() == [0.2, 0.3]  # no step across the two runs
    assert f["trimp"].to_list()[1] is None


def _tempo_columns() -> dict[str, np.ndarray]:
    """25 min, a record a second: 10 min easy (2.5 m/s), 10 min fast (3.5), 5 min easy."""
    t = np.arange(1501.0)
    speed = np.where((t >= 600) & (t < 1200), 3.5, 2.5)
    distance = np.concatenate([[0.0], np.cumsum(speed[1:])])
    cadence = np.where(speed > 3, 176.0, 166.0)
    return {"elapsed_s": t, "speed_mps": speed, "distance_m": distance, "cadence_spm": cadence}


def test_records_out_of_time_order_are_the_run_in_time_order() -> None:
    """A file's records can go back in time (a chained file's second part, a clock reset):
    a run is its records in time order, whatever order the file has them in."""
    ordered = _tempo_columns()
    shuffled_at = np.random.default_rng(24).permutation(1501)
    shuffled = {name: values[shuffled_at] for name, values in ordered.items()}
    back = {name: np.roll(values, 500) for name, values in ordered.items()}  # the last 500 first
    expected = features(records(**ordered))
    assert expected["warmup_min"] == pytest.approx(591 / 60)  # as test_efforts' tempo run
    assert expected["distance_km"] == pytest.approx((599 * 2.5 + 600 * 3.5 + 301 * 2.5) / 1000)
    assert features(records(**shuffled)) == expected
    assert features(records(**back)) == expected


def test_a_clock_that_jumps_years_does_not_reach_the_next_run() -> None:
    """A run whose clock jumps decades ahead (a real Edge 500 file jumps two years, and
    back): the next run of the batch keeps the row it has alone (the windows' clock put a
    fixed 1e8 s between runs: past it, they ran into the next run and out of the batch)."""
    jumpy = _tempo_columns()
    jumpy["elapsed_s"] = np.where(np.arange(1501) >= 1400, 1.2e9, 0.0) + jumpy["elapsed_s"]
    batch = pl.concat([records("a/1", **jumpy), records("a/2", **_tempo_columns())])
    rows = run_features(batch, runs("a/1", "a/2")).rows(named=True)
    assert rows[1] == {**features(records("a/1", **_tempo_columns())), "run_id": "a/2"}


def test_runs_of_one_record_and_records_without_a_time() -> None:
    """One record: no step, no distance, its own speed and heart rate (IndexError before, in
    the middle or at the end of a batch). Records without a time: no step, no window, and
    the runs after them unchanged."""
    one = records("a/1", elapsed_s=[0.0], speed_mps=[3.0], heart_rate_bpm=[150.0])
    untimed = records("a/2", elapsed_s=[None] * 3, distance_m=[0.0, 10.0, 20.0])
    tempo = records("a/3", **_tempo_columns())
    again = one.with_columns(run_id=pl.lit("a/4"))
    batch = pl.concat([one, untimed, tempo, again], how="vertical_relaxed")
    rows = run_features(batch, runs("a/1", "a/2", "a/3", "a/4"))
    first, second, third, last = rows.rows(named=True)
    assert (first["distance_km"], first["speed_mps"], first["heart_rate_bpm"]) == (0, 3, 150)
    assert first["warmup_min"] is None and first["cadence_spm"] is None
    assert second["distance_km"] == pytest.approx(0.02)  # the steps of distance still count
    assert third == {**features(records("a/3", **_tempo_columns())), "run_id": "a/3"}
    assert {**last, "run_id": "a/1"} == first  # last in the batch: IndexError before


STOPS = ("stop", "stop_all", "stop_disable", "stop_disable_all")


def _with_balance(row: dict[str, str]) -> bool:
    """Single-sport running files with GCT balance that fitparse reads."""
    return row["kind"] == "running" and row["has_stance_time_balance"] == "yes"


def _fitparse_moving_balance(path: Path) -> float | None:
    """Mean stance_time_balance over the records inside the timer's spans, read by fitparse."""
    fit = fitparse.FitFile(str(path))
    spans: list[list[datetime]] = []
    for event in fit.get_messages("event"):
        if event.get_value("event") != "timer" or event.get_value("timestamp") is None:
            continue
        kind = event.get_value("event_type")
        if kind == "start" and (not spans or len(spans[-1]) == 2):
            spans.append([event.get_value("timestamp")])
        elif kind in STOPS and spans and len(spans[-1]) == 1:
            spans[-1].append(event.get_value("timestamp"))
    values = []
    for record in fit.get_messages("record"):
        t, balance = record.get_value("timestamp"), record.get_value("stance_time_balance")
        inside = not spans or any(s[0] <= t and (len(s) == 1 or t <= s[1]) for s in spans)
        if balance is not None and inside:
            values.append(balance)
    return sum(values) / len(values) if values else None


@pytest.mark.parametrize(
    "path",
    [pytest.param(CORPUS / r["path"], id=r["path"]) for r in manifest() if _with_balance(r)],
)
def test_gct_balance_mean_equals_fitparse_over_the_moving_records(path: Path) -> None:
    activity = read_activity(path, check_crc=False)
    row = run_row("x", activity)
    f = run_features(run_records(row["run_id"], activity), runs_frame([row])).row(0, named=True)
    assert f["gct_balance_left_pct"] == pytest.approx(_fitparse_moving_balance(path), rel=1e-12)
