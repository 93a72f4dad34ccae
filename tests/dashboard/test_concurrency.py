"""Two dashboard processes and a nightly run writing at once, on SQLite and on PostgreSQL:
every injury and acknowledgement the coaches post is kept, the night completes and sends its
digest, and no request fails."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from stridewise.store import notifications
from stridewise.store.app_db import acknowledged, app_database, logged_injuries
from stridewise.store.targets import NETWORKS_VARIABLE
from tests.corpus import SAMPLES
from tests.dashboard.conftest import BOSTON, PASSWORD, ZURICH
from tests.dashboard.server import running_dashboard, sign_in_form
from tests.receivers import http_receiver

POSTS_PER_COACH = 12
"""At least: each coach goes on posting until the night is over."""


def _coach(
    base: str, username: str, athletes: list[str], night: subprocess.Popen, done: list[str]
) -> None:
    """Sign in, then log an injury and acknowledge, athlete after athlete, while the night
    runs; `done` gets a line per post ("ok" or what failed)."""
    with httpx.Client(base_url=base, timeout=60) as client:
        signed = client.post("/login", data=sign_in_form(client, username, PASSWORD))
        if signed.status_code != 303:
            done.append(f"{username}: sign-in {signed.status_code}")
            return
        page = client.get(f"/athletes/{athletes[0]}").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
        i = 0
        while i < POSTS_PER_COACH or night.poll() is None:
            athlete = athletes[i % len(athletes)]
            onset = date(2026, 10, 1) + timedelta(days=i % 50)
            i += 1
            form = {"csrf": csrf, "onset_date": onset.isoformat(), "severity": "mild"}
            ack = {"csrf": csrf, "action": "seen"}
            for answer in (
                client.post(f"/athletes/{athlete}/injuries", data={**form, "days_lost": "3"}),
                client.post(f"/athletes/{athlete}/acknowledge", data=ack),
            ):
                ok = answer.status_code == 303
                done.append("ok" if ok else f"{answer.request.url.path}: {answer.status_code}")


def test_two_dashboard_processes_and_a_nightly_write_at_once(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NETWORKS_VARIABLE, "127.0.0.1/32")  # the receiver on loopback
    with http_receiver() as (port, posts):
        with app_database(data) as engine:
            notifications.add_target(
                engine, data, "zoe", f"json://127.0.0.1:{port}/zoe", daily=True, details=False
            )
        with running_dashboard(data, tmp_path / "dashboard.log", "--workers", "2") as base:
            night = subprocess.Popen(
                [sys.executable, "-m", "stridewise", "nightly", str(SAMPLES / "inbox"),
                 "--data", str(data), "--injuries", str(SAMPLES / "injuries.csv")],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            done: list[str] = []
            coaches = [
                threading.Thread(target=_coach, args=(base, name, team, night, done))
                for name, team in (("zoe", ZURICH), ("bob", BOSTON))
            ]
            for coach in coaches:
                coach.start()
            for coach in coaches:
                coach.join(timeout=300)
            _, err = night.communicate(timeout=600)
    assert night.returncode == 0, err
    assert set(done) == {"ok"} and len(done) >= 4 * POSTS_PER_COACH
    with app_database(data) as engine:
        injuries = logged_injuries(engine)
        seen = acknowledged(engine)
    assert injuries.height == len(seen) == len(done) // 2
    assert [p["path"] for p in posts] == ["/zoe"]  # the night's digest, once
