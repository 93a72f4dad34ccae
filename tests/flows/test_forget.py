"""`stridewise forget`: after a nightly run through the CLI (its Prefect home in the data
directory) and an injury logged in the app database, nothing of the athlete is left in any
file of the data directory, decompressed or not, while the others are untouched."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from stridewise.store import app_db
from stridewise.store.tables import TABLES, Store
from tests.corpus import SAMPLES
from tests.test_cli import stridewise

GONE, KEPT = "z001", "b002"
"""Ids with a letter that is not hex: a uuid in Prefect's database cannot spell them by chance."""


def mentions(path: Path, text: str) -> bool:
    """Whether a file holds `text`, in its bytes or, for parquet and SQLite, once decoded."""
    if text.encode() in path.read_bytes():
        return True
    if path.suffix == ".parquet":
        return text in str(pl.read_parquet(path).rows())
    if path.read_bytes()[:16] == b"SQLite format 3\x00":
        with sqlite3.connect(path) as db:
            return any(text in line for line in db.iterdump())
    return False


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Prefect home from the test session: the CLI puts its own in the data directory."""
    monkeypatch.delenv("PREFECT_HOME", raising=False)


@pytest.mark.usefixtures("cli_env")
def test_forget_leaves_nothing_of_the_athlete_in_the_data_directory(tmp_path: Path) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    for athlete in (GONE, KEPT):
        (inbox / athlete).mkdir(parents=True)
        for path in sorted((SAMPLES / "inbox" / athlete).glob("*.fit"))[-5:]:
            shutil.copy(path, inbox / athlete)
    (inbox / GONE / "broken.fit").write_bytes(b"\x0e\x10broken")
    copy = inbox / KEPT / "from-z001.fit"  # recorded as a copy whose reason names GONE
    shutil.copy(sorted((inbox / GONE).glob("2*.fit"))[0], copy)
    data.mkdir()
    for name in ("roster.csv", "injuries.csv"):
        shutil.copy(SAMPLES / name, data / name)
    assert stridewise("nightly", inbox, "--data", data).returncode == 0
    with app_db.app_database(data) as engine:
        for athlete in (GONE, KEPT):
            app_db.log_injury(engine, athlete, date(2026, 11, 20), "mild", region="hip")
    files = [f for f in data.rglob("*") if f.is_file()]
    assert any(mentions(f, GONE) for f in files)  # the check can see them

    done = stridewise("forget", GONE, "--data", data, "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{GONE}: erased (6 files in the manifest, 1 quarantined")
    assert str(inbox / GONE) in done.stderr  # where their watch files still are
    assert str(inbox / KEPT) in done.stderr  # and the copy of one
    left = [f for f in data.rglob("*") if f.is_file() and mentions(f, GONE)]
    assert left == []
    assert not (data / "quarantine" / GONE).exists()
    store = Store(data)
    assert set(store.read("runs")["athlete_id"]) == {KEPT}
    assert all(set(store.read(name)["athlete_id"]) == {KEPT} for name in TABLES)
    with app_db.app_database(data) as engine:
        assert app_db.logged_injuries(engine)["athlete_id"].to_list() == [KEPT]
    assert KEPT in (data / "roster.csv").read_text()
    assert os.environ.get("PREFECT_HOME") is None and (data / "prefect" / "prefect.db").is_file()
