"""Nightly: ingest what is new in the watch-sync inbox, update load histories, score the team.

Tasks are units of work a run can retry and observe: hashing the inbox, decoding one batch of
files, recording a group of batches, updating the days and scoring a shard of athletes. The
rows themselves are computed by the pure code of `features/` and `models/`. Recording a group
reads of the store only what it needs, by key (whether its runs and files are there already),
so that it costs the group, not the history: new runs are appended, then the group's files
are appended to the manifest, last. A run killed at any point leaves the tables readable, and
the next one decodes the unrecorded files again, appends only what is still missing, then
brings up to date every athlete whose days no longer match their runs (keyed merges). The
flow's own process holds the night's new files and per-athlete counts, never a table's
history: each shard of athletes reads and writes its athletes' rows, in a worker on Dask.
"""

# No `from __future__ import annotations`: a served run validates its parameters against a
# model Prefect builds from these annotations, which must then be types, not strings.
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from prefect import Flow, flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from stridewise.features.daily import athlete_days
from stridewise.features.ingest import batch_features, read_runs
from stridewise.flows.artifacts import flagged_rows, team_report
from stridewise.flows.notify import Delivery, send_digests
from stridewise.flows.progress import report
from stridewise.models.assess import Assessment
from stridewise.models.bundle import load
from stridewise.models.rules import load_rules
from stridewise.models.team import active_athletes, athletes_to_update, score_rows, score_team
from stridewise.store.app_db import app_database
from stridewise.store.days import data_days, day_outside, widened
from stridewise.store.inbox import (
    Copy,
    InboxFile,
    copy_rows,
    in_batches,
    manifest_rows,
    quarantine,
    scan_inbox,
    split_copies,
    unseen,
)
from stridewise.store.inputs import (
    Skipped,
    default_roster,
    injury_history,
    misplaced_files,
    read_roster,
    read_teams,
)
from stridewise.store.registry import current_model
from stridewise.store.tables import TABLES, Store, changed_rows

BATCH_FILES = 50
"""Files per decoding task: enough to amortise a task's overhead, few enough to spread."""
BATCH_BYTES = 2 << 20
"""Bytes of files per decoding task at most: a file the decoder's limits accept can make it
and the features hold ~400 MB per MiB (a million one-byte records), so a batch is bounded by
bytes too (under 1 GB at worst, two at once). Real running files are 20-400 kB (median
58 kB in the corpus): 5 to 50 files a batch."""
SHARD_ATHLETES = 100
"""Athletes per task of days and scores: enough to amortise a task, few enough that a night
of thousands of athletes spreads over the workers and each holds only its shard's rows."""
CALENDAR_COLUMNS = ("athlete_id", "local_date", "runs", "activities")
"""What deciding whose days to update reads of the athlete-day table (streamed into counts
per athlete: the flow's process never holds the table)."""
WRITE_FILES = 1000
"""Files recorded per write: each append adds files to the tables and a commit to their log,
so fewer, larger groups keep a backfill's tables few-filed; a crash redoes at most one."""
DECODE_WORKERS = 2
"""Threads decoding at once (DESIGN §3: bounded, never the unbounded default)."""


@dataclass(frozen=True)
class DecodedBatch:
    runs: pl.DataFrame
    """Per-run features of the batch's activities (duplicates within the batch dropped)."""
    failures: dict[str, str]
    """Path -> why the file could not be decoded."""
    not_activities: dict[str, str]
    """Path -> what a readable file that records no activity is (a workout, a course...)."""


@dataclass(frozen=True)
class Night:
    """What a run did: the final state's message says it in one line."""

    assessments: list[Assessment]
    files: dict[str, int]
    """New files by status (ingested, duplicate, not_running, not_activity, quarantined)."""
    quarantined: list[tuple[str, str]]
    """(path, reason) of each new file that could not be read."""
    span: tuple[date, date] | None
    """The first and last day with an activity in the store (None: none yet)."""
    misplaced: int = 0
    """FIT files lying directly in the inbox, outside every athlete's folder: not ingested."""
    deliveries: tuple[Delivery, ...] = ()
    """What each coach with a notification target was sent."""
    refused: str | None = None
    """Why the night wrote nothing: `as_of` lies outside the data's days, new files included."""
    skipped: tuple[Skipped, ...] = ()
    """What the inbox holds that was read as nobody's: folders that are not athlete ids,
    symbolic links, unreadable files (not recorded: looked at again next night)."""
    copies: tuple[str, ...] = ()
    """One line per new file whose bytes were recorded for another athlete."""

    def summary(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.files.items()))
        flagged = sum(a.alert for a in self.assessments)
        new = sum(self.files.values())
        stray = (
            f"; {self.misplaced} file{'s' * (self.misplaced != 1)} outside the athlete "
            "folders skipped"
            if self.misplaced
            else ""
        ) + _skipped_phrase(self.skipped)
        sent = sum(d.outcome == "sent" for d in self.deliveries)
        failed = sum(d.outcome == "failed" for d in self.deliveries)
        told = (
            f"; digests to {sent} coach{'es' * (sent != 1)}"
            + (f", {failed} failed (see the settings page)" if failed else "")
            if sent or failed
            else ""
        )
        return (
            f"{new} new file{'s' * (new != 1)} ({counts or 'none'}); "
            f"{len(self.assessments)} athletes scored, {flagged} flagged{stray}{told}"
        )


SKIPPED_NOUNS = {
    "folder": ("folder whose name is not an athlete id", "folders whose names are not athlete ids"),
    "link": ("symbolic link", "symbolic links"),
    "file": ("unreadable file", "unreadable files"),
}
"""How the summary counts each kind of `Skipped` (one, several)."""


def _skipped_phrase(skipped: tuple[Skipped, ...]) -> str:
    """"; skipped: 2 folders whose names are not athlete ids, 1 symbolic link", or nothing."""
    kinds = Counter(s.kind for s in skipped)
    counted = [f"{n} {SKIPPED_NOUNS[kind][n != 1]}" for kind, n in sorted(kinds.items())]
    return "; skipped: " + ", ".join(counted) if counted else ""


@dataclass(frozen=True)
class NewFiles:
    files: list[InboxFile]
    """Files the manifest has not recorded, whose bytes are new: to decode."""
    copies: list[Copy]
    """Files the manifest has not recorded, whose bytes it has (or an earlier file has)."""
    skipped: list[Skipped]
    """What the inbox holds that is read as nobody's."""


@task(cache_policy=NO_CACHE)
def find_new_files(inbox: Path, store: Store) -> NewFiles:
    """Hash the inbox and keep the files the manifest has not recorded, copies set apart."""
    scan = scan_inbox(inbox)
    entries = manifest_entries(store, scan.files)
    files, copies = split_copies(unseen(scan.files, entries), entries)
    return NewFiles(files, copies, scan.skipped)


def manifest_entries(store: Store, files: list[InboxFile]) -> pl.DataFrame:
    """The manifest's rows of these files' hashes, in any athlete's folder (a copy of a
    recorded file is a duplicate wherever it lies): its key, who and when, read for them."""
    hashes = pl.Series([f.sha256 for f in files], dtype=pl.String)
    columns = ["sha256", "path", "athlete_id", "seen_at"]
    return store.having("manifest", "sha256", hashes, columns)


@task(cache_policy=NO_CACHE)
def decode_batch(files: list[InboxFile], roster: pl.DataFrame | None) -> DecodedBatch:
    """Decode one batch of files into per-run features; a file that fails at any step is
    collected with its reason (quarantined), the others go on."""
    batch = read_runs([(f.athlete_id, f.path) for f in files])
    computed = batch_features(batch, roster)
    failures = [*batch.failures, *computed.failures]
    return DecodedBatch(
        computed.runs,
        {str(path): reason for path, reason in failures},
        {str(path): reason for path, reason in batch.not_activities},
    )


@task(cache_policy=NO_CACHE)
def record_group(
    store: Store, data: Path, files: list[InboxFile], batches: list[DecodedBatch]
) -> pl.DataFrame:
    """Append a group's new activities to the runs table, quarantine its bad files, then
    append every file of it to the manifest: a run stopped after this group resumes at the
    next one, and one killed inside it decodes the group again and appends what is still
    missing (what is there already is read by the group's keys)."""
    decoded = pl.concat([b.runs for b in batches]).unique(
        "run_id", keep="first", maintain_order=True
    )
    failures = {path: reason for b in batches for path, reason in b.failures.items()}
    unread = {p: ("not_activity", why) for b in batches for p, why in b.not_activities.items()}
    unread |= {path: ("quarantined", reason) for path, reason in failures.items()}
    athletes = decoded["athlete_id"].unique().to_list()
    held = store.having("runs", "run_id", decoded["run_id"], ["run_id", "sha256"], athletes)
    owners = dict(held.iter_rows())  # run_id -> hash of the file the runs table has it from
    fresh = decoded.filter(~pl.col("run_id").is_in(held["run_id"].implode()))
    if fresh.height:
        store.append("runs", fresh)
        owners.update(zip(fresh["run_id"], fresh["sha256"], strict=True))
    for f in files:
        if str(f.path) in failures:
            quarantine(f, data, failures[str(f.path)])
    entries = manifest_entries(store, files)  # a night that waited for another one's lock
    unrecorded = unseen(files, entries)  # skips what that one recorded
    now = datetime.now(UTC)
    rows = manifest_rows(unrecorded, unread, decoded, owners, set(entries["sha256"]), now)
    if rows.height:
        store.append("manifest", rows)
    return rows


@task(cache_policy=NO_CACHE)
def record_copies(store: Store, copies: list[Copy]) -> pl.DataFrame:
    """Append the night's copies to the manifest as duplicates naming their originals, once
    the groups that hold those are recorded (a run killed before redoes it: the copies are
    then copies of recorded files)."""
    files = [c.file for c in copies]
    unrecorded = set(unseen(files, manifest_entries(store, files)))  # a night that waited
    rows = copy_rows([c for c in copies if c.file in unrecorded], datetime.now(UTC))
    if rows.height:
        store.append("manifest", rows)
    return rows


@task(cache_policy=NO_CACHE)
def days_and_scores(
    store: Store, athletes: list[str], stale: list[str], as_of: date, injuries: pl.DataFrame
) -> list[Assessment]:
    """One shard of athletes: recompute the athlete-days of its `stale` ones up to `as_of`,
    then score its active ones on `as_of`. It reads and writes its athletes' rows only, so
    shards spread over the task runner's workers (a Dask cluster's too). Only the days that
    changed are written (a night adds one to a history of hundreds)."""
    days = store.read("athlete_days", athletes=athletes)
    if stale:
        computed = athlete_days(store.read("runs", athletes=stale), until=as_of)
        changed = changed_rows(computed, days)
        if changed.height:
            store.merge("athlete_days", changed)
            keys = list(TABLES["athlete_days"].keys)
            days = pl.concat([days.join(changed, on=keys, how="anti"), changed])
    assessments = score_team(days, injuries, load(current_model(store.root)), load_rules(), as_of)
    if assessments:
        store.merge("scores", score_rows(assessments))
    return assessments


def as_of_refused(
    as_of: date | None, store: Store, decoded: Callable[[], list[DecodedBatch]]
) -> str | None:
    """Why `as_of` cannot be scored, or None. A day outside the store's days is checked
    against the new files' days too, once they are all decoded (`decoded` waits for them)
    and before any table is written: the command line has refused at once what it could
    without decoding (a day after today, or no new file)."""
    if as_of is None:
        return None
    stored = data_days(store).span
    if day_outside("as-of", as_of, stored, date.today()) is None:
        return None
    days = [b.runs["local_date"] for b in decoded()]
    span = widened(stored, pl.concat(days) if days else pl.Series([], dtype=pl.Date))
    return day_outside("as-of", as_of, span, date.today())


@task(cache_policy=NO_CACHE)
def compact(store: Store) -> list[str]:
    """Compact the tables that merges have left in many small files (DESIGN §2)."""
    return [name for name in TABLES if store.compact(name)]


@task(cache_policy=NO_CACHE)
def publish(night: Night, as_of: date | None, roster: Path | None) -> None:
    """The team report and the table of flagged athletes, as Prefect artifacts."""
    teams = read_teams(roster)
    report = team_report(night.assessments, night.summary(), as_of, teams)
    create_markdown_artifact(report, key="team-report")
    create_table_artifact(flagged_rows(night.assessments, teams), key="flagged-athletes")


@task(cache_policy=NO_CACHE)
def notify(
    data: Path, night: Night, as_of: date, roster: Path | None, dashboard_url: str | None
) -> list[Delivery]:
    """Each coach's digest, once every table of the night is written; never fails the run."""
    with app_database(data) as engine:
        deliveries = send_digests(
            engine, data, night.assessments, read_teams(roster), as_of, dashboard_url
        )
    logger = get_run_logger()
    for outcome, n in sorted(Counter(d.outcome for d in deliveries).items()):
        logger.info("digests: %d %s", n, outcome)
    return deliveries


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
    batch_files: int = BATCH_FILES,
    dashboard_url: str | None = None,
    write_files: int = WRITE_FILES,
) -> State[Night]:
    """Ingest the inbox's new files, update the athletes whose runs changed, score the team
    on `as_of` (default: the last day with data), publish, and send each coach with a target
    their digest (links to `dashboard_url`). Files are decoded `batch_files` to a task and
    recorded `write_files` at a time. The roster defaults to the data directory's,
    else the inbox's `roster.csv`; the injury log to the data directory's. Calling it
    returns the `Night`; its final state's message sums it up."""
    store = Store(data)
    roster = roster or default_roster(data, inbox)
    new = find_new_files(inbox, store)
    files, total = new.files, len(new.files) + len(new.copies)
    batches = in_batches(files, batch_files, BATCH_BYTES)
    athletes = read_roster(roster) if roster else None
    decoding = decode_batch.map(batches, roster=unmapped(athletes))
    statuses: Counter[str] = Counter()
    quarantined: list[tuple[str, str]] = []
    report(0, total)
    refused = as_of_refused(as_of, store, lambda: [f.result() for f in decoding])
    if refused:
        return Completed(message=refused, data=Night([], {}, [], None, refused=refused))
    per_write = max(1, write_files // batch_files)
    with store.ingesting():
        for first in range(0, len(batches), per_write):
            group = slice(first, first + per_write)
            group_files = [f for batch in batches[group] for f in batch]
            decoded = [future.result() for future in decoding[group]]
            recorded = record_group(store, data, group_files, quote(decoded))
            statuses.update(recorded["status"].to_list())
            quarantined += recorded.filter(status="quarantined").select("path", "reason").rows()
            report(statuses.total(), total)
            get_run_logger().info("%d of %d new files recorded", statuses.total(), total)
        copied = record_copies(store, quote(new.copies))
        statuses.update(copied["status"].to_list())
        report(statuses.total(), total)
    runs = store.scan("runs", columns=["athlete_id", "local_date"])
    first, last = (
        runs.select(
            pl.col("local_date").min().alias("first"), pl.col("local_date").max().alias("last")
        )
        .collect(engine="streaming")
        .row(0)
    )
    day = as_of or last
    assessments: list[Assessment] = []
    if day is not None:  # None: no activity was ever read, nothing to score
        calendar = store.scan("athlete_days", columns=list(CALENDAR_COLUMNS))
        stale = athletes_to_update(runs, calendar, day)
        scored = sorted({*stale, *active_athletes(calendar, day)})
        shards = [scored[i : i + SHARD_ATHLETES] for i in range(0, len(scored), SHARD_ATHLETES)]
        work = days_and_scores.map(
            unmapped(store),
            shards,
            [sorted(set(stale) & set(shard)) for shard in shards],
            as_of=unmapped(day),
            injuries=unmapped(injury_history(data, injuries)),
        )
        assessments = sorted(
            (a for shard in work.result() for a in shard), key=lambda a: -a.probability
        )
    compact(store)
    span = (first, last) if last else None
    recorded_copies = set(copied["path"])
    shared = tuple(
        c.line for c in new.copies if c.elsewhere and str(c.file.path) in recorded_copies
    )
    night = Night(
        assessments,
        dict(statuses),
        quarantined,
        span,
        len(misplaced_files(inbox)),
        skipped=tuple(new.skipped),
        copies=shared,
    )
    publish(quote(night), day, roster)
    if day is not None:
        sent = notify(data, quote(night), day, roster, dashboard_url)
        night = replace(night, deliveries=tuple(sent))
    return Completed(message=night.summary(), data=night)


def on_dask(address: str) -> Flow[..., State[Night]]:
    """The nightly flow with its decoding, and its days and scores by shard of athletes, on an
    existing Dask cluster (DESIGN §3); recording the files stays in the flow's process. The
    workers must reach the data directory at the same path (tables are locked per write)."""
    from prefect_dask import DaskTaskRunner

    return nightly.with_options(task_runner=DaskTaskRunner(address=address))
