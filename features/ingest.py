"""Decode many FIT files into one batch for `run_features`: bad files are collected, not raised."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from stridewise.features.fit import Activity, FitDecodeError, read_activity
from stridewise.features.fit.activity import Decoder
from stridewise.features.runs import BATCH_SCHEMA, run_id, run_records, run_row, runs_frame


@dataclass(frozen=True)
class RunBatch:
    """Decoded activities as `run_features` wants them, and the files that failed."""

    runs: pl.DataFrame
    records: pl.DataFrame
    failures: list[tuple[Path, str]] = field(default_factory=list)
    duplicates: list[tuple[Path, Path]] = field(default_factory=list)
    """(skipped file, the file it repeats): the same athlete's activity with the same start."""


def read_runs(
    files: Iterable[tuple[str, Path]],
    *,
    decoder: Decoder = "numpy",
    check_crc: bool = True,
    on_file: Callable[[Path, Activity | None], None] = lambda path, activity: None,
) -> RunBatch:
    """Decode (athlete id, path) pairs; a file that cannot be read is noted with its reason."""
    rows, records, failures, duplicates, seen = [], [], [], [], dict[str, Path]()
    for athlete_id, path in files:
        try:
            activity = read_activity(path, decoder=decoder, check_crc=check_crc)
        except FitDecodeError as error:
            failures.append((path, error.reason))
            on_file(path, None)
            continue
        key = run_id(athlete_id, activity)
        if key in seen:
            duplicates.append((path, seen[key]))
        else:
            seen[key] = path
            rows.append(run_row(athlete_id, activity))
            records.append(run_records(key, activity))
        on_file(path, activity)
    frame = pl.concat(records) if records else pl.DataFrame(schema=BATCH_SCHEMA)
    return RunBatch(runs_frame(rows), frame, failures, duplicates)
