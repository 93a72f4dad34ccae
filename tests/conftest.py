"""Fixtures several test packages share: built once per session, read-only for the tests."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from stridewise.simulator.team import Config, simulate
from stridewise.store.layout import DATABASE_URL_VARIABLE
from tests.postgres import PostgresServer, binaries, temporary_server


@pytest.fixture(scope="session")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """160 athletes x 52 weeks summary-only, another seed than the shipped model's cohorts,
    hazard x 8 so that a small cohort has enough onsets (training, evaluating, retraining)."""
    out = tmp_path_factory.mktemp("cohort")
    simulate(Config(160, 52, seed=424242, hazard_scale=8.0), out, summary_only=True, workers=2)
    return out


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of its own for the session (skips when none is installed)."""
    if binaries() is None:
        pytest.skip("PostgreSQL is not installed: `make debian` installs it (apt-get, as root)")
    folder = Path(tempfile.mkdtemp(prefix="stridewise-pg-"))  # outside pytest's 0700 folders
    try:
        with temporary_server(folder) as server:
            yield server
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each test module that asks for it runs twice: on the data directory's SQLite app
    database, and on a fresh database of a real PostgreSQL server ($STRIDEWISE_DATABASE_URL,
    which every process the tests start inherits)."""
    if request.param == "sqlite":
        yield "sqlite"
        return
    url = request.getfixturevalue("postgres").new_database()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATABASE_URL_VARIABLE, url)
        yield "postgresql"
