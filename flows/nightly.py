"""Nightly: ingest what is new in the watch-sync inbox, update load histories, score the team.

Tasks are units of work a run can retry and observe: hashing the inbox, decoding one batch of
files, writing one table, scoring the team. The rows themselves are computed by the pure code
of `features/` and `models/`. Writes are keyed merges into Delta tables (`store/`), the
manifest last: a run killed at any point leaves the tables readable, and the next run, seeing
the files still unrecorded, ingests them again into the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, task, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from features.daily import athlete_days
from features.ingest import read_runs
from features.runs import run_features
from models.assess import Assessment
from models.bundle import load
from models.rules import load_rules
from models.team import active_athletes, score_rows, score_team
from store.inbox import InboxFile, manifest_rows, quarantine, scan_inbox, unseen
from store.tables import Store
from stridewise.inputs import injury_log, read_roster

BATCH_FILES = 50
"""Files per decoding task: enough to amortise a task's overhead, few enough to spread."""
DECODE_WORKERS = 2
"""Threads decoding at once (DESIGN §3: bounded, never the unbounded default)."""


@dataclass(frozen=True)
class DecodedBatch:
    runs: pl.DataFrame
    """Per-run features of the batch's activities (duplicates within the batch dropped)."""
    failures: dict[str, str]
    """Path -> why the file could not be decoded."""


@task(cache_policy=NO_CACHE)
def find_new_files(inbox: Path, store: Store) -> list[InboxFile]:
    """Hash the inbox and keep the files the manifest has not recorded."""
    return unseen(scan_inbox(inbox), store.read("manifest"))


@task(cache_policy=NO_CACHE)
def decode_batch(files: list[InboxFile], roster: pl.DataFrame | None) -> DecodedBatch:
    """Decode one batch of files into per-run features; bad files are collected."""
    batch = read_runs([(f.athlete_id, f.path) for f in files])
    return DecodedBatch(
        run_features(batch.records, batch.runs, roster),
        {str(path): reason for path, reason in batch.failures},
    )


@task(cache_policy=NO_CACHE)
def write_runs(store: Store, runs: pl.DataFrame) -> list[str]:
    """Merge new activities into the runs table; the athletes they belong to."""
    if runs.height:
        store.merge("runs", runs)
    return sorted(runs["athlete_id"].unique().to_list())


@task(cache_policy=NO_CACHE)
def update_days(store: Store, athletes: list[str], as_of: date) -> pl.DataFrame:
    """Recompute the athlete-day rows of `athletes` up to `as_of` and merge them; returns
    the whole athlete-day table as of now."""
    if athletes:
        days = athlete_days(store.read("runs", athletes=athletes), until=as_of)
        store.merge("athlete_days", days)
    return store.read("athlete_days")


@task(cache_policy=NO_CACHE)
def score(store: Store, days: pl.DataFrame, injuries: pl.DataFrame, as_of: date) -> list[Any]:
    """Score every active athlete on `as_of` and merge the scores."""
    assessments = score_team(days, injuries, load(), load_rules(), as_of)
    if assessments:
        store.merge("scores", score_rows(assessments))
    return assessments


@task(cache_policy=NO_CACHE)
def record_files(
    store: Store,
    data: Path,
    files: list[InboxFile],
    decoded: list[DecodedBatch],
    fresh: pl.DataFrame,
) -> pl.DataFrame:
    """Quarantine the files that failed and record every new file in the manifest (last, so
    that a crash before it only means the files are ingested again, into the same keys)."""
    failures = {path: reason for b in decoded for path, reason in b.failures.items()}
    for f in files:
        if str(f.path) in failures:
            quarantine(f, data)
    running = set(fresh.filter("is_running")["sha256"].to_list())
    manifest = manifest_rows(
        files, failures, set(fresh["sha256"].to_list()), running, datetime.now(UTC)
    )
    if manifest.height:
        store.merge("manifest", manifest)
    return manifest


@task(cache_policy=NO_CACHE)
def publish(assessments: list[Assessment], manifest: pl.DataFrame, as_of: date | None) -> None:
    """The team report and the table of flagged athletes, as Prefect artifacts."""
    counts = manifest["status"].value_counts(sort=True).rows() if manifest.height else []
    flagged = [a for a in assessments if a.tier != "low"]
    lines = [
        f"# Hip overuse risk, {as_of or 'no activity read yet'}",
        "",
        "Files: " + (", ".join(f"{n} {s}" for s, n in counts) or "none new"),
        f"Athletes scored: {len(assessments)}; flagged: {len(flagged)}",
        "",
        "| athlete | tier | probability | top driver |",
        "|---|---|---:|---|",
        *(
            f"| {a.athlete_id} | {a.tier} | {a.probability:.1%} | "
            f"{a.drivers[0].text if a.drivers else '—'} |"
            for a in assessments
        ),
    ]
    create_markdown_artifact("\n".join(lines), key="team-report")
    create_table_artifact(
        [
            {
                "athlete": a.athlete_id,
                "tier": a.tier,
                "probability": round(a.probability, 4),
                "top driver": a.drivers[0].text if a.drivers else "",
                "rest": a.recommendation["rest"]["text"],
                "warm-up": a.recommendation["warmup"]["content"],
            }
            for a in flagged
        ],
        key="flagged-athletes",
    )


def _new_activities(decoded: list[DecodedBatch], known: pl.DataFrame) -> pl.DataFrame:
    """The batches' activities not in the store yet, each once."""
    if not decoded:
        return known.head(0)
    runs = pl.concat([b.runs for b in decoded]).unique("run_id", keep="first", maintain_order=True)
    return runs.filter(~pl.col("run_id").is_in(known["run_id"].implode()))


def _out_of_date(days: pl.DataFrame, as_of: date) -> list[str]:
    """Active athletes whose days stop before `as_of` (rest days to add)."""
    last = days.group_by("athlete_id").agg(pl.col("local_date").max())
    behind = set(last.filter(pl.col("local_date") < as_of)["athlete_id"].to_list())
    return [a for a in active_athletes(days, as_of) if a in behind]


@flow(
    name="nightly",
    flow_run_name="nightly-{inbox}",
    task_runner=ThreadPoolTaskRunner(max_workers=DECODE_WORKERS),
)
def nightly(
    inbox: Path,
    data: Path,
    as_of: date | None = None,
    roster: Path | None = None,
    injuries: Path | None = None,
) -> list[Assessment]:
    """Ingest the inbox's new files, update the athletes they touch, score the team on
    `as_of` (default: the last day with data)."""
    store = Store(data)
    files = find_new_files(inbox, store)
    batches = [files[i : i + BATCH_FILES] for i in range(0, len(files), BATCH_FILES)]
    athletes = read_roster(roster) if roster else None
    decoded = [f.result() for f in decode_batch.map(batches, roster=unmapped(athletes))]
    fresh = _new_activities(decoded, store.read("runs"))
    touched = write_runs(store, fresh)
    day = as_of or store.read("runs")["local_date"].max()
    assessments = []
    if day is not None:  # None: no activity was ever read, nothing to score
        behind = _out_of_date(store.read("athlete_days"), day)
        days = update_days(store, sorted({*touched, *behind}), day)
        assessments = score(store, days, injury_log(injuries), day)
    manifest = record_files(store, data, files, decoded, fresh)
    publish(assessments, manifest, day)
    return assessments
