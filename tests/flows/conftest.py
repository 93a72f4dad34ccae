"""One Prefect test harness for every flow test of the session (DESIGN §6)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def prefect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    os.environ.update(
        PREFECT_HOME=str(tmp_path_factory.mktemp("prefect-home")),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    return tmp_path / "inbox"
