"""`stridewise users add` and `stridewise dashboard` as a user runs them; what the server
writes to its log while a coach works names nobody."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from stridewise.dashboard.app import create_app
from stridewise.dashboard.auth import add_coach, check_password
from stridewise.store.app_db import app_database
from tests.corpus import SAMPLES
from tests.dashboard.conftest import BOSTON, PASSWORD, ZURICH
from tests.dashboard.server import running_dashboard, sign_in_form


def users(data: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "stridewise", "users", *args, "--data", str(data)]
    return subprocess.run(command, input=stdin, capture_output=True, text=True)


def users_add(
    data: Path, *args: str, password: str = "a long enough one"
) -> subprocess.CompletedProcess:
    return users(data, "add", *args, "--password-stdin", stdin=password + "\n")


def test_users_add_creates_an_account_and_refuses_mistakes(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    shutil.copy(SAMPLES / "roster.csv", roster)  # teams zurich and boston
    done = users_add(tmp_path, "zoe", "--team", "zurich", "--team", "boston")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "zoe: can sign in; sees boston, zurich\n"
    with app_database(tmp_path) as engine:
        coach = check_password(engine, "zoe", "a long enough one")
        assert coach and coach.teams == {"zurich", "boston"} and not coach.is_admin
        assert check_password(engine, "zoe", "a long enough two") is None
    for args, password, error in (
        (("zoe", "--admin"), "a long enough one", "there is already a coach named 'zoe'"),
        (("ann", "--team", "zurich"), "short", "the password needs at least 10 characters"),
        (("ann",), "a long enough one", "give at least one --team, or --admin"),
        (("a n",), "a long enough one", "'a n': letters, digits, '.', '_' or '-' only"),
        (
            ("ann", "--team", "zurich", "--team", "basel"),
            "a long enough one",
            f"--team 'basel': not a team of {roster} (its teams: boston, zurich)",
        ),
    ):
        refused = users_add(tmp_path, *args, password=password)
        assert (refused.returncode, refused.stderr) == (2, f"error: {error}\n")
    assert users_add(tmp_path, "Zoë", "--team", "zurich").returncode == 0
    empty = tmp_path / "no-roster"
    refused = users_add(empty, "ann", "--team", "zurich")
    message = f"{empty}/roster.csv: no roster yet, so no teams: copy the roster there first"
    assert (refused.returncode, refused.stderr) == (2, f"error: {message}\n")
    assert users_add(empty, "ann", "--admin").returncode == 0


def test_users_are_listed_and_a_removed_one_is_signed_out(data: Path) -> None:
    listed = users(data, "list")
    assert listed.stdout == "bob\tboston\nroot\tevery team (admin)\nzoe\tzurich\n"
    with app_database(data) as engine:
        add_coach(engine, "tmp", PASSWORD, ["zurich"])
    with TestClient(create_app(data)) as browser:
        assert browser.post("/login", data=sign_in_form(browser, "tmp", PASSWORD)).is_success
        assert browser.get("/api/team").status_code == 200
        done = users(data, "remove", "tmp")
        assert (done.returncode, done.stdout) == (0, "tmp: removed\n")
        assert browser.get("/api/team").status_code == 401
    again = users(data, "remove", "tmp")
    assert (again.returncode, again.stderr) == (2, "error: there is no coach named 'tmp'\n")
    assert "tmp" not in users(data, "list").stdout


def test_the_dashboard_serves_its_pages_and_logs_no_personal_data(
    data: Path, tmp_path: Path
) -> None:
    log = tmp_path / "dashboard.log"
    proxy = ("--trusted-proxy", "127.0.0.1")  # a TLS proxy on this machine, named
    with running_dashboard(data, log, *proxy) as base, httpx.Client(base_url=base) as browser:
        assert "Sign in" in browser.get("/login").text
        assert browser.get("/static/style.css").status_code == 200
        signed = browser.post("/login", data=sign_in_form(browser, "zoe", PASSWORD))
        assert signed.status_code == 303
        assert "z004" in browser.get("/team").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/athletes/z004").text)[1]
        form = {"csrf": csrf, "onset_date": "2026-11-03", "severity": "mild"}
        assert browser.post("/athletes/z004/injuries", data=form).status_code == 303
        browser.post("/login", data=sign_in_form(browser, "zoe", "a wrong password"))
        # through a proxy on this machine that terminated TLS: every cookie is Secure (the
        # sign-in form's too, so it is sent back by hand: httpx keeps those for https)
        tls = {"X-Forwarded-Proto": "https"}
        form_page = httpx.get(f"{base}/login", headers=tls)
        form_cookie = form_page.headers["set-cookie"]
        token = re.search(r'name="login_token" value="([^"]+)"', form_page.text)[1]
        signed = httpx.post(
            f"{base}/login",
            data={"username": "zoe", "password": PASSWORD, "login_token": token},
            headers={**tls, "Cookie": form_cookie.split(";")[0]},
        )
        assert signed.status_code == 303
        assert "; secure" in form_cookie.lower()
        assert all("; secure" in c.lower() for c in signed.headers.get_list("set-cookie"))
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
