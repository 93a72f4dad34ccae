"""The dashboard through FastAPI's TestClient, on the bundled team's store: sign-in, the team
page and its filters and export, an athlete's page, logging an injury, acknowledging, and a
walk of every route as an anonymous user and as another team's coach."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import fitparse
import polars as pl
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select
from starlette.routing import Mount

from stridewise.dashboard.app import create_app
from stridewise.dashboard.team import balance_band
from stridewise.dashboard.throttle import PER_ACCOUNT_AND_ADDRESS as MAX_FAILED_LOGINS
from stridewise.models.bundle import DEFAULT_MODEL_DIR
from stridewise.store import app_db, notifications
from stridewise.store.app_db import coaches
from stridewise.store.tables import Store
from stridewise.store.targets import NETWORKS_VARIABLE
from tests.dashboard.conftest import BOSTON, PASSWORD, ZURICH
from tests.dashboard.server import sign_in_form

PUBLIC = {
    "/login",
    "/",  # a redirect to /team
    "/api/openapi.json",
    "/api/docs",
    "/api/docs/oauth2-redirect",
    "/static/plotly.min.js",
    "/calendar/{coach_id}/{athlete_id}.ics",  # a signed link (calendar apps cannot sign in)
}
"""Routes that hold no athlete's data (the static mounts aside)."""


@pytest.fixture
def client(data: Path) -> Iterator[TestClient]:
    with TestClient(create_app(data), follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, username: str) -> str:
    """Sign in; the CSRF token of the session (from the team page's forms)."""
    done = client.post("/login", data=sign_in_form(client, username, PASSWORD))
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
    meta = json.loads((DEFAULT_MODEL_DIR / "model.json").read_text())
    usual = meta["trained_on"]["positive_rate"]
    shown = [float(x) for x in re.findall(r">([0-9.]+) x usual</small>", page)]
    assert shown == [round(r["probability"] / usual, 1) for r in rows]  # the shipped model's
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
    page = client.get("/athletes/z004").text  # the log's own vocabulary, as lists
    for value in ("lateral_hip", "anterior_hip", "gluteal_tendinopathy", "labral_irritation"):
        assert f'<option value="{value}">' in page
    wrong = {**form, "region": "anterior_hip", "subtype": "it_band_syndrome"}
    mismatch = client.post("/athletes/z004/injuries", data=wrong)
    assert mismatch.status_code == 422 and "not an injury of that region" in mismatch.text
    knee = client.post("/athletes/z004/injuries", data={**form, "region": "knee"})
    assert knee.status_code == 422 and "not one of lateral_hip, anterior_hip" in knee.text


def test_logging_a_current_injury_changes_the_advice_at_once(
    client: TestClient, data: Path
) -> None:
    csrf = sign_in(client, "zoe")
    before = client.get("/api/athletes/z003").json()["row"]
    assert before["advice"]["return_to_run"] is None
    day = before["date"]
    form = {"csrf": csrf, "severity": "mild", "onset_date": day, "days_lost": "5"}
    done = client.post("/athletes/z003/injuries", data=form)
    assert done.status_code == 303
    after = client.get("/api/athletes/z003").json()["row"]  # no nightly run in between
    assert after["tier"] == "returning"
    back = after["advice"]["return_to_run"]
    assert (back["severity"], back["phase"], back["onset_date"]) == ("mild", "rest", day)
    assert after["recommendation"] == after["advice"]["rest"]["text"]
    assert after["recommendation"].startswith("Relative rest until ")
    stored = Store(data).read("scores", athletes=["z003"]).sort("date")[-1]
    assert stored["tier"].item() == "returning"


def test_the_plan_downloads_as_a_workout_and_a_signed_calendar(
    client: TestClient, data: Path
) -> None:
    sign_in(client, "zoe")
    workout = client.get("/athletes/z004/workout.fit")
    assert workout.status_code == 200
    fit = fitparse.FitFile(workout.content)
    assert len(list(fit.get_messages("workout_step"))) >= 2
    page = client.get("/athletes/z004").text
    link = re.search(r'href="(/calendar/(\d+)/z004\.ics\?sig=[0-9a-f]{64})"', page)
    assert link is not None
    with app_db.app_database(data) as engine:  # the account's id, not its name
        ids = dict(engine.connect().execute(select(coaches.c.username, coaches.c.id)).all())
    assert int(link.group(2)) == ids["zoe"]
    client.cookies.clear()  # a calendar app has no session
    feed = client.get(link.group(1))
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert len(Calendar.from_ical(feed.content).walk("VEVENT")) == 7
    forged = link.group(1)[:-1] + ("0" if link.group(1)[-1] != "0" else "1")
    assert client.get(forged).status_code == 404
    other_coach = link.group(1).replace(f"/calendar/{ids['zoe']}/", f"/calendar/{ids['bob']}/")
    assert client.get(other_coach).status_code == 404  # the signature is zoe's
    assert client.get("/athletes/z004/workout.fit").status_code == 303  # signed out: log in


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


def test_an_unknown_athlete_is_a_page_for_people_and_json_for_the_api(
    client: TestClient,
) -> None:
    sign_in(client, "zoe")
    page = client.get("/athletes/b001")  # bob's athlete: as unknown to zoe as nobody
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<h1>no such athlete</h1>" in page.text and "b001" not in page.text
    api = client.get("/api/athletes/b001")
    assert (api.status_code, api.json()) == (404, {"detail": "no such athlete"})


def test_without_a_session_every_route_asks_to_sign_in(client: TestClient) -> None:
    for route in client.app.routes:
        if isinstance(route, Mount) or route.path in PUBLIC:
            continue
        path = route.path
        url = path.replace("{athlete_id}", "z004").replace("{target_id}", "1")
        for method in route.methods - {"HEAD"}:
            done = client.request(method, url, data={"csrf": "x"})
            if path.startswith("/api/"):
                assert done.status_code == 401, (method, url)
            else:
                assert (done.status_code, done.headers.get("location")) == (303, "/login"), url
            assert "z004" not in done.text


def test_sign_in_failures_are_limited_and_the_cookie_is_guarded(client: TestClient) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        wrong = client.post("/login", data=sign_in_form(client, "bob", "nope"))
        assert wrong.status_code == 401 and "Wrong name or password" in wrong.text
    blocked = client.post("/login", data=sign_in_form(client, "bob", PASSWORD))
    assert blocked.status_code == 429
    done = client.post("/login", data=sign_in_form(client, "zoe", PASSWORD))
    session = next(c for c in done.headers.get_list("set-cookie") if "stridewise_session=" in c)
    assert "httponly" in session.lower() and "samesite=strict" in session.lower()


def test_behind_tls_the_session_cookie_is_secure(data: Path) -> None:
    """What a browser gets through a proxy that terminated TLS (the scheme it reports)."""
    with TestClient(create_app(data), base_url="https://testserver") as browser:
        signed = browser.post("/login", data=sign_in_form(browser, "zoe", PASSWORD))
        assert signed.is_success
        [session] = [c for c in signed.history[0].headers.get_list("set-cookie") if "session" in c]
        assert "; secure" in session.lower()
    with TestClient(create_app(data), base_url="http://testserver") as browser:
        done = browser.post("/login", data=sign_in_form(browser, "zoe", PASSWORD)).history[0]
        assert all("; secure" not in c.lower() for c in done.headers.get_list("set-cookie"))


def test_signing_in_needs_the_form_s_own_token(client: TestClient) -> None:
    """Another site cannot sign a browser in (to an account of its choosing)."""
    form = sign_in_form(client, "zoe", PASSWORD)
    forged = {**form, "login_token": "made-up"}
    assert client.post("/login", data=forged).status_code == 403
    client.cookies.clear()  # a form posted from elsewhere comes without the cookie
    assert client.post("/login", data=form).status_code == 403


def test_signing_out_ends_the_session(client: TestClient) -> None:
    csrf = sign_in(client, "zoe")
    assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    assert client.get("/api/team").status_code == 401


def test_the_api_is_documented(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    assert set(document["paths"]) == {"/api/team", "/api/athletes/{athlete_id}"}
    row = document["components"]["schemas"]["TeamRow"]["properties"]
    assert {"probability", "tier", "drivers", "advice", "acknowledged", "balance_band"} <= set(row)
    sign_in(client, "zoe")
    refused = client.get("/api/team", params={"tier": "severe"})
    assert refused.status_code == 422 and "'low', 'moderate' or 'high'" in refused.text


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


def test_htmx_gets_the_table_alone_and_the_acknowledgement_in_place(client: TestClient) -> None:
    csrf = sign_in(client, "zoe")
    table = client.get("/team", params={"tier": "low"}, headers={"HX-Request": "true"}).text
    assert table.startswith('<table class="team" id="team-table">') and "<html" not in table
    low = [r["athlete_id"] for r in client.get("/api/team", params={"tier": "low"}).json()]
    assert re.findall(r'href="/athletes/(\w+)"', table) == low
    form = {"csrf": csrf, "action": "plan_adjusted"}
    done = client.post("/athletes/z003/acknowledge", data=form, headers={"HX-Request": "true"})
    assert done.status_code == 200 and "plan adjusted · zoe ·" in done.text
    row = next(r for r in client.get("/api/team").json() if r["athlete_id"] == "z003")
    assert (row["acknowledged"]["action"], row["acknowledged"]["coach"]) == ("plan_adjusted", "zoe")
    page = client.get("/team").text  # the cached page is not the one from before
    assert "plan adjusted · zoe ·" in page


def test_the_athlete_api_has_twelve_weeks_of_chart_series(client: TestClient) -> None:
    sign_in(client, "zoe")
    found = client.get("/api/athletes/z004").json()
    history = found["history"]
    # data_samples: 12 weeks from Monday 2026-08-31 to Sunday 2026-11-22 (data_samples/README)
    assert len(history) == 84
    assert (history[0]["local_date"], history[-1]["local_date"]) == ("2026-08-31", "2026-11-22")
    assert all(0 < day["probability"] < 1 for day in history)
    assert found["row"]["advice"]["warmup"]["minutes"] == [10, 15]  # rules.toml, high tier
    page = client.get("/athletes/z004").text
    assert 'id="figures"' in page and "Warm-up" in page and "Evidence" in page


def test_every_asset_is_served_here_and_scripts_only_from_here(client: TestClient) -> None:
    sign_in(client, "zoe")
    for url in ("/team", "/athletes/z004", "/login"):
        page = client.get(url)
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert page.headers["x-content-type-options"] == "nosniff"
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
        assert assets and all(client.get(a).status_code == 200 for a in assets)
        assert "<script>" not in page.text  # no inline script: the policy would block it
    docs = client.get("/api/docs").text
    assets = re.findall(r"'(/static/api-docs/[^']+)'", docs) + re.findall(
        r'"(/static/api-docs/[^"]+)"', docs
    )
    assert assets and all(client.get(a).status_code == 200 for a in assets)
    assert "http" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', docs))


def test_failed_sign_ins_are_counted_across_server_processes(data: Path) -> None:
    with TestClient(create_app(data)) as first, TestClient(create_app(data)) as second:
        for _ in range(MAX_FAILED_LOGINS):
            wrong = sign_in_form(first, "root", "wrong password")
            assert first.post("/login", data=wrong).status_code == 401
        assert second.post("/login", data=sign_in_form(second, "root", PASSWORD)).status_code == 429


def test_a_new_night_shows_without_a_restart(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("stridewise.dashboard.data.RECHECK_S", 0.0)
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    with TestClient(create_app(copy), follow_redirects=False) as client:
        sign_in(client, "zoe")
        before = client.get("/api/team").json()
        assert before[0]["athlete_id"] != "z001"
        store = Store(copy)
        night = store.read("scores", athletes=["z001"]).with_columns(probability=pl.lit(0.5))
        store.merge("scores", night)
        after = client.get("/api/team").json()
        assert after[0]["athlete_id"] == "z001" and after[0]["probability"] == 0.5
        assert re.findall(r'href="/athletes/(\w+)"', client.get("/team").text)[0] == "z001"


def test_a_coach_keeps_notification_targets_on_the_settings_page(
    client: TestClient, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csrf = sign_in(client, "zoe")
    assert "No target yet" in client.get("/settings").text
    metadata = {"csrf": csrf, "url": "json://169.254.169.254/latest/meta-data"}
    refused = client.post("/settings/targets", data=metadata)
    assert refused.status_code == 422
    assert "json://169.254.169.254/…: 169.254.169.254 is link-local, not a public" in refused.text
    monkeypatch.setenv(NETWORKS_VARIABLE, "127.0.0.1/32")  # as for a relay on the server
    url = "json://127.0.0.1:9/s3cret-token"
    form = {"csrf": csrf, "url": url, "details": "1"}
    assert client.post("/settings/targets", data=form).status_code == 303
    page = client.get("/settings").text
    assert "json://127.0.0.1:9/…" in page and "s3cret-token" not in page
    bad = client.post("/settings/targets", data={"csrf": csrf, "url": "nonsense://x"})
    assert bad.status_code == 422 and "nonsense://…: not a notification URL" in bad.text
    assert client.post("/settings/targets", data={**form, "csrf": "x"}).status_code == 403
    with app_db.app_database(data) as engine:
        (target,) = notifications.targets(engine, "zoe")
        assert target.details and not target.daily
        notifications.record_failure(engine, 1, target, "refused or unreachable after 3 attempts")
        assert notifications.targets(engine, "bob") == []  # another coach's are not theirs
        with pytest.raises(ValueError, match="bob has no target"):
            notifications.remove_target(engine, "bob", target.id)
    assert "refused or unreachable after 3 attempts" in client.get("/settings").text
    missing = client.post(f"/settings/targets/{target.id + 1}/delete", data={"csrf": csrf})
    assert missing.status_code == 404
    done = client.post(f"/settings/targets/{target.id}/delete", data={"csrf": csrf})
    assert done.status_code == 303 and "No target yet" in client.get("/settings").text
