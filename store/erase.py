"""Erase one athlete from everything a data directory holds (the right to be forgotten).

The tables (Delta delete, then the log and old files that named them), the app database, the
quarantine, the roster and injury log kept in the data directory, and what Prefect's database
stores of them: the team reports (artifacts, and the events announcing them) and log lines.
The inbox is not the data directory's: the athlete's watch files there are listed, not deleted.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import MetaData, String, cast, delete, or_, text
from sqlalchemy.ext.asyncio import create_async_engine

from stridewise.store import app_db
from stridewise.store.ids import is_athlete_id
from stridewise.store.inputs import listed_athletes
from stridewise.store.tables import Store

KEPT_CSVS = ("roster.csv", "injuries.csv")

PREFECT_COLUMNS = {
    "artifact": ("data", "description"),
    "artifact_collection": ("data", "description"),
    "events": ("payload", "resource", "related"),
    "event_resources": ("resource",),
    "log": ("message",),
}
"""Where Prefect's database can hold an athlete id: the rows that do are deleted (a report
naming several athletes goes whole; the next nightly run publishes a new one)."""


@dataclass(frozen=True)
class Erased:
    manifest_files: int
    """Files the manifest recorded for the athlete (rows now gone)."""
    quarantined: int
    prefect_rows: int
    inbox_folders: list[str]
    """Folders where their watch files still are (outside the data directory), copies of
    them in other athletes' folders included."""


def known_athletes(data: Path) -> set[str]:
    """Every athlete `data` holds anything of: a file in the manifest (quarantined ones too), a
    row of the kept roster or injury log (InputError if one cannot be read)."""
    store = Store(data)
    known = set()
    if store.exists("manifest"):
        manifest = store.scan("manifest", columns=["athlete_id"]).unique().collect()
        known.update(manifest["athlete_id"].to_list())
    for name in KEPT_CSVS:
        if (data / name).is_file():
            known.update(listed_athletes(data / name, name))
    return known


def forget_athlete(data: Path, athlete_id: str, prefect_database: str | None) -> Erased:
    """Erase `athlete_id` under `data` (`prefect_database`: Prefect's database URL, if any)."""
    if not is_athlete_id(athlete_id):
        raise ValueError(f"not an athlete id: {athlete_id!r}")
    store = Store(data)
    files = store.read("manifest", athletes=[athlete_id], columns=["path", "sha256"])
    copies = store.having("manifest", "sha256", files["sha256"], columns=["path", "sha256"])
    paths = sorted({*files["path"], *copies["path"]})
    store.forget(athlete_id, files["sha256"].unique().to_list())
    with app_db.app_database(data) as engine:
        app_db.forget(engine, athlete_id)
    quarantine = data / "quarantine" / athlete_id
    quarantined = len(list(quarantine.glob("*"))) if quarantine.is_dir() else 0
    shutil.rmtree(quarantine, ignore_errors=True)
    for name in KEPT_CSVS:
        _drop_rows(data / name, athlete_id)
    rows = asyncio.run(_scrub_prefect(prefect_database, athlete_id)) if prefect_database else 0
    folders = sorted({str(Path(p).parent) for p in paths})
    return Erased(files.height, quarantined, rows, folders)


def _drop_rows(csv: Path, athlete_id: str) -> None:
    """Rewrite a kept CSV without the athlete's rows (every other cell as it was)."""
    if csv.is_file():
        table = pl.read_csv(csv, infer_schema=False)
        if "athlete_id" in table.columns:
            table.filter(pl.col("athlete_id") != athlete_id).write_csv(csv)


async def _scrub_prefect(url: str, athlete_id: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            tables = MetaData()
            await connection.run_sync(tables.reflect, only=list(PREFECT_COLUMNS))
            erased = 0
            for name, columns in PREFECT_COLUMNS.items():
                table = tables.tables[name]
                mentions = or_(*(cast(table.c[c], String).contains(athlete_id) for c in columns))
                erased += (await connection.execute(delete(table).where(mentions))).rowcount
        if engine.dialect.name == "sqlite":  # free pages and the WAL still hold the bytes
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM"))
                await autocommit.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return erased
    finally:
        await engine.dispose()
