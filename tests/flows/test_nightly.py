"""The nightly flow on the bundled team: what it writes, that a re-run changes nothing, and
that a bad file is quarantined while the rest goes on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from stridewise.store.tables import TABLES, Store
from tests.corpus import SAMPLES
from tests.flows.common import harness_env, snapshot

pytestmark = pytest.mark.usefixtures("prefect")


def run(inbox: Path, data: Path) -> Any:
    """The final state of a nightly run (its result is the `Night`)."""
    from stridewise.flows.nightly import nightly

    roster, injuries = SAMPLES / "roster.csv", SAMPLES / "injuries.csv"
    return nightly(inbox, data, roster=roster, injuries=injuries, return_state=True)


def artifacts(key: str) -> str:
    """The data of the latest artifact with this key."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        (latest, *_) = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort="CREATED_DESC",
            limit=1,
        )
    return latest.data


def test_the_bundled_team_is_ingested_scored_and_a_rerun_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    scored = run(SAMPLES / "inbox", data).result().assessments
    first = snapshot(data)
    files = sorted((SAMPLES / "inbox").rglob("*.fit"))
    assert first["manifest"].height == len(files)
    assert set(first["manifest"]["status"]) <= {"ingested", "not_running"}
    assert first["runs"].height == len(files)
    assert first["scores"].height == len(scored) > 0
    report, flagged = artifacts("team-report"), json.loads(artifacts("flagged-athletes"))
    team = {"z001": "zurich", "z004": "zurich", "b003": "boston"}  # roster.csv, by hand
    for athlete in ("z001", "z004", "b003"):
        assert f"| {athlete} | {team[athlete]} | " in report
    assert {row["athlete"] for row in flagged} == set(
        first["scores"].filter(pl.col("tier") != "low")["athlete_id"]
    )
    assert all(row["team"] == team.get(row["athlete"], row["team"]) for row in flagged)
    recorded = Store(data).read("manifest")
    run(SAMPLES / "inbox", data)
    again = snapshot(data)
    for name in TABLES:
        assert_frame_equal(again[name], first[name]), name
    assert_frame_equal(Store(data).read("manifest"), recorded)


def test_a_bad_file_is_quarantined_and_a_copy_is_a_duplicate(tmp_path: Path) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    shutil.copytree(SAMPLES / "inbox" / "z001", inbox / "z001")
    first = sorted((inbox / "z001").glob("*.fit"))[0]
    shutil.copy(first, inbox / "z001" / "renamed-copy.fit")
    (inbox / "z001" / "broken.fit").write_bytes(b"not a FIT file at all")
    night = run(inbox, data).result()
    manifest = Store(data).read("manifest")
    status = dict(
        zip(
            manifest["path"].map_elements(lambda p: Path(p).name, pl.String),
            manifest["status"],
            strict=True,
        )
    )
    assert status["broken.fit"] == "quarantined"
    assert {status[first.name], status["renamed-copy.fit"]} == {"ingested", "duplicate"}
    quarantined = list((data / "quarantine" / "z001").glob("*.fit"))
    assert [q.read_bytes() for q in quarantined] == [b"not a FIT file at all"]
    reason = manifest.filter(pl.col("status") == "quarantined")["reason"][0]
    assert night.quarantined == [(str(inbox / "z001" / "broken.fit"), reason)] and reason
    files = len(list((SAMPLES / "inbox" / "z001").glob("*.fit")))
    assert sum(night.files.values()) == files + 2 and night.files["quarantined"] == 1


def test_stridewise_nightly_prints_the_team_and_json(tmp_path: Path) -> None:
    from tests.test_cli import stridewise

    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "inbox" / "z004", inbox / "z004")
    (inbox / "z004" / "empty.fit").write_bytes(b"")
    args = ("nightly", inbox, "--data", tmp_path / "data", "--roster", SAMPLES / "roster.csv")
    env = harness_env()  # the session's Prefect server, as a long-lived one (`make demo` and
    # test_forget run the command on its own temporary server)
    injuries = ("--injuries", SAMPLES / "injuries.csv")
    done = stridewise(*args, *injuries, "--as-of", "2026-09-27", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("z004")
    assert f"{inbox / 'z004' / 'empty.fit'}: quarantined: " in done.stderr
    files = len(list((SAMPLES / "inbox" / "z004").glob("*.fit"))) + 1
    assert f"{files} new files (" in done.stderr and "1 quarantined" in done.stderr
    again = stridewise(*args, "--json", "--as-of", "2026-09-27", env=env)
    scored = json.loads(again.stdout)
    assert [a["athlete_id"] for a in scored] == ["z004"] and scored[0]["date"] == "2026-09-27"
    nowhere = tmp_path / "nowhere"
    missing = stridewise("nightly", nowhere, "--data", tmp_path / "data")
    assert missing.returncode == 2 and missing.stderr == f"error: {nowhere}: not a folder\n"
    first = min(f.name[:10] for f in (inbox / "z004").glob("2*.fit"))
    days = f"the data's days are {first} to 2026-11-22"  # z004's last run, 12:37 in Zürich
    late = stridewise(*args, "--as-of", "2026-11-23", env=env)  # no new file: refused at once
    assert late.returncode == 2 and late.stderr == (
        f"error: --as-of 2026-11-23 is after the data's last day: {days}\n"
    )
    recorded = Store(tmp_path / "data").read("manifest").height
    shutil.copy(SAMPLES / "inbox" / "z003" / "2026-09-02T155056Z.fit", inbox / "z004")
    after = stridewise(*args, "--as-of", "2026-11-23", env=env)  # a new file: the flow decides
    assert after.returncode == 2 and after.stderr.endswith(
        f"error: as-of 2026-11-23 is after the data's last day: {days}\n"
    )
    assert Store(tmp_path / "data").read("manifest").height == recorded  # nothing written


def test_files_lying_directly_in_the_inbox_are_refused_before_prefect_starts(
    tmp_path: Path,
) -> None:
    from tests.test_cli import stridewise

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("a.fit", "b.FIT"):
        shutil.copy(next((SAMPLES / "inbox" / "z004").glob("*.fit")), inbox / name)
    done = stridewise("nightly", inbox, "--data", tmp_path / "data")
    assert done.returncode == 2 and not (tmp_path / "data" / "prefect").exists()
    assert done.stderr == (
        f"error: {inbox}: 2 FIT file(s) lie directly in the folder: an inbox holds one "
        "sub-folder per athlete (INBOX/<athlete_id>/**/*.fit)\n"
    )


def test_an_inbox_of_only_bad_files_is_recorded_and_scores_nobody(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "a01").mkdir(parents=True)
    (inbox / "a01" / "empty.fit").write_bytes(b"")
    (inbox / "stray.fit").write_bytes(b"")  # in no athlete's folder: skipped, and said
    state = run(inbox, tmp_path / "data")
    assert state.is_completed() and state.result().assessments == []
    assert state.message == (
        "1 new file (1 quarantined); 0 athletes scored, 0 flagged; "
        "1 file outside the athlete folders skipped"
    )
    manifest = Store(tmp_path / "data").read("manifest")
    assert manifest["status"].to_list() == ["quarantined"]
