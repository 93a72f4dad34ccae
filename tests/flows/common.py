"""What the flow tests share: a small inbox, and the tables a run leaves, comparable."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from store.tables import TABLES, Store
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


def snapshot(data: Path) -> dict[str, pl.DataFrame]:
    """Every table in key order, without the manifest's wall-clock column."""
    store = Store(data)
    return {
        name: store.read(name).sort(spec.keys).drop("seen_at", strict=False)
        for name, spec in TABLES.items()
    }
