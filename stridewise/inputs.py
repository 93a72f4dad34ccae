"""What users hand the command line: FIT files by athlete, and a roster, checked on the way in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

from features.fit.files import find_fit_files
from features.runs import ATHLETE_SCHEMA

ATHLETE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class InputError(Exception):
    """A user's input cannot be used; the message says which and why, in one line."""


def athlete_files(paths: Iterable[Path]) -> Iterator[tuple[str, Path]]:
    """(athlete id, FIT file) for every file named or found.

    A folder is an inbox: its first-level sub-folders are athletes (`inbox/<athlete_id>/**`);
    a file lying directly in the folder, or named on its own, belongs to the folder it is in.
    """
    for path in paths:
        if not path.is_dir():
            yield _athlete_id(path.resolve().parent.name), path
            continue
        for file in find_fit_files([path]):
            parts = file.relative_to(path).parts
            yield _athlete_id(parts[0] if len(parts) > 1 else path.resolve().name), file


def _athlete_id(name: str) -> str:
    return name if ATHLETE_ID.match(name) else "unknown"


def read_roster(path: Path) -> pl.DataFrame:
    """The roster's columns that features use (`ATHLETE_SCHEMA`), validated."""
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise InputError(f"{path}: cannot read the roster: {error}") from None
    if "athlete_id" not in raw.columns:
        raise InputError(f"{path}: the roster has no athlete_id column")
    columns = []
    for name, dtype in ATHLETE_SCHEMA.items():
        if name not in raw.columns:
            columns.append(pl.lit(None, dtype).alias(name))
            continue
        cast = pl.col(name).str.strip_chars().cast(dtype, strict=False)
        bad = raw.with_row_index("line", offset=2).filter(
            cast.is_null() & (pl.col(name).str.strip_chars().str.len_chars() > 0)
        )
        if bad.height:
            line, value = bad.row(0, named=True)["line"], bad.row(0, named=True)[name]
            raise InputError(f"{path}: line {line}: {name} {value!r} is not a {dtype}")
        columns.append(cast.alias(name))
    roster = raw.select(columns)
    duplicated = roster.filter(pl.col("athlete_id").is_duplicated())["athlete_id"].unique()
    if duplicated.len():
        raise InputError(f"{path}: athlete_id {duplicated[0]!r} appears more than once")
    return roster
