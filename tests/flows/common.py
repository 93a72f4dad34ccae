"""What the flow tests share: a small inbox, the tables a run leaves (comparable), a free
port for the servers they start, the environment of a process that uses the session's
Prefect server."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import polars as pl

from stridewise.store.tables import TABLES, Store
from tests.corpus import SAMPLES

SMALL_ATHLETES = ("z001", "b002")
SMALL_FILES_EACH = 7


def small_inbox(folder: Path) -> Path:
    """The last 7 files of two bundled athletes."""
    for athlete in SMALL_ATHLETES:
        (folder / athlete).mkdir(parents=True)
        for path in sorted((SAMPLES / "inbox" / athlete).glob("*.fit"))[-SMALL_FILES_EACH:]:
            shutil.copy(path, folder / athlete / path.name)
    return folder


def harness_env() -> dict[str, str]:
    """This environment with the session harness's Prefect server as the API: a command run
    in it uses that server, as with a long-lived one, and starts no temporary server."""
    from prefect.settings import get_current_settings

    return {**os.environ, "PREFECT_API_URL": str(get_current_settings().api.url)}


def snapshot(data: Path) -> dict[str, pl.DataFrame]:
    """Every table in key order, without the manifest's wall-clock column."""
    store = Store(data)
    return {
        name: store.read(name).sort(spec.keys).drop("seen_at", strict=False)
        for name, spec in TABLES.items()
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
