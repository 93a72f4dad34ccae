"""The watch-sync inbox: which files are there, by content, and which of them are new."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from stridewise.store.inputs import athlete_files
from stridewise.store.tables import MANIFEST_SCHEMA


@dataclass(frozen=True)
class InboxFile:
    athlete_id: str
    path: Path
    sha256: str


def scan_inbox(inbox: Path) -> list[InboxFile]:
    """Every FIT file of an inbox of `<athlete_id>/` folders, with the hash of its bytes."""
    return [
        InboxFile(athlete, path, hashlib.sha256(path.read_bytes()).hexdigest())
        for athlete, path in athlete_files([inbox])
    ]


def unseen(files: list[InboxFile], manifest: pl.DataFrame) -> list[InboxFile]:
    """The files whose (hash, path) the manifest has not recorded yet, in inbox order."""
    known = set(zip(manifest["sha256"].to_list(), manifest["path"].to_list(), strict=True))
    return [f for f in files if (f.sha256, str(f.path)) not in known]


def quarantine(file: InboxFile, data: Path) -> Path:
    """Copy a file that cannot be ingested to `<data>/quarantine/<athlete>/<hash>.fit`."""
    target = data / "quarantine" / file.athlete_id / f"{file.sha256}.fit"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(file.path, target)
    return target


def manifest_rows(
    files: list[InboxFile],
    failures: dict[str, str],
    runs: pl.DataFrame,
    owners: dict[str, str],
    recorded: set[str],
    seen_at: datetime,
) -> pl.DataFrame:
    """The manifest's rows for new files: quarantined (with the decoder's reason), duplicate
    (an activity already ingested, or a copy of a file recorded before it), ingested, or not
    running (kept as cross-training).
    `runs`: the files' decoded activities (run_id, sha256, is_running); `owners`: run_id ->
    hash of the file the runs table holds it from; `recorded`: hashes the manifest has."""
    activities = runs.select("run_id", "sha256", "is_running").rows()
    ingested = {sha for run, sha, _ in activities if owners[run] == sha}
    running = {sha for _, sha, is_running in activities if is_running}
    rows, claimed = [], set(recorded)
    for f in files:
        path = str(f.path)
        if path in failures:
            status, reason = "quarantined", failures[path]
        elif f.sha256 not in ingested or f.sha256 in claimed:
            status, reason = "duplicate", "the same activity is already ingested"
        elif f.sha256 in running:
            status, reason = "ingested", None
        else:
            status, reason = "not_running", "no running in it: kept as cross-training"
        claimed.add(f.sha256)
        rows.append((f.sha256, f.athlete_id, path, status, reason, seen_at))
    return pl.DataFrame(rows, schema=MANIFEST_SCHEMA, orient="row")
