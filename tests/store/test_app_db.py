"""The app database: injuries logged by coaches join the CSV log wherever the log is read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from stridewise.store.app_db import app_database, log_injury, logged_injuries
from stridewise.store.inputs import injury_history
from stridewise.store.layout import DATABASE_URL_VARIABLE
from tests.corpus import SAMPLES


@pytest.mark.usefixtures("app_backend")
def test_logged_injuries_join_the_csv_log(tmp_path: Path) -> None:
    csv = SAMPLES / "injuries.csv"
    assert injury_history(tmp_path, csv).height == len(csv.read_text().splitlines()) - 1
    assert not (tmp_path / "app.db").exists()  # reading never creates the database
    with app_database(tmp_path) as engine:
        log_injury(engine, "z004", date(2026, 9, 28), "moderate", side="left", days_lost=10)
        with pytest.raises(ValueError, match="'sore' is not one of mild, moderate, severe"):
            log_injury(engine, "z004", date(2026, 9, 28), "sore")
        logged = logged_injuries(engine)
    assert logged.rows(named=True) == [
        {
            "athlete_id": "z004",
            "onset_date": date(2026, 9, 28),
            "region": None,
            "subtype": None,
            "side": "left",
            "severity": "moderate",
            "days_lost": 10,
        }
    ]
    both = injury_history(tmp_path, csv)
    assert both.tail(1).rows() == logged.rows()
    assert injury_history(tmp_path, None).rows() == logged.rows()


def test_the_sqlite_database_is_in_wal_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DATABASE_URL_VARIABLE, raising=False)
    with app_database(tmp_path) as engine, engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
