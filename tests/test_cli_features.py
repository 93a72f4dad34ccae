"""`stridewise features` as a user runs it: a real process on the bundled samples."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from stridewise.features.daily import DAY_SCHEMA
from stridewise.features.runs import RUN_FEATURE_SCHEMA
from tests.corpus import SAMPLES
from tests.test_cli import stridewise

INBOX, ROSTER = SAMPLES / "inbox", SAMPLES / "roster.csv"


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, pl.DataFrame, str]:
    out = tmp_path_factory.mktemp("features")
    done = stridewise(
        "features",
        INBOX,
        "--roster",
        ROSTER,
        "--out",
        out / "days.parquet",
        "--runs",
        out / "runs.parquet",
    )
    assert done.returncode == 0, done.stderr
    return pl.read_parquet(out / "days.parquet"), pl.read_parquet(out / "runs.parquet"), done.stderr


def test_every_sample_file_is_a_row_and_every_day_is_there(
    tables: tuple[pl.DataFrame, pl.DataFrame, str],
) -> None:
    days, runs, stderr = tables
    files = sorted(INBOX.rglob("*.fit"))
    assert runs.schema == pl.Schema(RUN_FEATURE_SCHEMA) and days.schema == pl.Schema(DAY_SCHEMA)
    assert runs.height == len(files)
    assert sorted(runs["athlete_id"].unique()) == sorted(p.name for p in INBOX.iterdir())
    last = runs["local_date"].max()
    for (athlete,), own in days.group_by("athlete_id"):
        first = runs.filter(pl.col("athlete_id") == athlete)["local_date"].min()
        assert own.height == (last - first).days + 1, athlete
    assert f"{len(files)} files:" in stderr and "0 failed" in stderr


def test_a_window_without_runs_sums_to_exactly_zero(
    tables: tuple[pl.DataFrame, pl.DataFrame, str],
) -> None:
    # Rolling sums slide over all athletes of a block; unrounded they left 4e-15 km in empty
    # weeks (b004's first day, z004's weeks off) and weekly progressions of 1e15 after them.
    days = tables[0]
    assert (days.filter(pl.col("runs_7d") == 0)["km_7d"] == 0.0).all()
    assert days.filter(pl.col("km_prev_7d") == 0)["weekly_progression"].is_null().all()
    assert days.filter(pl.col("km_prev_7d") == 0).height > 0  # the injuries left such weeks


def test_strap_wearers_have_running_dynamics_and_others_null(
    tables: tuple[pl.DataFrame, pl.DataFrame, str],
) -> None:
    _, runs, _ = tables
    running = runs.filter(pl.col("is_running"))
    with_strap = running.filter(pl.col("has_running_dynamics"))
    assert 0 < with_strap.height < running.height
    assert with_strap["gct_balance_left_pct"].null_count() == 0
    without = running.filter(~pl.col("has_running_dynamics"))
    assert without["gct_balance_left_pct"].null_count() == without.height


def test_a_bad_file_is_reported_and_the_tables_still_written(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "x01").mkdir(parents=True)
    (inbox / "x01" / "broken.fit").write_bytes(b"\x0e\x10")
    (inbox / "x01" / "trail.fit").write_bytes((SAMPLES / "edge" / "trail.fit").read_bytes())
    done = stridewise("features", inbox, "--out", tmp_path / "days.parquet")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    broken = inbox / "x01" / "broken.fit"
    assert lines[0] == f"{broken}: error: not a FIT file: file is 2 bytes, shorter than a header"
    assert "1 failed" in lines[-1] and "Traceback" not in done.stderr
    assert pl.read_parquet(tmp_path / "days.parquet")["athlete_id"].unique().to_list() == ["x01"]


@pytest.mark.parametrize(
    ("roster_text", "message"),
    [
        ("name\nAnna\n", "the roster has no athlete_id column"),
        ("athlete_id,birth_year\nz001,nineteen\n", "line 2: birth_year 'nineteen' is not a Int32"),
        ("athlete_id\nz001\nz001\n", "athlete_id 'z001' appears more than once"),
    ],
)
def test_a_bad_roster_is_one_clear_line(tmp_path: Path, roster_text: str, message: str) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_text)
    done = stridewise("features", INBOX, "--roster", roster, "--out", tmp_path / "d.parquet")
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {roster}: {message}"


def test_the_output_must_be_a_parquet_file_we_can_write(tmp_path: Path) -> None:
    done = stridewise("features", INBOX, "--out", tmp_path)
    assert done.returncode == 2 and "is a folder" in done.stderr
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    done = stridewise("features", INBOX, "--out", tmp_path / "notes.txt" / "days.parquet")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().startswith(f"error: {tmp_path / 'notes.txt'}: cannot create")


def test_a_file_lying_directly_in_an_inbox_is_skipped_with_a_line(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "z004").mkdir(parents=True)
    first, second = sorted((INBOX / "z004").glob("*.fit"))[:2]
    shutil.copy(first, inbox / "z004" / first.name)
    shutil.copy(second, inbox / "stray.fit")
    out = ("--out", tmp_path / "days.parquet", "--runs", tmp_path / "runs.parquet")
    done = stridewise("features", inbox, *out)
    assert done.returncode == 0, done.stderr
    assert f"{inbox / 'stray.fit'}: skipped: not in an athlete's folder" in done.stderr
    assert pl.read_parquet(tmp_path / "runs.parquet")["athlete_id"].to_list() == ["z004"]
