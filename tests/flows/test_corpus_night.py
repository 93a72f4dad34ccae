"""The whole corpus on one night: the bundled team, plus every file of ../shared/fit_corpus (runs,
rides, swims, chained, settings, workouts, broken) in one athlete's folder. The night exits 0
or 2, writes its four tables, and quarantines exactly the files that cannot be read on their
own; `stridewise features` and `score` over the same files report a bad one in a line and go
on. Two of these files stopped every night before (a chained swim whose records go back in
time, a file of one record)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from stridewise.features.fit import FitDecodeError, read_activity
from stridewise.features.fit.errors import NotAnActivity
from stridewise.store.tables import TABLES, Store
from tests.corpus import CORPUS, SAMPLES, manifest
from tests.flows.common import harness_env

pytestmark = pytest.mark.usefixtures("prefect")

ATHLETE = "c001"
RUNNING_KINDS = ("running", "multisport_with_run")
ONCE_FATAL = (
    "muktihari-fit/chained_Activity_activity_poolswim.fit",
    "muktihari-fit/valid_only_contain_fileid.fit",
    "GoldenCheetah/2013-04-11-17-32-50.fit",
)
"""Files that raised IndexError in per-run features before issue 24 (and stopped the night)."""


def name(corpus_path: str) -> str:
    """A corpus file's name in the athlete's folder (its corpus path, flattened)."""
    return corpus_path.replace("/", "__")


def stridewise(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, on the session's Prefect server (a whole night of 682
    files on a shared machine: a generous timeout)."""
    command = [sys.executable, "-m", "stridewise", *map(str, args)]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, env=harness_env()
    )


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not manifest():
        pytest.skip("../shared/fit_corpus is absent")
    inbox = tmp_path_factory.mktemp("corpus-night") / "inbox"
    shutil.copytree(SAMPLES / "inbox", inbox)
    (inbox / ATHLETE).mkdir()
    for row in manifest():
        shutil.copy(CORPUS / row["path"], inbox / ATHLETE / name(row["path"]))
    return inbox


def refused_alone() -> dict[str, FitDecodeError]:
    """The corpus files the decoder refuses when each is read on its own, with the error."""
    refused = {}
    for row in manifest():
        try:
            read_activity(CORPUS / row["path"])
        except FitDecodeError as error:
            refused[name(row["path"])] = error
    return refused


def unreadable_alone() -> set[str]:
    """The corpus files that cannot be read on their own (broken, cut, not FIT)."""
    return {f for f, error in refused_alone().items() if not isinstance(error, NotAnActivity)}


def no_activity_alone() -> set[str]:
    """The readable corpus files that record no activity, read on their own."""
    return {f for f, error in refused_alone().items() if isinstance(error, NotAnActivity)}


def not_activities() -> set[str]:
    """Files that are no activity by MANIFEST.csv (settings, workouts, weight, monitoring,
    courses): nothing in them can be a run."""
    return {
        name(row["path"])
        for row in manifest()
        if re.search(r"file_type=(?!activity)\w+", row["notes"])
    }


def test_a_night_over_the_whole_corpus_quarantines_only_what_cannot_be_read(
    inbox: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    roster, injuries = SAMPLES / "roster.csv", SAMPLES / "injuries.csv"
    done = stridewise("nightly", inbox, "--data", data, "--roster", roster, "--injuries", injuries)
    assert done.returncode in (0, 2) and "Traceback" not in done.stderr, done.stderr[-3000:]
    store = Store(data)
    assert all(store.read(table).height > 0 for table in TABLES), sorted(TABLES)
    files = store.read("manifest").with_columns(
        folder=pl.col("path").map_elements(lambda p: Path(p).parent.name, pl.String),
        file=pl.col("path").map_elements(lambda p: Path(p).name, pl.String),
    )
    corpus = files.filter(folder=ATHLETE)
    status = dict(zip(corpus["file"], corpus["status"], strict=True))
    assert len(status) == len(manifest())
    quarantined = {f for f, s in status.items() if s == "quarantined"}
    no_activity = {f for f, s in status.items() if s == "not_activity"}
    assert quarantined == unreadable_alone() and no_activity == no_activity_alone()
    # independently of our decoder: every file MANIFEST.csv calls no activity is recorded as
    # such, or quarantined when broken too; every quarantined file that is an activity is one
    # fitparse cannot read either
    fitparse_fails = {name(r["path"]) for r in manifest() if r["decodes_ok_fitparse"] != "yes"}
    assert no_activity <= not_activities() <= no_activity | quarantined
    assert quarantined - not_activities() <= fitparse_fails
    reasons = corpus.filter(status="quarantined")["reason"].to_list()
    assert all(r and "\n" not in r for r in reasons)
    for row in manifest():
        if row["kind"] in RUNNING_KINDS:
            assert status[name(row["path"])] in ("ingested", "duplicate"), row["path"]
        elif row["kind"].startswith("other_activity") and name(row["path"]) not in (
            quarantined | no_activity  # a course file the manifest lists with the activities
        ):
            assert status[name(row["path"])] in ("not_running", "duplicate"), row["path"]
    for path in ONCE_FATAL:
        assert status[name(path)] in ("not_running", "duplicate"), path
    team = files.filter(pl.col("folder") != ATHLETE)
    assert team.height == len(list((SAMPLES / "inbox").rglob("*.fit")))
    assert set(team["status"]) <= {"ingested", "not_running"}  # the team is all there
    runs = store.read("runs", athletes=[ATHLETE])
    assert runs.height == sum(s in ("ingested", "not_running") for s in status.values())
    summary = done.stderr.strip().splitlines()[-1]
    assert f"{len(quarantined)} quarantined" in summary


def test_features_over_the_corpus_reports_each_bad_file_and_writes_the_tables(
    inbox: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    shutil.copytree(inbox / ATHLETE, folder / ATHLETE)
    out, runs = tmp_path / "days.parquet", tmp_path / "runs.parquet"
    done = stridewise("features", folder, "--out", out, "--runs", runs)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-3000:]
    refused = unreadable_alone()
    errors = [line for line in done.stderr.splitlines() if ": error: " in line]
    assert sorted(Path(line.split(": error: ")[0]).name for line in errors) == sorted(refused)
    table = pl.read_parquet(runs)
    duplicates = sum(
        ": skipped: the same activity as " in line for line in done.stderr.splitlines()
    )
    skipped = [line for line in done.stderr.splitlines() if ": skipped: not an activity" in line]
    assert sorted(Path(line.split(": skipped: ")[0]).name for line in skipped) == sorted(
        no_activity_alone()
    )
    assert table.height == len(manifest()) - len(refused) - len(skipped) - duplicates
    assert pl.read_parquet(out).height > 0


@pytest.mark.parametrize(
    ("path", "says"),
    [
        (ONCE_FATAL[0], "not a running activity (sport: multisport)"),
        ("python-fitparse/Settings.fit", "not an activity file (FIT file type: settings)"),
        ("elevate/empty.fit", "empty file (0 bytes)"),
    ],
)
def test_score_says_in_one_line_why_a_file_is_not_scored(
    path: str, says: str, tmp_path: Path
) -> None:
    if not manifest():
        pytest.skip("../shared/fit_corpus is absent")
    file = tmp_path / ATHLETE / Path(path).name
    file.parent.mkdir()
    shutil.copy(CORPUS / path, file)
    (tmp_path / "data").mkdir()
    done = stridewise("score", file, "--data", tmp_path / "data")
    assert done.returncode == 2
    assert done.stderr == f"error: {file}: {says}\n"
