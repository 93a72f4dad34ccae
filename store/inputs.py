"""What users hand the command line: FIT files by athlete, and a roster, checked on the way in."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import polars as pl

from stridewise.features.fit.files import find_fit_files, fit_files_below
from stridewise.features.runs import ATHLETE_SCHEMA
from stridewise.models.labels import INJURY_SCHEMA, SEVERITIES
from stridewise.store.ids import ATHLETE_ID as ATHLETE_ID  # re-exported: the CLI's checks
from stridewise.store.ids import AthleteIdError, athlete_id, shown
from stridewise.store.layout import has_app_database

if TYPE_CHECKING:  # SQLAlchemy is imported only where there is an app database
    from sqlalchemy import Engine



class InputError(Exception):
    """A user's input cannot be used; the message says which and why, in one line."""


SkippedKind = Literal["folder", "link", "file"]


@dataclass(frozen=True)
class Skipped:
    """Something an inbox holds that is read as nobody's: a folder whose name is not an
    athlete id, a symbolic link, a file that cannot be read; `line` says which and why."""

    kind: SkippedKind
    line: str


def _refuse(skipped: Skipped) -> None:
    raise InputError(skipped.line)


def athlete_files(
    paths: Iterable[Path], on_skipped: Callable[[Skipped], None] = _refuse
) -> Iterator[tuple[str, Path]]:
    """(athlete id, FIT file) for every file named or found.

    A folder is an inbox: its first-level sub-folders are athletes (`inbox/<athlete_id>/**`),
    and a file lying directly in it belongs to nobody (`misplaced_files`); a file named on
    its own belongs to the folder it is in. What belongs to nobody else goes to `on_skipped`
    (by default an InputError), never to a catch-all athlete: a folder whose name is not an
    athlete id (`store.ids`; hidden ones included) with FIT files in it, and symbolic links
    (never followed: `features.fit.files.fit_files_below`).
    """
    for path in paths:
        if path.is_dir():
            yield from _inbox_files(path, on_skipped)
            continue
        try:
            yield file_athlete(path), path
        except InputError as error:
            on_skipped(Skipped("folder", str(error)))


def file_athlete(file: Path) -> str:
    """The athlete a FIT file named on its own belongs to: the name of the folder it is in
    (as written, not where a link leads), as an id; InputError when that name is not one."""
    folder = Path(os.path.abspath(file)).parent.name
    try:
        return athlete_id(folder)
    except AthleteIdError as error:
        raise InputError(f"{shown(str(file))}: the folder it is in, {error}") from None


def _inbox_files(
    inbox: Path, on_skipped: Callable[[Skipped], None]
) -> Iterator[tuple[str, Path]]:
    """(athlete id, file) below each athlete folder of an inbox; the rest to `on_skipped`.
    A folder that is not an id is said only when it holds FIT files: sync tools keep empty
    dot-folders at an inbox's root (Syncthing's `.stfolder`), a line each night for nothing
    would teach the coach to skip the lines."""
    for folder in sorted(entry for entry in inbox.iterdir() if entry.is_dir()):
        if folder.is_symlink():
            on_skipped(Skipped("link", _link_line(folder)))
            continue
        files, links = fit_files_below(folder)
        try:
            athlete = athlete_id(folder.name)
        except AthleteIdError as error:
            if files:
                count = f"{len(files)} FIT file{'s' * (len(files) != 1)}"
                line = f"{inbox}: {count} skipped: folder {error}"
                on_skipped(Skipped("folder", line))
            continue
        for link in links:
            on_skipped(Skipped("link", _link_line(link)))
        yield from ((athlete, file) for file in files)


def _link_line(link: Path) -> str:
    return f"{link}: skipped: a symbolic link (never followed: an inbox holds the files themselves)"


def misplaced_files(inbox: Path) -> list[Path]:
    """The FIT files lying directly in an inbox, outside every athlete's folder."""
    return [f for f in find_fit_files([inbox]) if f.parent == inbox]


def _read_csv(path: Path, schema: dict[str, pl.DataType], what: str) -> pl.DataFrame:
    """The `schema` columns of a CSV file (absent ones null), each value checked: a value that
    is not of its column's type is an error naming the line."""
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise InputError(f"{path}: cannot read the {what}: {error}") from None
    if "athlete_id" not in raw.columns:
        raise InputError(f"{path}: the {what} has no athlete_id column")
    columns = []
    for name, dtype in schema.items():
        if name not in raw.columns:
            columns.append(pl.lit(None, dtype).alias(name))
            continue
        text = pl.col(name).str.strip_chars()
        cast = (
            text.str.to_date("%Y-%m-%d", strict=False)
            if dtype == pl.Date
            else text.cast(dtype, strict=False)
        )
        bad = raw.with_row_index("line", offset=2).filter(
            cast.is_null() & (text.str.len_chars() > 0)
        )
        if bad.height:
            line, value = bad.row(0, named=True)["line"], bad.row(0, named=True)[name]
            raise InputError(f"{path}: line {line}: {name} {value!r} is not a {dtype}")
        columns.append(cast.alias(name))
    return raw.select(columns)


def read_roster(path: Path) -> pl.DataFrame:
    """The roster's columns that features use (`ATHLETE_SCHEMA`), validated."""
    roster = _read_csv(path, ATHLETE_SCHEMA, "roster")
    duplicated = roster.filter(pl.col("athlete_id").is_duplicated())["athlete_id"].unique()
    if duplicated.len():
        raise InputError(f"{path}: athlete_id {duplicated[0]!r} appears more than once")
    return roster


def read_teams(path: Path | None) -> dict[str, str]:
    """Athlete -> team, from the roster's optional `team` column (empty without one)."""
    if path is None:
        return {}
    roster = _read_csv(path, {"athlete_id": pl.String(), "team": pl.String()}, "roster")
    return dict(roster.drop_nulls().iter_rows())


def read_injuries(path: Path) -> pl.DataFrame:
    """The injury log (`models.labels.INJURY_SCHEMA`), validated: every row needs an athlete
    and an onset date; severity, when given, is mild, moderate or severe."""
    injuries = _read_csv(path, INJURY_SCHEMA, "injury log")
    incomplete = injuries.with_row_index("line", offset=2).filter(
        pl.col("athlete_id").is_null() | pl.col("onset_date").is_null()
    )
    if incomplete.height:
        line = incomplete["line"][0]
        raise InputError(f"{path}: line {line}: an injury needs athlete_id and onset_date")
    severity = pl.col("severity").str.to_lowercase()
    unknown = injuries.with_row_index("line", offset=2).filter(
        severity.is_not_null() & ~severity.is_in(SEVERITIES)
    )
    if unknown.height:
        row = unknown.row(0, named=True)
        raise InputError(
            f"{path}: line {row['line']}: severity {row['severity']!r} is not one of "
            + ", ".join(SEVERITIES)
        )
    if (injuries["days_lost"] < 0).any():
        raise InputError(f"{path}: days_lost cannot be negative")
    return injuries.with_columns(severity)


def injury_history(data: Path, csv: Path | None, engine: Engine | None = None) -> pl.DataFrame:
    """The whole injury log: the CSV (`csv`, else the data directory's injuries.csv, if any)
    and what coaches logged in the app database (through `engine` when one is open)."""
    csv = csv or kept(data, "injuries.csv")
    log = read_injuries(csv) if csv is not None else pl.DataFrame(schema=INJURY_SCHEMA)
    if engine is None and not has_app_database(data):
        return log
    from stridewise.store.app_db import app_database, logged_injuries

    with nullcontext(engine) if engine is not None else app_database(data) as database:
        return pl.concat([log, logged_injuries(database)])


def default_roster(data: Path, inbox: Path) -> Path | None:
    """The roster the data directory keeps, else the one synced with the inbox."""
    return kept(data, "roster.csv") or kept(inbox, "roster.csv")


def kept(data: Path, name: str) -> Path | None:
    """A file the data directory keeps (roster.csv, injuries.csv), if it is there."""
    path = data / name
    return path if path.is_file() else None
