"""`stridewise inspect` as a user runs it: a real process, its output and its exit code."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus import SAMPLES


def stridewise(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stridewise", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def samples_json() -> list[dict]:
    done = stridewise("inspect", "--json", SAMPLES)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_inspect_reads_every_sample(samples_json: list[dict]) -> None:
    assert len(samples_json) == len(list(SAMPLES.rglob("*.fit")))
    required = {
        "path",
        "sha256",
        "sport",
        "sub_sport",
        "start_time_utc",
        "local_date",
        "records",
        "distance_m",
        "timer_time_s",
        "moving_time_s",
        "cadence_spm_mean",
        "gct_balance_left_pct_mean",
        "has_running_dynamics",
        "truncated",
        "device",
    }
    assert all(required <= row.keys() for row in samples_json)


def test_inspect_json_values_for_the_treadmill_sample(samples_json: list[dict]) -> None:
    row = next(r for r in samples_json if r["path"].endswith("edge/treadmill.fit"))
    data = (SAMPLES / "edge" / "treadmill.fit").read_bytes()
    assert row["sha256"] == hashlib.sha256(data).hexdigest()
    assert (row["sport"], row["sub_sport"], row["local_date"]) == (
        "running",
        "treadmill",
        "2026-11-18",
    )
    assert row["start_time_utc"] == "2026-11-18T05:00:00+00:00"  # 06:00 at UTC+1
    assert row["has_running_dynamics"] is True and row["truncated"] is False


def test_inspect_text_line(tmp_path: Path) -> None:
    done = stridewise("inspect", SAMPLES / "edge" / "cycling.fit")
    assert done.returncode == 0
    line = done.stdout.strip()
    assert "cycling/road" in line and "2026-11-18 15:00Z" in line and "RD:no" in line
    assert done.stderr.strip() == "1 file: 1 read, 0 failed"


def test_bad_files_are_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a_empty.fit").write_bytes(b"")
    (tmp_path / "b_notes.FIT").write_text("not a watch file\n")
    good = tmp_path / "c_run.fit"
    good.write_bytes((SAMPLES / "edge" / "trail.fit").read_bytes())
    done = stridewise("inspect", tmp_path, tmp_path / "missing.fit")
    assert done.returncode == 2
    assert done.stdout.count("\n") == 1 and "c_run.fit" in done.stdout
    errors = done.stderr.splitlines()
    assert errors == [
        f"{tmp_path / 'a_empty.fit'}: error: empty file (0 bytes)",
        f"{tmp_path / 'b_notes.FIT'}: error: not a FIT file: bad header",
        f"{tmp_path / 'missing.fit'}: error: cannot read: No such file or directory",
        "4 files: 1 read, 3 failed",
    ]
    assert "Traceback" not in done.stderr


def test_json_reports_errors_in_band(tmp_path: Path) -> None:
    (tmp_path / "x.fit").write_bytes(b".FIT")
    done = stridewise("inspect", "--json", tmp_path)
    assert done.returncode == 2
    assert json.loads(done.stdout) == {
        "path": str(tmp_path / "x.fit"),
        "error": "not a FIT file: file is 4 bytes, shorter than a header",
    }


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    done = stridewise("inspect", tmp_path)
    assert (
        done.returncode == 2 and done.stderr.strip() == f"error: no .fit files found in {tmp_path}"
    )


@pytest.mark.parametrize("command", [[], ["inspect"], ["features"], ["simulate"]])
def test_help_on_every_command(command: list[str]) -> None:
    done = stridewise(*command, "--help")
    assert done.returncode == 0 and "Usage" in done.stdout
