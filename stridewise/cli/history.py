"""One athlete's history from the data directory, with one new run added: what `score` rates.

The data directory holds what the nightly flow (or `make demo`) wrote: the runs table of the
store (the per-run features of every athlete), and optionally `roster.csv` and `injuries.csv`.
Without the athlete in it, the run is scored alone (single-file mode).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from stridewise.features.daily import athlete_days
from stridewise.features.fit import Activity
from stridewise.features.ingest import file_features
from stridewise.features.runs import run_id, run_records, run_row, runs_frame
from stridewise.models.labels import injury_flags
from stridewise.store.inputs import InputError, injury_history, kept, read_roster
from stridewise.store.tables import Store


@dataclass(frozen=True)
class History:
    days: pl.DataFrame
    """The athlete's days up to the run's day, with the injury log's flags."""
    injuries: pl.DataFrame
    """The injury log."""
    single_file: bool


def athlete_history(data: Path, athlete_id: str, activity: Activity) -> History:
    """The athlete's days up to and including `activity`'s day (a whole run; `InputError` if a
    file of the data directory cannot be read, `FeatureError` if the run's features fail)."""
    roster_file = kept(data, "roster.csv")
    roster = read_roster(roster_file) if roster_file else None
    injuries = injury_history(data, None)
    key = run_id(athlete_id, activity)
    run = file_features(
        run_records(key, activity), runs_frame([run_row(athlete_id, activity)]), roster
    )
    past = _past_runs(Store(data), athlete_id, key)
    day = run["local_date"][0]
    days = athlete_days(pl.concat([past, run]), until=day)
    return History(
        days=injury_flags(days, injuries), injuries=injuries, single_file=past.is_empty()
    )


def _past_runs(store: Store, athlete_id: str, run: str) -> pl.DataFrame:
    """The athlete's other runs in the store (none when there is no store)."""
    try:
        past = store.read("runs", athletes=[athlete_id])
    except (OSError, pl.exceptions.PolarsError) as error:
        raise InputError(f"{store.path('runs')}: cannot read the history: {error}") from None
    return past.filter(pl.col("run_id") != run)
