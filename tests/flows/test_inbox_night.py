"""The nightly flow on inboxes that could mix people: folders that are not athlete ids, a
decomposed folder name, links, a file over the size cap, and the same file in two athletes'
folders, in one night and across two. Real FIT files of the bundled team."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from stridewise.features.fit.activity import MAX_FILE_BYTES
from stridewise.store.tables import Store
from tests.corpus import SAMPLES
from tests.flows.common import harness_env

pytestmark = pytest.mark.usefixtures("prefect")

RUNS = sorted((SAMPLES / "inbox" / "z001").glob("*.fit"))[-6:]
OTHERS = sorted((SAMPLES / "inbox" / "z004").glob("*.fit"))[-3:]
ODD = ("Anna Müller", " trailing ", "semi;colon", "b001\u200b", "\u202eb001", ".hidden")
FULLWIDTH = "\uff5a\uff10\uff10\uff11"  # z001 in fullwidth letters and digits


def night(inbox: Path, data: Path) -> Any:
    """A nightly run's final state (its result is the `Night`)."""
    from stridewise.flows.nightly import nightly

    return nightly(inbox, data, roster=SAMPLES / "roster.csv", return_state=True)


def put(folder: Path, *runs: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for run in runs:
        shutil.copy(run, folder / run.name)


def test_odd_folders_links_and_a_huge_file_mix_no_one(tmp_path: Path) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    put(inbox / "z001", *RUNS)
    put(inbox / "Zoe\u0308", *OTHERS)  # decomposed, as macOS writes it: the athlete Zoë
    for name in (*ODD, FULLWIDTH):
        put(inbox / name, RUNS[0], OTHERS[0])
    (inbox / "z001" / "hostname.fit").symlink_to("/etc/hostname")
    huge = inbox / "z001" / "huge.fit"
    with huge.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse
    state = night(inbox, data)
    done = state.result()
    manifest = Store(data).read("manifest")
    new = len(RUNS) + len(OTHERS) + 1
    assert sorted(set(manifest["athlete_id"])) == ["Zo\u00eb", "z001"]
    assert manifest.height == new and done.files["quarantined"] == 1
    assert sum(done.files.values()) == new
    assert str(inbox / "z001" / "hostname.fit") not in manifest["path"].to_list()
    runs = Store(data).read("runs")
    assert runs.group_by("athlete_id").len().sort("athlete_id").rows() == [
        ("Zo\u00eb", len(OTHERS)),
        ("z001", len(RUNS)),
    ]
    assert {a.athlete_id for a in done.assessments} <= {"Zo\u00eb", "z001"}
    assert state.message.endswith(
        "; skipped: 7 folders whose names are not athlete ids, 1 symbolic link"
    )
    assert len(done.skipped) == 8 and done.copies == ()
    (reason,) = manifest.filter(pl.col("path") == str(huge))["reason"]
    assert f"{MAX_FILE_BYTES:,}" in reason
    (note,) = (data / "quarantine" / "z001").iterdir()  # a note, no copy of 128 MiB
    assert note.suffix == ".txt" and note.read_text().startswith(f"{huge}\n{reason}\n")
    assert not list((data / "quarantine").rglob("*.fit"))


def test_the_same_file_in_two_athletes_folders_in_one_night_counts_once(tmp_path: Path) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    put(inbox / "a001", *RUNS)
    put(inbox / "b002", RUNS[-1])
    done = night(inbox, data).result()
    copy, original = inbox / "b002" / RUNS[-1].name, inbox / "a001" / RUNS[-1].name
    said = f"{copy}: the same file as {original}, recorded for a001; not counted again"
    assert done.copies == (said,)
    assert_counted_once(data, copy, original, len(RUNS))
    assert done.files["duplicate"] == 1 and sum(done.files.values()) == len(RUNS) + 1


def test_the_same_file_in_another_athletes_folder_a_night_later_counts_once(
    tmp_path: Path,
) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    put(inbox / "a001", *RUNS)
    night(inbox, data)
    put(inbox / "b002", RUNS[-1])
    second = night(inbox, data).result()
    copy, original = inbox / "b002" / RUNS[-1].name, inbox / "a001" / RUNS[-1].name
    said = f"{copy}: the same file as {original}, recorded for a001; not counted again"
    assert second.copies == (said,) and second.files == {"duplicate": 1}
    assert_counted_once(data, copy, original, len(RUNS))
    third = night(inbox, data).result()
    assert third.copies == () and third.files == {}
    assert_counted_once(data, copy, original, len(RUNS))


def assert_counted_once(data: Path, copy: Path, original: Path, runs: int) -> None:
    """The runs table and the scores hold a001's runs only; the manifest records the copy as
    a duplicate in b002's folder, naming the original."""
    store = Store(data)
    assert store.read("runs")["athlete_id"].to_list() == ["a001"] * runs
    assert set(store.read("scores")["athlete_id"]) == {"a001"}
    assert set(store.read("athlete_days")["athlete_id"]) == {"a001"}
    row = store.read("manifest").filter(pl.col("path") == str(copy)).row(0, named=True)
    assert (row["athlete_id"], row["status"]) == ("b002", "duplicate")
    assert row["reason"] == f"the same file as {original}, recorded for a001"


def test_stridewise_nightly_says_what_it_skipped_and_counts_it_with_json(tmp_path: Path) -> None:
    from tests.test_cli import stridewise

    inbox, data = tmp_path / "inbox", tmp_path / "data"
    put(inbox / "a001", *RUNS)
    put(inbox / "b002", RUNS[-1])
    put(inbox / "Anna Müller", OTHERS[0])
    done = stridewise("nightly", inbox, "--data", data, "--json", env=harness_env())
    assert done.returncode == 0, done.stderr
    assert [a["athlete_id"] for a in json.loads(done.stdout)] == ["a001"]
    copy, original = inbox / "b002" / RUNS[-1].name, inbox / "a001" / RUNS[-1].name
    lines = done.stderr.splitlines()
    assert f"{copy}: the same file as {original}, recorded for a001; not counted again" in lines
    folder = [line for line in lines if "'Anna Müller' is not an athlete id" in line]
    assert len(folder) == 1 and folder[0].startswith(f"{inbox}: 1 FIT file skipped: folder ")
    assert lines[-1].startswith(f"{len(RUNS) + 1} new files (1 duplicate, ")
    assert lines[-1].endswith("; skipped: 1 folder whose name is not an athlete id")
