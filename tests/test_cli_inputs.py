"""Dates and logs that make sense, from the command line as a user runs it: a day outside the
data, too few onsets and an unknown athlete are refused at once (before Prefect: no Prefect
home is made), a roster from Excel is read, and impossible roster and injury rows are named
by their line."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from stridewise.features.daily import athlete_days
from stridewise.features.ingest import read_runs
from stridewise.features.runs import run_features
from stridewise.store.tables import Store
from tests.corpus import SAMPLES
from tests.test_cli import stridewise

Z004 = sorted((SAMPLES / "inbox" / "z004").glob("*.fit"))
FIRST, LAST = "2026-08-31", "2026-11-22"
"""The bundled team's first and last local day: its files are named by UTC start, the first
2026-08-31T10:21Z (06:21 in Boston, 12:21 in Zürich), the last 2026-11-22T16:22Z (11:22 in
Boston, 17:22 in Zürich): no run crosses a local midnight."""
ROSTER_HEADER = "athlete_id,sex,birth_year,hr_max_bpm,hr_rest_bpm,reference_speed_mps"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the bundled team's runs and days (written without Prefect)."""
    data = tmp_path_factory.mktemp("data")
    batch = read_runs([(f.parent.name, f) for f in sorted((SAMPLES / "inbox").glob("*/*.fit"))])
    runs = run_features(batch.records, batch.runs, None)
    Store(data).merge("runs", runs)
    Store(data).merge("athlete_days", athlete_days(runs))
    return data


def test_an_as_of_after_today_is_refused_at_once_with_the_data_s_days(store: Path) -> None:
    tomorrow = date.today() + timedelta(days=1)
    done = stridewise("nightly", SAMPLES / "inbox", "--data", store, "--as-of", tomorrow)
    assert done.returncode == 2 and not (store / "prefect").exists()
    assert done.stderr == (
        f"error: --as-of {tomorrow} is after today ({date.today()}); "
        f"the data's days are {FIRST} to {LAST}\n"
    )
    late = stridewise("nightly", SAMPLES / "inbox", "--data", store, "--as-of", "2030-01-01")
    assert late.returncode == 2 and f"the data's days are {FIRST} to {LAST}" in late.stderr


def test_features_until_after_today_or_the_data_is_refused_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "days.parquet"
    future = date.today() + timedelta(days=1)
    done = stridewise("features", Z004[0], "--out", out, "--until", future)
    assert done.returncode == 2 and done.stderr == (
        f"error: --until {future} is after today ({date.today()})\n"
    )
    day = Z004[-1].name[:10]  # z004's last file: 2026-11-22T11:37Z, 12:37 in Zürich
    after = stridewise("features", Z004[-1], "--out", out, "--until", "2026-11-23")
    assert after.returncode == 2 and not out.exists()
    assert after.stderr.splitlines()[-1] == (
        f"error: --until 2026-11-23 is after the data's last day: "
        f"the data's days are {day} to {day}"
    )


def test_retrain_with_too_few_onsets_is_refused_before_prefect(store: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(store, data)
    log = tmp_path / "injuries.csv"
    log.write_text(
        "athlete_id,onset_date,region,severity\n"
        "z004,2026-09-28,lateral_hip,moderate\n"
        "z003,2026-10-01,knee,mild\n"  # not the hip
        "z002,2027-06-01,,mild\n"  # after today and the data
        "z001,1900-01-01,,mild\n"  # before z001's first run, 2026-09-01T04:40Z (06:40 local)
        "z0001,2026-10-01,,mild\n"  # nobody the store knows
    )
    done = stridewise("retrain", "--data", data, "--injuries", log)
    assert done.returncode == 2 and not (data / "prefect").exists()
    lines = done.stderr.splitlines()
    assert lines[:4] == [
        f"warning: {log}: line 3: region 'knee' is not one of lateral_hip, anterior_hip: skipped",
        f"warning: {log}: line 4: onset 2027-06-01 is after today ({date.today()}): skipped",
        f"warning: {log}: line 5: onset 1900-01-01 is over a year before the first run "
        "(2026-09-01): skipped",
        f"warning: {log}: line 6: athlete 'z0001' is not in the store: did you mean z001?: skipped",
    ]
    assert lines[4].startswith(f"error: {data}: not retrained: ")
    assert lines[4].endswith("need at least 20") and len(lines) == 5


def test_forgetting_an_unknown_athlete_names_the_closest_ids(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SAMPLES / "roster.csv", data / "roster.csv")
    done = stridewise("forget", "z0001", "--data", data, "--yes")
    assert done.returncode == 2
    # difflib ratios by hand: z001 2*4/9 = 0.89; z002-z004 and b001 2*3/9 = 0.67 (ties: the
    # greater string first)
    assert done.stderr == (
        f"error: z0001: no such athlete in {data} (the closest ids: z001, z004, z003)\n"
    )
    nobody = stridewise("forget", "nobody", "--data", data, "--yes")
    assert nobody.returncode == 2 and "(the closest ids: none close)" in nobody.stderr
    assert (data / "roster.csv").read_bytes() == (SAMPLES / "roster.csv").read_bytes()


def test_inspect_decodes_a_file_named_twice_once(tmp_path: Path) -> None:
    shutil.copy(Z004[0], tmp_path / "a.fit")
    done = stridewise("inspect", tmp_path / "a.fit", tmp_path, tmp_path / "." / "a.fit")
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 1
    assert done.stderr == "1 file: 1 read, 0 failed\n"


def test_an_excel_roster_is_read_and_an_unknown_column_gets_the_nearest_name(
    tmp_path: Path,
) -> None:
    roster = tmp_path / "roster.csv"
    # Excel's "CSV UTF-8" in a European locale: a byte-order mark, semicolons, decimal points
    roster.write_bytes("\ufeffathlete_id;sex;hr_max;hr_rest_bpm\nz004;male;188;50\n".encode())
    out = tmp_path / "days.parquet"
    done = stridewise("features", Z004[0], "--out", out, "--roster", roster)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == (
        f"warning: {roster}: column 'hr_max' is not one the roster uses: did you mean hr_max_bpm?"
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("z004,male,1988,400,50,2.9", "line 3: hr_max_bpm 400.0 is outside 100-230 bpm"),
        ("z004,male,1988,45,50,2.9", "line 3: hr_max_bpm 45.0 is outside 100-230 bpm"),
        ("z004,male,1988,150,160,2.9", "line 3: hr_rest_bpm 160.0 is outside 25-120 bpm"),
        ("z004,male,1988,110,115,2.9", "line 3: hr_max_bpm 110.0 is not above hr_rest_bpm"),
        ("z004,M,1988,188,50,2.9", "line 3: sex 'M' is not one of female, male, other"),
        ("z004,male,1988,188,50,12", "line 3: reference_speed_mps 12.0 is outside 1.0-7.0 m/s"),
        ("z004,male,1850,188,50,2.9", "line 3: birth_year 1850 is outside"),
        ("z\u200b004,male,1988,188,50,2.9", "line 3: 'z\\u200b004' is not an athlete id"),
    ],
)
def test_an_impossible_roster_value_is_refused_with_its_line(
    tmp_path: Path, row: str, message: str
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(f"{ROSTER_HEADER}\nz003,female,1980,178,51,3.6\n{row}\n")
    done = stridewise("features", Z004[0], "--out", tmp_path / "d.parquet", "--roster", roster)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"error: {roster}: {message}")


def test_the_store_s_days_are_read_from_its_runs(store: Path) -> None:
    from stridewise.store.days import data_days

    known = data_days(Store(store))
    assert known.span == (date.fromisoformat(FIRST), date.fromisoformat(LAST))
    assert sorted(known.first_runs) == sorted(p.name for p in (SAMPLES / "inbox").iterdir())
    first_z004 = pl.Series([Z004[0].name[:10]]).str.to_date()[0]  # a run, 12:xx in Zürich
    assert known.first_runs["z004"] == first_z004
