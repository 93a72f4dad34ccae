"""The dashboard under abuse, as real server processes over real HTTP, on SQLite and on
PostgreSQL: a flood of sign-ins, parallel guesses, forged X-Forwarded-For, a guesser spread
over many addresses, forged calendar links, formulas in the CSV export, caches, error
answers, and who may read the data directory."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from stridewise.dashboard.auth import add_coach, remove_coach
from stridewise.dashboard.data import RECHECK_S
from stridewise.dashboard.throttle import HASHES_AT_ONCE, PER_ACCOUNT, PER_ACCOUNT_AND_ADDRESS
from stridewise.store import app_db
from stridewise.store.layout import DATABASE_URL_VARIABLE
from tests.dashboard.conftest import PASSWORD
from tests.dashboard.server import dashboard_process, running_dashboard, sign_in_form
from tests.flows.common import small_inbox

ARGON2_MIB = 64
"""argon2-cffi's default memory cost (RFC 9106's second recommendation)."""
PROXY = ("--trusted-proxy", "127.0.0.1")


def _peak_kib(pid: int, field: str = "VmHWM") -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)[1])


def _sign_in(base: str, username: str, password: str, address: str | None = None) -> httpx.Response:
    """A browser's sign-in (from `address`, as a proxy would forward it)."""
    headers = {"X-Forwarded-For": address} if address else {}
    with httpx.Client(base_url=base, timeout=120, headers=headers) as browser:
        return browser.post("/login", data=sign_in_form(browser, username, password))


def _signed_in(base: str, username: str) -> tuple[httpx.Client, str]:
    """A browser with a session, and its CSRF token."""
    browser = httpx.Client(base_url=base, timeout=60)
    assert browser.post("/login", data=sign_in_form(browser, username, PASSWORD)).status_code == 303
    csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/settings").text)[1]
    return browser, csrf


def _account(data: Path, username: str, teams: list[str], admin: bool = False) -> None:
    with app_db.app_database(data) as engine:
        add_coach(engine, username, PASSWORD, teams, admin)


def test_a_flood_of_sign_ins_hashes_a_few_passwords_at_a_time(data: Path, tmp_path: Path) -> None:
    """40 made-up names from 40 addresses at once: each check's 64 MiB is held by at most
    HASHES_AT_ONCE of them (the code before held 2 GiB), and whoever waits too long is told
    when to come back."""
    log = tmp_path / "dashboard.log"
    with dashboard_process(data, log, "--workers", "1", *PROXY) as (base, server):
        start = _peak_kib(server.pid, "VmRSS")
        with ThreadPoolExecutor(40) as pool:
            answers = list(
                pool.map(
                    lambda i: _sign_in(base, f"made-up-{i}", "guess", f"10.3.{i}.1"), range(40)
                )
            )
        peak = _peak_kib(server.pid)
    statuses = Counter(a.status_code for a in answers)
    assert set(statuses) <= {401, 429} and statuses[401] >= HASHES_AT_ONCE, statuses
    assert all(a.headers["retry-after"] == "2" for a in answers if a.status_code == 429)
    assert (peak - start) / 1024 < (HASHES_AT_ONCE + 2) * ARGON2_MIB, (start, peak)


def test_parallel_guesses_get_five_checks_in_every_process(data: Path, tmp_path: Path) -> None:
    """40 wrong passwords at once for one account from one address, over two server
    processes: 5 are checked, every other is refused before its check."""
    _account(data, "raced", ["zurich"])
    log = tmp_path / "dashboard.log"
    with running_dashboard(data, log, "--workers", "2") as base:
        with ThreadPoolExecutor(40) as pool:
            answers = list(pool.map(lambda _: _sign_in(base, "raced", "wrong guess"), range(40)))
        statuses = Counter(a.status_code for a in answers)
        assert set(statuses) <= {401, 429} and statuses[401] <= PER_ACCOUNT_AND_ADDRESS, statuses
        checked = statuses[401]
        while (late := _sign_in(base, "raced", "wrong guess")).status_code == 401:
            checked += 1  # those refused for a busy process were not counted: take them now
        assert checked == PER_ACCOUNT_AND_ADDRESS
        assert late.status_code == 429 and late.headers["retry-after"] == "900"
        assert "Too many failed attempts" in late.text


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(data: Path, tmp_path: Path) -> None:
    _account(data, "forged", ["zurich"])
    with running_dashboard(data, tmp_path / "plain.log") as base:
        tries = [_sign_in(base, "forged", "wrong", f"10.4.{i}.1").status_code for i in range(6)]
        assert tries == [401] * PER_ACCOUNT_AND_ADDRESS + [429]  # all from 127.0.0.1
    with running_dashboard(data, tmp_path / "proxied.log", *PROXY) as base:
        # now each forwarded address is its own: 127.0.0.1's count does not hold them back
        assert _sign_in(base, "forged", PASSWORD, "10.4.0.1").status_code == 303
        assert _sign_in(base, "forged", PASSWORD).status_code == 429  # the proxy's own
    command = [sys.executable, "-m", "stridewise", "dashboard", "--data", str(data)]
    refused = subprocess.run([*command, "--trusted-proxy", "proxy.lan"], capture_output=True,
                             text=True, timeout=60)  # fmt: skip
    assert (refused.returncode, refused.stderr) == (
        2,
        "error: --trusted-proxy 'proxy.lan': not an IP address or network\n",
    )


def test_a_spread_out_guesser_does_not_lock_the_coach_out_of_their_own_place(
    data: Path, tmp_path: Path
) -> None:
    """Guesses from many addresses stop at PER_ACCOUNT for the account, from any address
    it never signed in from; the coach's own address is spared."""
    _account(data, "sought", ["zurich"])
    with running_dashboard(data, tmp_path / "dashboard.log", *PROXY) as base:
        assert _sign_in(base, "sought", PASSWORD, "10.5.0.1").status_code == 303  # the office
        guesses = [_sign_in(base, "sought", "guess", f"10.6.{i}.1") for i in range(PER_ACCOUNT + 3)]
        statuses = [g.status_code for g in guesses]
        assert statuses == [401] * PER_ACCOUNT + [429] * 3
        assert _sign_in(base, "sought", PASSWORD, "10.7.0.1").status_code == 429  # a new place
        assert _sign_in(base, "sought", PASSWORD, "10.5.0.1").status_code == 303  # the office
        # made-up names from one address stop too (new names do not dodge the count)
        names = [_sign_in(base, f"nobody-{i}", "guess", "10.8.0.1").status_code for i in range(31)]
        assert names == [401] * 30 + [429]


def test_calendar_links_are_the_account_s_and_die_when_rotated(data: Path, tmp_path: Path) -> None:
    _account(data, "cal", ["zurich"])
    with running_dashboard(data, tmp_path / "dashboard.log") as base:
        browser, csrf = _signed_in(base, "cal")
        link = re.search(r'href="(/calendar/(\d+)/z004\.ics\?sig=)([0-9a-f]{64})"',
                         browser.get("/athletes/z004").text)  # fmt: skip
        path, coach_id, sig = link.groups()
        with app_db.app_database(data) as engine, engine.connect() as connection:
            names = select(app_db.coaches.c.username, app_db.coaches.c.id)
            ids = dict(connection.execute(names).all())
        assert int(coach_id) == ids["cal"]
        feed = httpx.get(f"{base}{path}{sig}")
        assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")
        assert feed.headers["cache-control"] == "no-store"
        other = path.replace(f"/{coach_id}/", f"/{ids['zoe']}/")
        for forged in (
            f"{path}{'é' * 64}",  # not ASCII: the code before answered 500
            f"{path}{sig[:-1]}",  # too short
            f"{path}{sig}00",  # too long
            f"{other}{sig}",  # another coach's account
            path.replace(f"/{coach_id}/", "/cal/") + sig,  # the name, not the id
            path.replace(f"/{coach_id}/", "/٣/") + sig,  # a digit, but not an ASCII one
            path.replace("z004", "z003") + sig,  # another athlete
        ):
            answer = httpx.get(f"{base}{forged}")
            assert answer.status_code == 404, forged
            assert answer.headers["x-content-type-options"] == "nosniff"
        rotated = browser.post("/settings/calendar", data={"csrf": csrf})
        assert rotated.status_code == 303
        assert httpx.get(f"{base}{path}{sig}").status_code == 404  # the old link is dead
        assert browser.post("/settings/calendar", data={"csrf": "x"}).status_code == 403
        fresh = re.search(r'href="(/calendar/\d+/z004\.ics\?sig=[0-9a-f]{64})"',
                          browser.get("/athletes/z004").text)[1]  # fmt: skip
        assert fresh != f"{path}{sig}" and httpx.get(f"{base}{fresh}").status_code == 200
        with app_db.app_database(data) as engine:  # the account goes, one of its name comes
            remove_coach(engine, "cal")
            add_coach(engine, "cal", PASSWORD, ["zurich"])
        assert httpx.get(f"{base}{fresh}").status_code == 404
        browser.close()


def test_health_data_is_never_cached_and_errors_carry_the_headers(
    data: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    with running_dashboard(copy, tmp_path / "dashboard.log") as base:
        browser, _ = _signed_in(base, "zoe")
        for url in ("/team", "/team.csv", "/athletes/z004", "/athletes/z004/workout.fit",
                    "/api/team", "/api/athletes/z004", "/settings", "/login"):  # fmt: skip
            answer = browser.get(url)
            assert answer.status_code == 200, url
            assert answer.headers["cache-control"] == "no-store", url
        assert "no-store" not in browser.get("/static/style.css").headers.get("cache-control", "")
        errors = {
            404: browser.get("/no/such/page"),
            405: browser.get("/logout"),
            422: browser.get("/api/team", params={"tier": "severe"}),
            429: None,
        }
        for _ in range(PER_ACCOUNT_AND_ADDRESS + 1):
            errors[429] = _sign_in(base, "bob", "wrong")
        (copy / "roster.csv").write_text("no roster\n")  # broken under the running server
        time.sleep(RECHECK_S + 0.5)
        errors[500] = browser.get("/team")
        for status, answer in errors.items():
            assert answer.status_code == status
            assert answer.headers["content-security-policy"].startswith("default-src 'self'")
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["cache-control"] == "no-store", status
        browser.close()


def test_the_csv_export_neutralises_formulas_and_keeps_numbers(data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    roster = (copy / "roster.csv").read_text().replace(",zurich", ',"=HYPERLINK(""x"")"')
    (copy / "roster.csv").write_text(roster)
    _account(copy, "@admin", [], admin=True)
    with running_dashboard(copy, tmp_path / "dashboard.log") as base:
        browser = httpx.Client(base_url=base, timeout=60)
        assert (
            browser.post("/login", data=sign_in_form(browser, "@admin", PASSWORD)).status_code
            == 303
        )
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/team").text)[1]
        assert (
            browser.post(
                "/athletes/z004/acknowledge", data={"csrf": csrf, "action": "seen"}
            ).status_code
            == 303
        )
        exported = browser.get("/team.csv")
        browser.close()
    assert exported.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    teams = {r["athlete_id"]: r["team"] for r in rows}
    assert teams["z004"] == '\'=HYPERLINK("x")' and teams["b001"] == "boston"
    z004 = next(r for r in rows if r["athlete_id"] == "z004")
    assert z004["acknowledged_coach"] == "'@admin"
    for row in rows:  # numbers stay numbers, negative ones too
        for column in ("probability", "km_7d", "acwr", "cadence_residual_spm"):
            if row[column]:
                float(row[column])
    assert any(r["cadence_residual_spm"].startswith("-") for r in rows)
    for cell in (c for r in rows for c in r.values()):
        if cell[:1] in ("=", "+", "@", "\t", "\r") or (cell[:1] == "-" and not _number(cell)):
            raise AssertionError(f"{cell!r} would run as a formula")


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _modes(folder: Path) -> dict[str, int]:
    """Every path under `folder` (itself included) and its permission bits."""
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        if not path.is_symlink():
            found[str(path.relative_to(folder))] = stat.S_IMODE(path.stat().st_mode)
    return found


def test_the_data_directory_is_its_owner_s_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A night (a broken file quarantined), an account, a dashboard signing a calendar link:
    every folder made is 0700, every file 0600, whatever the umask they were run under; and
    a data directory an earlier version left open is closed when a command opens it. The app
    database is the data directory's SQLite file, whichever backend the module's other tests
    left in the environment."""
    monkeypatch.delenv(DATABASE_URL_VARIABLE, raising=False)
    inbox = small_inbox(tmp_path / "inbox")
    (inbox / "z001" / "broken.fit").write_bytes(b"\x0e\x10" + b"\x00" * 100)
    data = tmp_path / "data"
    stridewise = [sys.executable, "-m", "stridewise"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    open_umask = {"preexec_fn": lambda: os.umask(0o022), "env": env}  # what a shell has
    night = subprocess.run([*stridewise, "nightly", str(inbox), "--data", str(data)],
                           capture_output=True, text=True, timeout=600, **open_umask)  # fmt: skip
    assert night.returncode in (0, 2), night.stderr
    (data / "roster.csv").write_text("athlete_id,team\nz001,zurich\nb002,boston\n")
    added = subprocess.run([*stridewise, "users", "add", "ann", "--team", "zurich",
                            "--password-stdin", "--data", str(data)], input=PASSWORD + "\n",
                           capture_output=True, text=True, timeout=120, **open_umask)  # fmt: skip
    assert added.returncode == 0, added.stderr
    (data / "roster.csv").chmod(0o600)  # the test wrote it, not stridewise
    with running_dashboard(data, tmp_path / "dashboard.log") as base:
        browser = httpx.Client(base_url=base, timeout=60)
        assert (
            browser.post("/login", data=sign_in_form(browser, "ann", PASSWORD)).status_code == 303
        )
        assert "/calendar/" in browser.get("/athletes/z001").text
        browser.close()
    modes = _modes(data)
    made = {"quarantine", "prefect", "secret.key", "app.db", "tables"}
    assert made <= {path.split("/")[0] for path in modes}, sorted(modes)
    folders = {p: m for p, m in modes.items() if (data / p).is_dir()}
    files = {p: m for p, m in modes.items() if p not in folders}
    assert set(folders.values()) == {0o700}, folders
    assert all(m & 0o077 == 0 for m in files.values()), {
        p: oct(m) for p, m in files.items() if m & 0o077
    }
    data.chmod(0o755)  # as an earlier version left it
    listed = subprocess.run([*stridewise, "users", "list", "--data", str(data)],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert listed.returncode == 0 and stat.S_IMODE(data.stat().st_mode) == 0o700
