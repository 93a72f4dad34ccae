"""`stridewise serve` with no Prefect server configured: it starts one under the data
directory, the nightly deployment's schedule fires and its run writes the store, the train
deployment waits for its own, and SIGTERM pauses both schedules and stops the server."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from stridewise.flows.server import port_is_free
from stridewise.store.tables import Store
from tests.flows.common import free_port, small_inbox


def api(port: int, path: str, body: dict | None = None) -> list[dict]:
    return httpx.post(f"http://127.0.0.1:{port}/api/{path}", json=body or {}, timeout=10).json()


def test_serve_runs_the_nightly_flow_on_its_schedule(tmp_path: Path) -> None:
    inbox, data, port = small_inbox(tmp_path / "inbox"), tmp_path / "data", free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_HOME", "PREFECT_API_URL")}
    command = [sys.executable, "-m", "stridewise", "serve", str(inbox), "--data", str(data)]
    options = ["--cron", "* * * * *", "--timezone", "Europe/Zurich", "--port", str(port)]
    serving = subprocess.Popen([*command, *options], env=env, stderr=subprocess.PIPE, text=True)
    try:
        completed: list[dict] = []
        deadline = time.monotonic() + 240  # server start-up, then the next minute
        while not completed and time.monotonic() < deadline:
            assert serving.poll() is None, serving.stderr.read() if serving.stderr else ""
            time.sleep(2)
            if not port_is_free(port):
                states = {"state": {"type": {"any_": ["COMPLETED", "FAILED", "CRASHED"]}}}
                completed = api(port, "flow_runs/filter", {"flow_runs": states})
        assert [run["state_type"] for run in completed] == ["COMPLETED"]
        deployments = {d["name"]: d for d in api(port, "deployments/filter")}
        schedules = {name: d["schedules"][0]["schedule"] for name, d in deployments.items()}
        assert schedules == {
            "nightly": {"cron": "* * * * *", "timezone": "Europe/Zurich", "day_or": True},
            "train": {"cron": "0 4 * * 0", "timezone": "Europe/Zurich", "day_or": True},
        }
        assert all(d["global_concurrency_limit"]["limit"] == 1 for d in deployments.values())
        assert Store(data).read("scores")["athlete_id"].n_unique() == 2
    finally:
        serving.send_signal(signal.SIGTERM)
        _, stderr = serving.communicate(timeout=60)
    assert serving.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert port_is_free(port)
    with sqlite3.connect(data / "prefect" / "prefect.db") as db:
        paused = db.execute("SELECT name, paused FROM deployment ORDER BY name").fetchall()
    assert paused == [("nightly", 1), ("train", 1)]


@pytest.mark.parametrize(
    ("option", "value", "error"),
    [
        ("--cron", "every night", "--cron 'every night': not a cron expression"),
        ("--train-cron", "61 * * * *", "--train-cron '61 * * * *': not a cron expression"),
        ("--timezone", "Mars/Olympus", "--timezone 'Mars/Olympus': not a time zone name"),
    ],
)
def test_a_bad_schedule_is_a_one_line_error(
    option: str, value: str, error: str, tmp_path: Path
) -> None:
    from tests.test_cli import stridewise

    done = stridewise("serve", tmp_path, "--data", tmp_path / "data", option, value)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {error}") and done.stderr.count("\n") == 1
