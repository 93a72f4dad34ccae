"""The dashboard's "today" is the latest night within the data, whatever a careless --as-of
left in the store; the injury form refuses what the injury log refuses (an athlete the store
does not know, an onset nobody could have had) and keeps what was typed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient

from stridewise.dashboard.app import create_app
from stridewise.dashboard.data import DashboardData
from stridewise.features.daily import athlete_days
from stridewise.models.bundle import load
from stridewise.models.labels import INJURY_SCHEMA
from stridewise.models.rules import load_rules
from stridewise.models.team import score_rows, score_team
from stridewise.store import app_db
from stridewise.store.tables import Store
from tests.dashboard.conftest import BOSTON, ZURICH
from tests.dashboard.test_app import sign_in

LAST = date(2026, 11, 22)  # the bundled team's last day (tests/test_cli_inputs.py, by hand)
CARELESS = date(2026, 12, 10)  # an --as-of of the kind the command line now refuses
Z004_FIRST_RUN = date(2026, 8, 31)  # z004's first file: 2026-08-31T10:47Z, a treadmill run


@pytest.fixture
def client(data: Path) -> Iterator[TestClient]:
    with TestClient(create_app(data), follow_redirects=False) as client:
        yield client


@pytest.fixture(scope="module")
def careless(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled team's store after a normal night and then one --as-of past its data (as
    the code before the refusal wrote them: empty days up to that day, and scores on it)."""
    folder = tmp_path_factory.mktemp("careless")
    store = Store(folder)
    runs = Store(data).read("runs")
    store.merge("runs", runs)
    days = athlete_days(runs, until=CARELESS)
    store.merge("athlete_days", days)
    no_injuries = pl.DataFrame(schema=INJURY_SCHEMA)
    for night in (LAST, CARELESS):
        scored = score_team(days, no_injuries, load(), load_rules(), night)
        store.merge("scores", score_rows(scored))
    (folder / "roster.csv").write_bytes((data / "roster.csv").read_bytes())
    return folder


def test_today_is_the_latest_night_within_the_data(careless: Path) -> None:
    scores = Store(careless).read("scores", columns=["date"])
    assert CARELESS in scores["date"].to_list()  # the careless night is in the store
    normal = athlete_days(Store(careless).read("runs"), until=LAST)
    snapshot = DashboardData(careless).snapshot()
    assert snapshot.today == LAST
    assert sorted(r["athlete_id"] for r in snapshot.rows) == sorted(ZURICH + BOSTON)
    for row in snapshot.rows:
        assert row["date"] == LAST
        on_last = normal.filter(athlete_id=row["athlete_id"], local_date=LAST)
        assert row["km_7d"] == pytest.approx(on_last["km_7d"][0])
    assert sum(r["km_7d"] for r in snapshot.rows) > 0  # not the careless day's empty week


def test_the_form_refuses_an_athlete_the_store_does_not_know(client: TestClient) -> None:
    csrf = sign_in(client, "root")  # an admin sees every team, and nobody's
    form = {"csrf": csrf, "onset_date": "2026-10-02", "severity": "mild"}
    assert client.post("/athletes/nobody/injuries", data=form).status_code == 404


def test_a_refused_injury_keeps_what_was_typed(client: TestClient, data: Path) -> None:
    csrf = sign_in(client, "zoe")
    typed = {
        "csrf": csrf,
        "onset_date": "1900-01-01",
        "region": "anterior_hip",
        "side": "right",
        "subtype": "labral_irritation",
        "severity": "severe",
        "days_lost": "9",
    }
    done = client.post("/athletes/z004/injuries", data=typed)
    assert done.status_code == 422
    first = Z004_FIRST_RUN
    assert f"Not logged: onset 1900-01-01 is over a year before the first run ({first})" in (
        done.text
    )
    for kept in (
        'value="1900-01-01"',
        '<option value="anterior_hip" selected>',
        "<option selected>right</option>",
        '<option value="labral_irritation" selected>',
        "<option selected>severe</option>",
        'value="9"',
    ):
        assert kept in done.text
    tomorrow = date.today() + timedelta(days=1)
    later = client.post("/athletes/z004/injuries", data={**typed, "onset_date": str(tomorrow)})
    assert later.status_code == 422
    assert f"onset {tomorrow} is after today ({date.today()})" in later.text
    with app_db.app_database(data) as engine:
        logged = app_db.logged_injuries(engine)
    assert logged.filter(athlete_id="z004", severity="severe").is_empty()
