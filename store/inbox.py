"""The watch-sync inbox: which files are there, by content, and which of them are new.

Bytes are recorded once, for the first athlete they were found for: a copy of them in another
athlete's folder (one watch synced into two folders, a file dragged into the wrong one) is a
duplicate that names the original, never a second run of someone else."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from stridewise.features.fit.activity import MAX_FILE_BYTES
from stridewise.store.inputs import Skipped, athlete_files
from stridewise.store.tables import MANIFEST_SCHEMA


@dataclass(frozen=True)
class InboxFile:
    athlete_id: str
    path: Path
    sha256: str
    size: int = 0
    """Bytes, as listed: what batching bounds (`in_batches`)."""


@dataclass(frozen=True)
class InboxScan:
    files: list[InboxFile]
    """Every FIT file of the athletes' folders, with the hash of its bytes."""
    skipped: list[Skipped]
    """What is read as nobody's (`store.inputs.athlete_files`), and files that cannot be read."""


@dataclass(frozen=True)
class Copy:
    """A file whose bytes were recorded before (or come earlier in the same night)."""

    file: InboxFile
    original: str
    """The path the bytes were first recorded from."""
    owner: str
    """The athlete they were recorded for."""

    @property
    def elsewhere(self) -> bool:
        """Whether the bytes were recorded for another athlete (not a re-synced copy)."""
        return self.owner != self.file.athlete_id

    @property
    def reason(self) -> str:
        """The manifest's reason: the original, and its athlete when it is someone else."""
        owner = f", recorded for {self.owner}" if self.elsewhere else ""
        return f"the same file as {self.original}{owner}"

    @property
    def line(self) -> str:
        return f"{self.file.path}: {self.reason}; not counted again"


def scan_inbox(inbox: Path) -> InboxScan:
    """Every FIT file of an inbox of `<athlete_id>/` folders, with the hash of its bytes."""
    files: list[InboxFile] = []
    skipped: list[Skipped] = []
    for athlete, path in athlete_files([inbox], skipped.append):
        try:
            files.append(InboxFile(athlete, path, file_sha256(path), path.stat().st_size))
        except OSError as error:  # not recorded: read again next night (permissions fixed)
            line = f"{path}: skipped: cannot read: {error.strerror or error}"
            skipped.append(Skipped("file", line))
    return InboxScan(files, skipped)


def in_batches(files: list[InboxFile], most_files: int, most_bytes: int) -> list[list[InboxFile]]:
    """`files` in order, cut into batches of at most `most_files` files and `most_bytes` bytes
    (a larger file is a batch alone): what decoding a batch holds grows with its bytes, so a
    night of large files decodes fewer at a time instead of running out of memory."""
    batches: list[list[InboxFile]] = []
    size = 0
    for file in files:
        if not batches or len(batches[-1]) == most_files or size + file.size > most_bytes:
            batches.append([])
            size = 0
        batches[-1].append(file)
        size += file.size
    return batches


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, streamed (a 200 MB file is never held whole), of the file
    itself: a link swapped in after the inbox was listed is refused (O_NOFOLLOW)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def unseen(files: list[InboxFile], manifest: pl.DataFrame) -> list[InboxFile]:
    """The files whose (hash, path) the manifest has not recorded yet, in inbox order."""
    known = set(zip(manifest["sha256"].to_list(), manifest["path"].to_list(), strict=True))
    return [f for f in files if (f.sha256, str(f.path)) not in known]


def split_copies(
    files: list[InboxFile], manifest: pl.DataFrame
) -> tuple[list[InboxFile], list[Copy]]:
    """The files whose bytes are new, and the copies: of bytes the manifest has recorded
    (`manifest`: its rows for these hashes) or of a file earlier in `files`. A copy is never
    decoded: its bytes would otherwise become a second run, of whoever's folder it lies in."""
    first: dict[str, tuple[str, str]] = {}
    for sha, path, athlete in (
        manifest.sort("seen_at", "path").select("sha256", "path", "athlete_id").iter_rows()
    ):
        first.setdefault(sha, (path, athlete))  # the earliest: copies are recorded after it
    fresh, copies = [], []
    for f in files:
        if f.sha256 in first:
            copies.append(Copy(f, *first[f.sha256]))
        else:
            first[f.sha256] = (str(f.path), f.athlete_id)
            fresh.append(f)
    return fresh, copies


def copy_rows(copies: list[Copy], seen_at: datetime) -> pl.DataFrame:
    """The manifest's rows for copies: duplicates, in the folder they lie in, naming the
    original."""
    rows = [
        (c.file.sha256, c.file.athlete_id, str(c.file.path), "duplicate", c.reason, seen_at)
        for c in copies
    ]
    return pl.DataFrame(rows, schema=MANIFEST_SCHEMA, orient="row")


def quarantine(file: InboxFile, data: Path, reason: str) -> Path:
    """Keep a file that cannot be ingested in `<data>/quarantine/<athlete>/`: a copy
    `<hash>.fit`, or, for a file over the decoder's size cap (`MAX_FILE_BYTES`: a 200 MB file
    of garbage is not worth its space twice) or one that cannot be copied, a note `<hash>.txt`
    with its path and `reason`."""
    folder = data / "quarantine" / file.athlete_id
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if file.path.stat().st_size <= MAX_FILE_BYTES:
            return Path(shutil.copyfile(file.path, folder / f"{file.sha256}.fit"))
        kept = f"not copied: over the {MAX_FILE_BYTES:,}-byte size cap"
    except OSError as error:
        kept = f"not copied: {error.strerror or error}"
    note = folder / f"{file.sha256}.txt"
    note.write_text(f"{file.path}\n{reason}\n{kept}\n", encoding="utf-8")
    return note


def manifest_rows(
    files: list[InboxFile],
    unread: dict[str, tuple[str, str]],
    runs: pl.DataFrame,
    owners: dict[str, str],
    recorded: set[str],
    seen_at: datetime,
) -> pl.DataFrame:
    """The manifest's rows for new files: quarantined (with the decoder's reason) or not an
    activity (a workout, a course...: readable, nothing to ingest), duplicate (an activity
    already ingested, or a copy of a file recorded before it), ingested, or not running (kept
    as cross-training).
    `unread`: path -> (status, reason) of the files that gave no activity; `runs`: the files'
    decoded activities (run_id, sha256, is_running); `owners`: run_id -> hash of the file the
    runs table holds it from; `recorded`: hashes the manifest has."""
    activities = runs.select("run_id", "sha256", "is_running").rows()
    ingested = {sha for run, sha, _ in activities if owners[run] == sha}
    running = {sha for _, sha, is_running in activities if is_running}
    rows, claimed = [], set(recorded)
    for f in files:
        path = str(f.path)
        if path in unread:
            status, reason = unread[path]
        elif f.sha256 not in ingested or f.sha256 in claimed:
            status, reason = "duplicate", "the same activity is already ingested"
        elif f.sha256 in running:
            status, reason = "ingested", None
        else:
            status, reason = "not_running", "no running in it: kept as cross-training"
        claimed.add(f.sha256)
        rows.append((f.sha256, f.athlete_id, path, status, reason, seen_at))
    return pl.DataFrame(rows, schema=MANIFEST_SCHEMA, orient="row")
