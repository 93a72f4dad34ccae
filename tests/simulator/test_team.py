"""The simulated team: reproducible, readable by other decoders, and true to its hazard model."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import fitparse
import numpy as np
import polars as pl
import pytest
from garmin_fit_sdk import Decoder, Stream
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from stridewise.cli import app
from stridewise.features.ingest import read_runs
from stridewise.features.runs import run_features
from stridewise.simulator.edge import write_edge_files
from stridewise.simulator.hazard import PUBLISHED
from stridewise.simulator.team import Config, simulate
from stridewise.store.inputs import athlete_files, read_roster
from tests.corpus import SAMPLES

SAMPLE_COMMAND = [
    "simulate",
    *("--athletes", "8", "--weeks", "12", "--seed", "20261143", "--start", "2026-08-31"),
]
"""The command data_samples/README.md documents (with --out data_samples)."""


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in (".fit", ".csv")
    }


def test_data_samples_are_what_the_documented_commands_write(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [*SAMPLE_COMMAND, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    write_edge_files(tmp_path / "edge")
    written, committed = _files(tmp_path), _files(SAMPLES)
    assert sorted(written) == sorted(committed)
    assert all(written[name] == committed[name] for name in written)
    truth = pl.read_parquet(tmp_path / "truth.parquet")
    assert_frame_equal(truth, pl.read_parquet(SAMPLES / "truth.parquet"))
    assert sum(len(data) for data in committed.values()) < 15_000_000


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        simulate(Config(athletes=3, weeks=2, seed=seed), tmp_path / name, workers=2)
    a, b, c = (_files(tmp_path / name) for name in "abc")
    assert a == b and a != c


def _records_by_both_decoders(path: Path) -> tuple[list[dict], list[dict]]:
    fields = ("distance", "enhanced_speed", "heart_rate", "cadence", "stance_time_balance")
    reference = [
        {f: m.get_value(f) for f in fields}
        for m in fitparse.FitFile(str(path)).get_messages("record")
    ]
    messages, errors = Decoder(Stream.from_file(str(path))).read()
    assert errors == []
    official = [{f: m.get(f) for f in fields} for m in messages["record_mesgs"]]
    return reference, official


SAMPLE_FILES = sorted(SAMPLES.glob("inbox/*/*.fit"))[::25] + sorted(SAMPLES.glob("edge/*.fit"))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fitparse_and_garmin_sdk_decode_the_same_values(path: Path) -> None:
    if path.name == "truncated.fit":
        with pytest.raises(fitparse.FitParseError):
            list(fitparse.FitFile(str(path)).get_messages())
        return
    reference, official = _records_by_both_decoders(path)
    assert len(reference) == len(official) > 0
    for ours, theirs in zip(reference, official, strict=True):
        for name, value in ours.items():
            assert value == pytest.approx(theirs.get(name)), (path.name, name)


def test_summary_only_equals_what_decoding_the_fit_files_yields(tmp_path: Path) -> None:
    config = Config(athletes=4, weeks=5, seed=11, squads=2)
    simulate(config, tmp_path / "fit")
    simulate(config, tmp_path / "summary", summary_only=True)
    batch = read_runs(athlete_files([tmp_path / "fit" / "inbox"]))
    assert batch.failures == [] and batch.duplicates == []
    roster = read_roster(tmp_path / "fit" / "roster.csv")
    decoded = run_features(batch.records, batch.runs, roster).sort("run_id")
    summary = pl.read_parquet(tmp_path / "summary" / "runs.parquet").sort("run_id")
    assert summary["sha256"].null_count() == summary.height
    assert summary.height > 50 and summary["sport"].unique().sort().to_list() == [
        "cycling",
        "running",
    ]
    assert_frame_equal(decoded.drop("sha256"), summary.drop("sha256"), check_exact=True)


def _estimate(h0: np.ndarray, events: float) -> float:
    """The hazard ratio r at which sum(1 - exp(-r h0)) = events (bisection on a log scale)."""
    low, high = 1e-3, 1e3
    for _ in range(80):
        mid = math.sqrt(low * high)
        low, high = (mid, high) if -np.expm1(-mid * h0).sum() < events else (low, mid)
    return mid


@pytest.fixture(scope="module")
def large_cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 athletes x 52 weeks, summary-only, with the base hazard x 20 for enough events."""
    out = tmp_path_factory.mktemp("cohort")
    simulate(Config(300, 52, seed=5, hazard_scale=20.0), out, summary_only=True, workers=2)
    return out


def test_injury_rates_per_spike_bin_reproduce_the_hazard_ratios(large_cohort: Path) -> None:
    """Each spike bin's ratio, estimated from the onsets with every other factor held at its
    true value (indirect standardisation), has the configured ratio in its 95 % interval."""
    truth = pl.read_parquet(large_cohort / "truth.parquet").filter(~pl.col("injured"))
    truth = truth.with_columns(h0=pl.col("hazard") / pl.col("log_hr_spike").exp())
    estimates = {}
    for (log_hr,), days in truth.group_by("log_hr_spike"):
        events = float(days["onset"].sum())
        h0 = days["h0"].to_numpy()
        margin = 1.96 * math.sqrt(events)
        interval = (_estimate(h0, events - margin), _estimate(h0, events + margin))
        estimates[round(math.exp(log_hr), 2)] = (events, interval)
    assert sorted(estimates) == sorted(PUBLISHED.spike_hr.values())
    for configured, (events, (low, high)) in estimates.items():
        assert events >= 20, configured
        assert low <= configured <= high, (configured, events, low, high)
    injuries = pl.read_csv(large_cohort / "injuries.csv", try_parse_dates=True)
    assert injuries.height == truth["onset"].sum()
    assert set(injuries["region"]) == {"lateral_hip", "anterior_hip"}
    runs = pl.read_parquet(large_cohort / "runs.parquet")
    assert runs["athlete_id"].n_unique() == 300


def test_a_few_to_ten_percent_of_runners_are_injured_in_six_months(tmp_path: Path) -> None:
    simulate(Config(600, 26, seed=6), tmp_path, summary_only=True, workers=2)
    injured = pl.read_csv(tmp_path / "injuries.csv")["athlete_id"].n_unique()
    assert 0.02 <= injured / 600 <= 0.10


def test_simulate_refuses_bad_requests_in_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    tuesday = runner.invoke(app, ["simulate", "--out", str(tmp_path), "--start", "2026-09-01"])
    assert tuesday.exit_code == 2 and "is a Tuesday" in tuesday.output
    assert runner.invoke(app, ["simulate", "--out", str(tmp_path), "--weeks", "1"]).exit_code == 0
    again = runner.invoke(app, ["simulate", "--out", str(tmp_path), "--weeks", "1"])
    assert again.exit_code == 2 and "--force" in again.output
    assert "Traceback" not in again.output and len(again.output.strip().splitlines()) == 1
    forced = runner.invoke(app, ["simulate", "--out", str(tmp_path), "--weeks", "2", "--force"])
    assert forced.exit_code == 0
    roster = pl.read_csv(tmp_path / "roster.csv")
    assert roster.columns[:8] == [
        "athlete_id",
        "name",
        "team",
        "sex",
        "birth_year",
        "height_cm",
        "timezone",
        "device",
    ]
    truth = pl.read_parquet(tmp_path / "truth.parquet")
    assert truth.height == 8 * 14 and truth["date"].min() == date(2026, 6, 1)
