"""The store the dashboard tests read: the bundled team as the nightly flow leaves it (written
here without Prefect), its roster, and three accounts."""

from __future__ import annotations

from pathlib import Path

import pytest

from stridewise.dashboard.auth import add_coach
from stridewise.features.daily import athlete_days
from stridewise.features.ingest import read_runs
from stridewise.features.runs import run_features
from stridewise.models.bundle import load
from stridewise.models.rules import load_rules
from stridewise.models.team import score_rows, score_team
from stridewise.store import app_db
from stridewise.store.inputs import athlete_files, read_injuries, read_roster
from stridewise.store.tables import Store
from tests.corpus import SAMPLES

PASSWORD = "correct horse battery"
ZURICH = ["z001", "z002", "z003", "z004"]  # roster.csv's team column, by hand
BOSTON = ["b001", "b002", "b003", "b004"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, app_backend: str) -> Path:
    """A data directory of the bundled team's tables, roster and accounts (one per test
    module and app database: the tests write injuries and acknowledgements)."""
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
