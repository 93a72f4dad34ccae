"""What every command shares: one-line errors, progress bars, checked outputs, decoding."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import typer


def progress() -> Any:
    """A progress bar on stderr (drawn only on a terminal), gone when the work is done."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True)
    return Progress(
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def fail(message: str) -> NoReturn:
    """A user error: one line on stderr, exit code 2, no traceback."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def warn(message: str) -> None:
    """Something skipped or ignored, and the command goes on: one line on stderr."""
    typer.echo(f"warning: {message}", err=True)


def write_parquet(table: Any, path: Path) -> None:
    """Write a parquet table; a path that cannot be written is a one-line error."""
    try:
        table.write_parquet(path)
    except OSError as error:
        fail(f"{path}: cannot write: {error.strerror or error}")


def writable(folder: Path) -> Path:
    """A folder the command will write into: created if need be, checked writable."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"{folder}: cannot create the folder: {error.strerror or error}")
    if not os.access(folder, os.W_OK | os.X_OK):
        fail(f"{folder}: cannot write in this folder")
    return folder


def output_file(path: Path, suffix: str = ".parquet") -> Path:
    """Check a path the user wants written: a file, with the right suffix, folder created."""
    if path.is_dir():
        fail(f"{path} is a folder; give a file name ending in {suffix}")
    if path.suffix != suffix:
        fail(f"{path}: the file name must end in {suffix}")
    writable(path.parent)
    return path


def athlete_inputs(paths: Sequence[Path], *, say_skipped: bool = True) -> list[tuple[str, Path]]:
    """(athlete, file) for the files named and those in the inboxes' athlete folders. A file
    lying directly in an inbox belongs to nobody: one line on stderr, skipped; an inbox with
    nothing else is an error that says how an inbox is laid out. So are folders that are not
    athlete ids and symbolic links (`store.inputs.athlete_files`), unless `say_skipped` is
    off (the nightly flow says them itself)."""
    from stridewise.store.inputs import athlete_files, misplaced_files

    skipped: list[Any] = []
    files = list(athlete_files(paths, skipped.append))
    for line in (s.line for s in skipped) if say_skipped else ():
        typer.echo(line, err=True)
    misplaced = [file for path in paths if path.is_dir() for file in misplaced_files(path)]
    if misplaced and not files:
        fail(
            f"{misplaced[0].parent}: {len(misplaced)} FIT file(s) lie directly in the folder: "
            "an inbox holds one sub-folder per athlete (INBOX/<athlete_id>/**/*.fit)"
        )
    for file in misplaced:
        typer.echo(f"{file}: skipped: not in an athlete's folder (INBOX/<athlete_id>/)", err=True)
    return files


@dataclass(frozen=True)
class Decoded:
    runs: Any
    """The per-run feature table (`features.runs.RUN_FEATURE_SCHEMA`)."""
    files: int
    failed: int


def decode_runs(paths: Sequence[Path], athletes: Any, decoder: str = "numpy") -> Decoded:
    """Decode FIT files (or inboxes) into per-run features with a progress bar; each bad file
    and each duplicate is one line on stderr; no readable file at all is an error."""
    from stridewise.features.ingest import batch_features, read_runs

    files = athlete_inputs(paths)
    if not files:
        fail("no .fit files found in " + ", ".join(map(str, paths)))
    with progress() as bar:
        task = bar.add_task("decoding", total=len(files))
        batch = read_runs(files, decoder=decoder, on_file=lambda *_: bar.advance(task))
    computed = batch_features(batch, athletes)
    failures = [*batch.failures, *computed.failures]
    for path, reason in failures:
        typer.echo(f"{path}: error: {reason}", err=True)
    for path, reason in batch.not_activities:
        typer.echo(f"{path}: skipped: {reason}", err=True)
    for path, original in batch.duplicates:
        typer.echo(f"{path}: skipped: the same activity as {original}", err=True)
    if computed.runs.is_empty():
        fail("none of the files could be read")
    return Decoded(computed.runs, len(files), len(failures))
