"""The dashboard through FastAPI's TestClient, on the bundled team's store: sign-in, the team
page and its filters and export, an athlete's page, logging an injury, acknowledging, and a
walk of every route as an anonymous user and as another team's coach."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dashboard.app import create_app
from dashboard.auth import MAX_FAILED_LOGINS, add_coach
from dashboard.team import balance_band
from features.daily import athlete_days
from features.ingest import read_runs
from features.runs import run_features
from models.bundle import load
from models.rules import load_rules
from models.team import score_rows, score_team
from store import app_db
from store.tables import Store
from stridewise.inputs import athlete_files, read_injuries, read_roster
from tests.corpus import SAMPLES

PASSWORD = "correct horse battery"
ZURICH = ["z001", "z002", "z003", "z004"]  # roster.csv's team column, by hand
BOSTON = ["b001", "b002", "b003", "b004"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store the nightly flow would leave for the bundled team (written here without
    Prefect), its roster, and three accounts."""
    data = tmp_path_factory.mktemp("data")
    roster = read_roster(SAMPLES / "roster.csv")
    batch = read_runs(athlete_files([SAMPLES / "inbox"]))
    runs = run_features(batch.records, batch.runs, roster)
    days = athlete_days(runs)
    store = Store(data)
    store.merge("runs", runs)
    store.merge("athlete_days", days)
    injuries = read_injuries(SAMPLES / "injuries.csv")
    scored = score_team(days, injuries, load(), load_rules(), days["local_date"].max())
    store.merge("scores", score_rows(scored))
    (data / "roster.csv").write_bytes((SAMPLES / "roster.csv").read_bytes())
    with app_db.app_database(data) as engine:
        add_coach(engine, "zoe", PASSWORD, ["zurich"])
        add_coach(engine, "bob", PASSWORD, ["boston"])
        add_coach(engine, "root", PASSWORD, [], admin=True)
    return data


@pytest.fixture
def client(data: Path) -> Iterator[TestClient]:
    with TestClient(create_app(data), follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, username: str) -> str:
    """Sign in; the CSRF token of the session (from the team page's forms)."""
    done = client.post("/login", data={"username": username, "password": PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/team"
    page = client.get("/team").text
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]


def test_the_team_page_shows_only_the_coach_s_team_riskiest_first(client: TestClient) -> None:
    sign_in(client, "zoe")
    rows = client.get("/api/team").json()
    assert sorted(r["athlete_id"] for r in rows) == ZURICH
    probabilities = [r["probability"] for r in rows]
    assert probabilities == sorted(probabilities, reverse=True)
    page = client.get("/team").text
    assert [a for a in re.findall(r'href="/athletes/(\w+)"', page)] == [
        r["athlete_id"] for r in rows
    ]
    assert not any(b in page for b in BOSTON)
    high = client.get("/api/team", params={"tier": "high"}).json()
    assert {r["athlete_id"] for r in high} == {r["athlete_id"] for r in rows if r["tier"] == "high"}


def test_an_admin_sees_every_team(client: TestClient) -> None:
    sign_in(client, "root")
    assert sorted(r["athlete_id"] for r in client.get("/api/team").json()) == BOSTON + ZURICH


def test_the_csv_export_is_the_filtered_table(client: TestClient) -> None:
    sign_in(client, "bob")
    done = client.get("/team.csv")
    assert done.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(done.text)))
    assert sorted(r["athlete_id"] for r in table) == BOSTON
    assert all(r["team"] == "boston" for r in table)


def test_logging_an_injury_lists_it_and_feeds_the_log(client: TestClient, data: Path) -> None:
    csrf = sign_in(client, "zoe")
    form = {"csrf": csrf, "onset_date": "2026-10-02", "severity": "moderate", "side": "left"}
    done = client.post("/athletes/z004/injuries", data={**form, "days_lost": "12"})
    assert done.status_code == 303 and done.headers["location"] == "/athletes/z004"
    page = client.get("/athletes/z004").text
    assert "2026-10-02" in page and "moderate" in page
    with app_db.app_database(data) as engine:
        logged = app_db.logged_injuries(engine)
    row = logged.filter(athlete_id="z004", onset_date=date(2026, 10, 2)).row(0, named=True)
    assert (row["severity"], row["side"], row["days_lost"]) == ("moderate", "left", 12)
    assert client.post("/athletes/z004/injuries", data={**form, "csrf": "x"}).status_code == 403
    future = client.post("/athletes/z004/injuries", data={**form, "onset_date": "2099-01-01"})
    assert future.status_code == 422
    bad = client.post("/athletes/z004/injuries", data={**form, "severity": "sore"})
    assert bad.status_code == 422 and "not one of mild, moderate, severe" in bad.text


def test_acknowledging_records_who_and_when(client: TestClient) -> None:
    csrf = sign_in(client, "zoe")
    done = client.post("/athletes/z002/acknowledge", data={"csrf": csrf, "action": "seen"})
    assert done.status_code == 303
    seen = client.get("/api/athletes/z002").json()["acknowledgements"]
    assert seen[0]["action"] == "seen" and seen[0]["coach"] == "zoe"


def test_another_team_s_athletes_are_not_found_anywhere(client: TestClient) -> None:
    csrf = sign_in(client, "zoe")
    for athlete in BOSTON:
        assert client.get(f"/athletes/{athlete}").status_code == 404
        assert client.get(f"/api/athletes/{athlete}").status_code == 404
        form = {"csrf": csrf, "onset_date": "2026-10-01", "severity": "mild"}
        assert client.post(f"/athletes/{athlete}/injuries", data=form).status_code == 404
        ack = {"csrf": csrf, "action": "seen"}
        assert client.post(f"/athletes/{athlete}/acknowledge", data=ack).status_code == 404
    assert client.get("/athletes/nobody").status_code == 404


def test_without_a_session_every_route_asks_to_sign_in(client: TestClient) -> None:
    for route in client.app.routes:
        path = getattr(route, "path", "")
        if path in ("/login", "/api/openapi.json", "/api/docs", "/static", "/"):
            continue
        url = path.replace("{athlete_id}", "z004")
        for method in route.methods - {"HEAD"}:
            done = client.request(method, url, data={"csrf": "x"})
            if path.startswith("/api/"):
                assert done.status_code == 401, (method, url)
            else:
                assert (done.status_code, done.headers.get("location")) == (303, "/login"), url
            assert "z004" not in done.text


def test_sign_in_failures_are_limited_and_the_cookie_is_guarded(client: TestClient) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        wrong = client.post("/login", data={"username": "bob", "password": "nope"})
        assert wrong.status_code == 401 and "Wrong name or password" in wrong.text
    blocked = client.post("/login", data={"username": "bob", "password": PASSWORD})
    assert blocked.status_code == 429
    done = client.post("/login", data={"username": "zoe", "password": PASSWORD})
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_signing_out_ends_the_session(client: TestClient) -> None:
    csrf = sign_in(client, "zoe")
    assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    assert client.get("/api/team").status_code == 401


def test_the_api_is_documented(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert set(paths) == {"/api/team", "/api/athletes/{athlete_id}"}


@pytest.mark.parametrize(
    ("left_pct", "band"),
    [
        (50.0, "green"),
        (49.3, "green"),
        (50.8, "orange"),
        (47.8, "orange"),
        (52.3, "red"),
        (None, None),
    ],
)
def test_gct_balance_bands_are_garmin_s(left_pct: float | None, band: str | None) -> None:
    assert balance_band(left_pct) == band
