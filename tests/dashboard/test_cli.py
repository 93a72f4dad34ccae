"""`stridewise users add` and `stridewise dashboard` as a user runs them."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from dashboard.auth import check_password
from store.app_db import app_database
from tests.flows.common import free_port


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


def test_the_dashboard_serves_the_sign_in_page(tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "stridewise", "dashboard", "--data", str(tmp_path)]
    server = subprocess.Popen([*command, "--port", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        deadline, page = time.monotonic() + 60, None
        while page is None and time.monotonic() < deadline:
            assert server.poll() is None
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
            except httpx.HTTPError:
                time.sleep(0.3)
        assert page is not None and page.status_code == 200 and "Sign in" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/static/style.css").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    missing = subprocess.run(
        [sys.executable, "-m", "stridewise", "dashboard", "--data", str(tmp_path / "none")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2
    assert (
        missing.stderr
        == f"error: {tmp_path / 'none'}: no data directory there: run `stridewise nightly` first\n"
    )
