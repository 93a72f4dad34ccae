"""What users hand the command line: FIT files by athlete, and a roster, checked on the way in."""

from __future__ import annotations

import csv
import difflib
import io
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import polars as pl

from stridewise.features.fit.files import find_fit_files, fit_files_below
from stridewise.features.runs import ATHLETE_SCHEMA
from stridewise.models.labels import INJURY_SCHEMA, SEVERITIES, SUBTYPES
from stridewise.store.ids import ATHLETE_ID as ATHLETE_ID  # re-exported: the CLI's checks
from stridewise.store.ids import AthleteIdError, athlete_id, shown
from stridewise.store.layout import has_app_database

if TYPE_CHECKING:  # SQLAlchemy is imported only where there is an app database
    from sqlalchemy import Engine

    from stridewise.store.days import DataDays

Warn = Callable[[str], None]
"""Where a reader says what it skipped or ignored, one line each (the CLI: stderr)."""


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


def _read_csv(
    path: Path,
    schema: dict[str, pl.DataType],
    what: str,
    known: Iterable[str] | None = None,
    warn: Warn | None = None,
) -> pl.DataFrame:
    """The `schema` columns of a CSV file (absent ones null), each value checked: a value that
    is not of its column's type is an error naming the line. Excel's exports are read as they
    come: a UTF-8 byte-order mark is dropped and the delimiter (`,`, `;` or tab) is sniffed
    from the header. With `known` (every column the file may hold), each other column is one
    line to `warn`, with the nearest known name."""
    raw = _csv_frame(path, what)
    if "athlete_id" not in raw.columns:
        hint = _did_you_mean(nearest("athlete_id", raw.columns))
        raise InputError(f"{path}: the {what} has no athlete_id column{hint}")
    for name in raw.columns if known is not None and warn is not None else ():
        if name not in set(known or ()):
            hint = _did_you_mean(nearest(name.strip().lower(), known)) or ": ignored"
            warn(f"{path}: column {name!r} is not one the {what} uses{hint}")
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
    return _with_athlete_ids(raw.select(columns), path)


def _csv_frame(path: Path, what: str) -> pl.DataFrame:
    """Every cell of a CSV file as text, its BOM dropped and its delimiter sniffed."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
        header = text.split("\n", 1)[0]
        separator = csv.Sniffer().sniff(header, delimiters=",;\t").delimiter if header else ","
    except csv.Error:
        separator = ","  # one column: no delimiter to find
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the {what}: {error}") from None
    try:
        return pl.read_csv(io.StringIO(text), separator=separator, infer_schema=False)
    except pl.exceptions.PolarsError as error:
        raise InputError(f"{path}: cannot read the {what}: {error}") from None


def nearest(name: str, names: Iterable[str] | None, n: int = 1) -> list[str]:
    """The `n` names of `names` nearest to `name` (difflib), nearest first."""
    return difflib.get_close_matches(name, list(names or ()), n=n, cutoff=0.6)


def _did_you_mean(names: list[str]) -> str:
    return f": did you mean {' or '.join(names)}?" if names else ""


def _with_athlete_ids(table: pl.DataFrame, path: Path) -> pl.DataFrame:
    """`table` with its athlete ids in their one spelling (`store.ids.athlete_id`); a cell
    that is not an id is an error naming its line."""
    ids = []
    for line, name in enumerate(table["athlete_id"].to_list(), start=2):
        try:
            ids.append(None if name is None else athlete_id(name))
        except AthleteIdError as error:
            raise InputError(f"{path}: line {line}: {error}") from None
    return table.with_columns(athlete_id=pl.Series(ids, dtype=pl.String))


ROSTER_COLUMNS = (*ATHLETE_SCHEMA, "name", "team", "height_cm", "timezone", "device")
"""Every column a roster may hold: what features use, the team, and what `simulate` writes."""
SEXES = ("female", "male", "other")
"""The roster's sex values (any case; empty: not given): other gets the neutral TRIMP weights."""
ROSTER_RANGES: dict[str, tuple[float, float, str]] = {
    "hr_max_bpm": (100, 230, "bpm"),
    "hr_rest_bpm": (25, 120, "bpm"),
    "reference_speed_mps": (1.0, 7.0, "m/s"),
}
"""Physiological bounds: a maximum heart rate from 100 (a very old or beta-blocked heart) to
230 (the highest measured in young athletes), a resting one from 25 (elite endurance
athletes' lowest) to 120 (tachycardia at rest), a reference pace from 1 m/s (walking) to
7 m/s (2:23 per km, beyond world-record marathon pace)."""
OLDEST_YEARS, YOUNGEST_YEARS = 100, 5
"""A birth year gives an age between these (years before the current one)."""


def read_roster(path: Path, warn: Warn | None = None) -> pl.DataFrame:
    """The roster's columns that features use (`ATHLETE_SCHEMA`), validated: ids, duplicates,
    sex, and values inside `ROSTER_RANGES` and the birth years, each refusal naming its line;
    columns it does not know go to `warn`."""
    roster = _read_csv(path, ATHLETE_SCHEMA, "roster", ROSTER_COLUMNS, warn)
    duplicated = roster.filter(pl.col("athlete_id").is_duplicated())["athlete_id"].unique()
    if duplicated.len():
        raise InputError(f"{path}: athlete_id {duplicated[0]!r} appears more than once")
    year = date.today().year
    sex = pl.col("sex").str.to_lowercase()
    checks: list[tuple[pl.Expr, str, str]] = [
        (sex.is_in(SEXES).not_(), "sex", "is not one of " + ", ".join(SEXES) + " (or empty)"),
        (
            pl.col("birth_year").is_between(year - OLDEST_YEARS, year - YOUNGEST_YEARS).not_(),
            "birth_year",
            f"is outside {year - OLDEST_YEARS}-{year - YOUNGEST_YEARS}",
        ),
        *(
            (pl.col(name).is_between(low, high).not_(), name, f"is outside {low}-{high} {unit}")
            for name, (low, high, unit) in ROSTER_RANGES.items()
        ),
        (pl.col("hr_max_bpm") <= pl.col("hr_rest_bpm"), "hr_max_bpm", "is not above hr_rest_bpm"),
    ]
    numbered = roster.with_row_index("line", offset=2)
    for impossible, name, reason in checks:
        bad = numbered.filter(impossible.fill_null(value=False))
        if bad.height:
            row = bad.row(0, named=True)
            raise InputError(f"{path}: line {row['line']}: {name} {row[name]!r} {reason}")
    return roster.with_columns(sex)


def listed_athletes(path: Path, what: str) -> list[str]:
    """The athlete ids a roster or injury log lists (InputError if it cannot be read)."""
    return _read_csv(path, {"athlete_id": pl.String()}, what)["athlete_id"].drop_nulls().to_list()


def read_teams(path: Path | None) -> dict[str, str]:
    """Athlete -> team, from the roster's optional `team` column (empty without one)."""
    if path is None:
        return {}
    roster = _read_csv(path, {"athlete_id": pl.String(), "team": pl.String()}, "roster")
    return dict(roster.drop_nulls().iter_rows())


HIP_REGIONS = tuple(SUBTYPES)
"""The regions the log may name (blank: a hip injury whose region was not noted)."""
ONSET_LOOKBACK = timedelta(days=365)
"""An onset may precede the athlete's first run by this much (an injury they came in with)."""


def read_injuries(
    path: Path,
    known: DataDays | None = None,
    today: date | None = None,
    warn: Warn | None = None,
) -> pl.DataFrame:
    """The injury log (`models.labels.INJURY_SCHEMA`), validated: every row needs an athlete
    and an onset date; severity, when given, is mild, moderate or severe. Rows the model must
    not learn from are skipped, each one line to `warn`: a region that is not the hip's; with
    `today`, an onset after it (or after the data's last day, for a simulated world that lies
    ahead); with `known` (the store's athletes), an athlete it does not know or an onset more
    than `ONSET_LOOKBACK` before their first run."""
    injuries = _read_csv(path, INJURY_SCHEMA, "injury log", INJURY_SCHEMA, warn)
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
    negative = injuries.with_row_index("line", offset=2).filter(pl.col("days_lost") < 0)
    if negative.height:
        raise InputError(f"{path}: line {negative['line'][0]}: days_lost cannot be negative")
    skipped = _skipped(injuries, known, today)
    for line, reason in skipped:
        if warn is not None:
            warn(f"{path}: line {line}: {reason}: skipped")
    kept_rows = pl.Series([i + 2 not in dict(skipped) for i in range(injuries.height)])
    return injuries.filter(kept_rows).with_columns(severity)


def _skipped(
    injuries: pl.DataFrame, known: DataDays | None, today: date | None
) -> list[tuple[int, str]]:
    """(line, why) of each injury the log cannot hold."""
    rows = injuries.select("athlete_id", "onset_date", "region").iter_rows()
    reasons = ((line, injury_refusal(*row, known, today)) for line, row in enumerate(rows, 2))
    return [(line, reason) for line, reason in reasons if reason is not None]


def injury_refusal(
    who: str, onset: date, region: str | None, known: DataDays | None, today: date | None
) -> str | None:
    """Why the log cannot hold an injury (one line), or None: a region that is not the hip's;
    with `known` (the store's athletes, when it knows any), an athlete it does not know or an
    onset more than `ONSET_LOOKBACK` before their first run; an onset after `today` (or after
    the data's last day, for a simulated world that lies ahead). The CSV and the dashboard's
    form alike."""
    last = max(today, known.span[1]) if today and known and known.span else today
    first_runs = known.first_runs if known else {}
    first = first_runs.get(who)
    if region is not None and region not in HIP_REGIONS:
        return f"region {region!r} is not one of " + ", ".join(HIP_REGIONS)
    if first_runs and who not in first_runs:
        return f"athlete {shown(who)} is not in the store{_did_you_mean(nearest(who, first_runs))}"
    if last is not None and onset > last:
        return f"onset {onset} is after {'today' if last == today else 'the last day'} ({last})"
    if first is not None and onset < first - ONSET_LOOKBACK:
        return f"onset {onset} is over a year before the first run ({first})"
    return None


def injury_history(
    data: Path,
    csv: Path | None,
    engine: Engine | None = None,
    known: DataDays | None = None,
    warn: Warn | None = None,
) -> pl.DataFrame:
    """The whole injury log: the CSV (`csv`, else the data directory's injuries.csv, if any)
    and what coaches logged in the app database (through `engine` when one is open). The CSV's
    rows are checked against `known`, the store's athletes and days (read when not given),
    and today; what is skipped goes to `warn`."""
    csv = csv or kept(data, "injuries.csv")
    log = pl.DataFrame(schema=INJURY_SCHEMA)
    if csv is not None:
        if known is None:
            from stridewise.store.days import data_days
            from stridewise.store.tables import Store

            known = data_days(Store(data))
        log = read_injuries(csv, known, date.today(), warn)
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
