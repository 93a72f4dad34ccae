"""`stridewise users add` and `stridewise dashboard` as a user runs them; what the server
writes to its log while a coach works names nobody."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from dashboard.auth import check_password
from store.app_db import app_database
from tests.dashboard.conftest import BOSTON, PASSWORD, ZURICH
from tests.dashboard.server import running_dashboard, sign_in_form


def users_add(
    data: Path, *args: str, password: str = "a long enough one"
) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "stridewise", "users", "add", *args, "--data", str(data)]
    return subprocess.run(
        [*command, "--password-stdin"], input=password + "\n", capture_output=True, text=True
    )


def test_users_add_creates_an_account_and_refuses_mistakes(tmp_path: Path) -> None:
    done = users_add(tmp_path, "zoe", "--team", "zurich", "--team", "basel")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "zoe: can sign in; sees basel, zurich\n"
    with app_database(tmp_path) as engine:
        coach = check_password(engine, "zoe", "a long enough one")
        assert coach and coach.teams == {"zurich", "basel"} and not coach.is_admin
        assert check_password(engine, "zoe", "a long enough two") is None
    for args, password, error in (
        (("zoe", "--admin"), "a long enough one", "there is already a coach named 'zoe'"),
        (("ann", "--team", "zurich"), "short", "the password needs at least 10 characters"),
        (("ann",), "a long enough one", "give at least one --team, or --admin"),
        (("a n",), "a long enough one", "'a n': letters, digits, '.', '_' or '-' only"),
    ):
        refused = users_add(tmp_path, *args, password=password)
        assert (refused.returncode, refused.stderr) == (2, f"error: {error}\n")


def test_the_dashboard_serves_its_pages_and_logs_no_personal_data(
    data: Path, tmp_path: Path
) -> None:
    log = tmp_path / "dashboard.log"
    with running_dashboard(data, log) as base, httpx.Client(base_url=base) as browser:
        assert "Sign in" in browser.get("/login").text
        assert browser.get("/static/style.css").status_code == 200
        signed = browser.post("/login", data=sign_in_form(browser, "zoe", PASSWORD))
        assert signed.status_code == 303
        assert "z004" in browser.get("/team").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/athletes/z004").text)[1]
        form = {"csrf": csrf, "onset_date": "2026-11-03", "severity": "mild"}
        assert browser.post("/athletes/z004/injuries", data=form).status_code == 303
        browser.post("/login", data=sign_in_form(browser, "zoe", "a wrong password"))
    logged = log.read_text()
    assert not any(name in logged for name in ("zoe", *ZURICH, *BOSTON)), logged


def test_the_dashboard_refuses_in_one_line_what_it_cannot_serve(
    data: Path, tmp_path: Path
) -> None:
    def dashboard(folder: Path, *options: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "stridewise", "dashboard", "--data", str(folder)]
        return subprocess.run([*command, *options], capture_output=True, text=True, timeout=60)

    missing = dashboard(tmp_path / "none")
    assert (missing.returncode, missing.stderr) == (
        2,
        f"error: {tmp_path / 'none'}: no data directory there: run `stridewise nightly` first\n",
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = dashboard(data, "--port", str(port))
    assert (busy.returncode, busy.stderr) == (
        2,
        f"error: 127.0.0.1:{port}: cannot listen there: Address already in use\n",
    )
