"""Crash safety: the nightly flow's process is SIGKILLed at one of many points (while files are
decoded, before, inside and after each table write); the store stays readable, and the next
run converges to exactly what an uninterrupted run writes, nothing lost, nothing doubled."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from stridewise.store.tables import TABLES, Store
from tests.corpus import SAMPLES
from tests.flows.common import (
    SMALL_ATHLETES,
    SMALL_FILES_EACH,
    harness_env,
    small_inbox,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("prefect")

POINTS = [
    *(("file", n, 0) for n in (1, 6, 11, 14)),
    *(("before", n, 0) for n in (1, 2, 3, 4, 5, 6)),
    *(("after", n, 0) for n in (1, 2, 3, 4, 5, 6)),
    *(("inside", n, ms) for n, ms in ((1, 5), (2, 20), (3, 10), (4, 40), (5, 15), (6, 5))),
]
"""14 files in batches of 4, recorded two batches at a time: the writes, in order, are the
runs append then the manifest append of each of the 2 groups (1-4), then the athlete_days
(5) and scores (6) merges."""


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_inbox(tmp_path_factory.mktemp("crash-inbox"))


def nightly(inbox: Path, data: Path) -> None:
    from stridewise.flows.nightly import nightly as flow
    from tests.flows.crash_run import BATCH_FILES, WRITE_FILES

    roster, injuries = SAMPLES / "roster.csv", SAMPLES / "injuries.csv"
    flow(
        inbox, data, roster=roster, injuries=injuries, batch_files=BATCH_FILES,
        write_files=WRITE_FILES,
    )  # fmt: skip


@pytest.fixture(scope="module")
def uninterrupted(inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    data = tmp_path_factory.mktemp("uninterrupted")
    nightly(inbox, data)
    return snapshot(data)


def test_the_small_inbox_makes_the_writes_the_points_name(uninterrupted: dict) -> None:
    assert uninterrupted["manifest"].height == len(SMALL_ATHLETES) * SMALL_FILES_EACH == 14
    assert uninterrupted["scores"].height == len(SMALL_ATHLETES)


@pytest.mark.parametrize(("point", "n", "delay_ms"), POINTS, ids=lambda v: str(v))
def test_a_run_killed_anywhere_is_completed_by_the_next(
    point: str, n: int, delay_ms: int, inbox: Path, uninterrupted: dict, tmp_path: Path
) -> None:
    command = [sys.executable, "-m", "tests.flows.crash_run", inbox, tmp_path, point, n]
    killed = subprocess.run(
        [*map(str, command), str(delay_ms)], env=harness_env(), capture_output=True, timeout=300
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    before = Store(tmp_path).read("manifest")  # readable after the crash
    for name in TABLES:
        Store(tmp_path).read(name)
    nightly(inbox, tmp_path)
    after = snapshot(tmp_path)
    for name in TABLES:
        assert_frame_equal(after[name], uninterrupted[name], check_exact=True)
    kept = Store(tmp_path).read("manifest").join(before, on=["sha256", "path"])
    assert (kept["seen_at"] == kept["seen_at_right"]).all()  # recorded files were not redone
