"""Decode many FIT files into one batch for `run_features`, and compute it: a file that fails
anywhere on the way is collected with its reason, never raised, so the other files go on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from stridewise.features.fit import Activity, FitDecodeError, read_activity
from stridewise.features.fit.activity import Decoder
from stridewise.features.fit.errors import NotAnActivity
from stridewise.features.runs import (
    BATCH_SCHEMA,
    RUN_FEATURE_SCHEMA,
    run_features,
    run_id,
    run_records,
    run_row,
    runs_frame,
)

REASON_CHARS = 300
"""A defect's reason is cut to this: it is one line of a manifest and of a terminal."""


@dataclass(frozen=True)
class RunBatch:
    """Decoded activities as `run_features` wants them, and the files that failed."""

    runs: pl.DataFrame
    records: pl.DataFrame
    failures: list[tuple[Path, str]] = field(default_factory=list)
    not_activities: list[tuple[Path, str]] = field(default_factory=list)
    """Readable FIT files that record no activity (a workout, a course, settings), and why."""
    duplicates: list[tuple[Path, Path]] = field(default_factory=list)
    """(skipped file, the file it repeats): the same athlete's activity with the same start."""
    files: dict[str, Path] = field(default_factory=dict)
    """run_id -> the file each run was read from."""


@dataclass(frozen=True)
class BatchFeatures:
    """The per-run features of a batch's runs, and the files whose features failed."""

    runs: pl.DataFrame
    failures: list[tuple[Path, str]]


def defect(error: Exception) -> str:
    """`<ExceptionType>: message` on one line: why a file met a defect of this code, in the
    words a maintainer needs and short enough for the manifest."""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}"[:REASON_CHARS]


class FeatureError(Exception):
    """A decoded file whose per-run features could not be computed: a defect of this code
    that the file meets, said in one line (`<ExceptionType>: message`), not a traceback."""


def read_file(path: Path, *, decoder: Decoder = "numpy", check_crc: bool = True) -> Activity:
    """`read_activity`, with a defect the file meets in the decoder raised as the
    `FitDecodeError` of that file (reason `<ExceptionType>: message`): to whoever reads the
    file, it is a file that cannot be read, and it must not stop the others."""
    try:
        return read_activity(path, decoder=decoder, check_crc=check_crc)
    except FitDecodeError:
        raise
    except Exception as error:  # any defect: this file fails, not the caller
        raise FitDecodeError(defect(error), str(path)) from error


def file_features(
    records: pl.DataFrame, runs: pl.DataFrame, athletes: pl.DataFrame | None = None
) -> pl.DataFrame:
    """`run_features` of one file's run; a defect it meets is raised as a `FeatureError`."""
    try:
        return run_features(records, runs, athletes)
    except Exception as error:  # any defect: one line for the file, not a traceback
        raise FeatureError(defect(error)) from error


Decoded = tuple[Activity, str, dict[str, object], pl.DataFrame]
"""A file's activity, run id, `RUN_SCHEMA` row and batch records."""


def _decoded(athlete_id: str, path: Path, decoder: Decoder, check_crc: bool) -> Decoded:
    """One file made ready for a batch, or the FitDecodeError saying why it could not be (the
    decoder's reason, or the defect it met: this code's fault, not the file's, and still this
    file's failure alone)."""
    activity = read_file(path, decoder=decoder, check_crc=check_crc)
    try:
        key = run_id(athlete_id, activity)
        return activity, key, run_row(athlete_id, activity), run_records(key, activity)
    except Exception as error:  # a defect in shaping the run: this file fails alone
        raise FitDecodeError(defect(error), str(path)) from error


def read_runs(
    files: Iterable[tuple[str, Path]],
    *,
    decoder: Decoder = "numpy",
    check_crc: bool = True,
    on_file: Callable[[Path, Activity | None], None] = lambda path, activity: None,
) -> RunBatch:
    """Decode (athlete id, path) pairs; a file that cannot be read is noted with its reason."""
    rows, records, failures, others, duplicates = [], [], [], [], []
    seen: dict[str, Path] = {}
    for athlete_id, path in files:
        try:
            activity, key, row, frame = _decoded(athlete_id, path, decoder, check_crc)
        except FitDecodeError as error:
            (others if isinstance(error, NotAnActivity) else failures).append((path, error.reason))
            on_file(path, None)
            continue
        if key in seen:
            duplicates.append((path, seen[key]))
        else:
            seen[key] = path
            rows.append(row)
            records.append(frame)
        on_file(path, activity)
    frame = pl.concat(records) if records else pl.DataFrame(schema=BATCH_SCHEMA)
    return RunBatch(runs_frame(rows), frame, failures, others, duplicates, seen)


def batch_features(
    batch: RunBatch,
    athletes: pl.DataFrame | None = None,
    compute: Callable[..., pl.DataFrame] = run_features,
) -> BatchFeatures:
    """The batch's per-run features (`compute`: `run_features`, or a stand-in for a test).

    All runs at once is the fast path. Should it raise, every run is computed alone, so
    that a defect one file meets fails that file (reason `<ExceptionType>: message`) and
    the others keep their rows: a run's features never depend on the other runs, so the
    rows are the same either way.
    """
    try:
        return BatchFeatures(compute(batch.records, batch.runs, athletes), [])
    except Exception:  # a defect some file meets: find which, below
        pass
    records = batch.records.partition_by("run_id", as_dict=True, maintain_order=True)
    kept, failures = [], []
    for key, path in batch.files.items():
        run = batch.runs.filter(pl.col("run_id") == key)
        try:
            kept.append(compute(records.get((key,), batch.records.clear()), run, athletes))
        except Exception as error:  # this file's defect: it fails alone
            failures.append((path, defect(error)))
    runs = pl.concat(kept) if kept else pl.DataFrame(schema=RUN_FEATURE_SCHEMA)
    return BatchFeatures(runs, failures)
