"""Delta tables under `<data>/tables/`, each with the key a merge matches on.

Days and scores are written by merges keyed by the table's key (an athlete-day), runs and
files by appends of keys the table does not hold (a run, a file's hash, which the writer
reads first), so writing the same rows twice changes no row. A reader always sees one
committed version: Delta commits are atomic, and a crash before a commit leaves only files
no version names (the next vacuum removes them).

Every table is clustered by athlete: it is written and compacted in athlete order, so each
data file holds a narrow range of athlete ids, which its statistics record, and reading or
merging some athletes' rows (a shard of the nightly flow, an athlete's page) skips the other
athletes' files.
"""

from __future__ import annotations

import fcntl
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import polars.selectors as cs
from deltalake import DeltaTable
from deltalake.exceptions import CommitFailedError

from stridewise.features.daily import DAY_SCHEMA
from stridewise.features.runs import RUN_FEATURE_SCHEMA
from stridewise.models.team import SCORE_SCHEMA
from stridewise.store.inputs import ATHLETE_ID

MANIFEST_SCHEMA: dict[str, pl.DataType] = {
    "sha256": pl.String(),
    "athlete_id": pl.String(),
    "path": pl.String(),
    "status": pl.String(),
    "reason": pl.String(),
    "seen_at": pl.Datetime("us", "UTC"),
}
"""Every file ever seen, by the hash of its bytes: ingested, duplicate, not running or
quarantined, with the reason."""


@dataclass(frozen=True)
class TableSpec:
    keys: tuple[str, ...]
    schema: dict[str, pl.DataType]


TABLES: dict[str, TableSpec] = {
    "manifest": TableSpec(("sha256", "path"), MANIFEST_SCHEMA),
    "runs": TableSpec(("run_id",), RUN_FEATURE_SCHEMA),
    "athlete_days": TableSpec(("athlete_id", "local_date"), DAY_SCHEMA),
    "scores": TableSpec(("athlete_id", "date"), SCORE_SCHEMA),
}

FILE_BYTES = 4 << 20
"""Target size of a data file: small enough that a shard of athletes reads a few files of a
clustered table, large enough that a whole-table read opens few (a year of 1,000 athletes'
days is about 20 files)."""
COMPACT_AFTER_FILES = 32
"""A table with more small data files (under half the target size) than this is compacted,
and clustered again: every write adds a few, each spanning many athletes."""
MERGE_ATTEMPTS = 5
"""Tries of a merge that another writer beat to the commit (each on the version it left)."""
KEEP_OLD_FILES_HOURS = 7 * 24
"""Files that no version of the last week needs are deleted after a compaction (a reader
holding an older snapshot for longer is not expected)."""

_SHA256 = re.compile(r"^[0-9a-f]{64}\Z")
"""A file's hash as the manifest keeps it: safe inside a quoted table predicate."""

_FORGET_PROPERTIES = {"delta.logRetentionDuration": "interval 0 days"}
"""Set before erasing an athlete, so that cleaning the log drops the commits that named them
(commit files carry column statistics: the minimum and maximum athlete id of each file)."""


@dataclass(frozen=True)
class Store:
    """The tables of one data directory."""

    root: Path

    def path(self, name: str) -> Path:
        return self.root / "tables" / name

    def exists(self, name: str) -> bool:
        """Whether the table has a committed version (a process killed while creating it
        leaves a log folder with no commit in it)."""
        log = self.path(name) / "_delta_log"
        return any(log.glob("*.json")) or any(log.glob("*.checkpoint.parquet"))

    def scan(
        self, name: str, athletes: list[str] | None = None, columns: list[str] | None = None
    ) -> pl.LazyFrame:
        """The table's latest committed version, lazily (empty, with its schema, before any
        write), optionally only some athletes' rows and some columns. A column added to the
        schema since the table was written reads as null until a write brings it."""
        schema = TABLES[name].schema
        if columns is not None:
            schema = {c: schema[c] for c in columns}
        if not self.exists(name):
            return pl.LazyFrame(schema=schema)
        scan = pl.scan_delta(self.path(name))
        if athletes is not None:
            scan = scan.filter(pl.col("athlete_id").is_in(athletes))
        stored = set(scan.collect_schema().names())
        return scan.select(
            (pl.col(c) if c in stored else pl.lit(None)).cast(t).alias(c) for c, t in schema.items()
        )

    def read(
        self, name: str, athletes: list[str] | None = None, columns: list[str] | None = None
    ) -> pl.DataFrame:
        """`scan`, collected."""
        return self.scan(name, athletes, columns).collect()

    def having(
        self,
        name: str,
        column: str,
        values: pl.Series,
        columns: list[str],
        athletes: list[str] | None = None,
    ) -> pl.DataFrame:
        """`columns` of the rows whose `column` is one of `values` (optionally among some
        athletes' rows): the keys a writer looks up, streamed, never the whole table."""
        return (
            self.scan(name, athletes, columns)
            .filter(pl.col(column).is_in(values.implode()))
            .collect(engine="streaming")
        )

    def version_stamp(self, name: str) -> int | None:
        """Changes whenever a version is committed (the log folder's modification time: a
        commit adds a file to it), for caches to check in a microsecond."""
        try:
            return (self.path(name) / "_delta_log").stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def merge(self, name: str, rows: pl.DataFrame) -> None:
        """Insert `rows`, replacing the rows with the same key. Two processes may write one
        table (the nightly flow and the dashboard's scores): they take turns, and a merge
        that still loses the race to commit (another tool writing) is merged again on the
        new version, as a keyed merge can be."""
        rows = self._typed(name, rows)
        with self._writing(name):
            if not self.exists(name):
                self._create(name, rows)
                return
            self._merge(name, rows)

    def _create(self, name: str, rows: pl.DataFrame) -> None:
        """The table's first version, in files of the target size, which the table records
        for every later writer (merges, compaction)."""
        rows.write_delta(
            self.path(name),
            delta_write_options={
                "target_file_size": FILE_BYTES,
                "configuration": {"delta.targetFileSize": str(FILE_BYTES)},
            },
        )

    @staticmethod
    def _typed(name: str, rows: pl.DataFrame) -> pl.DataFrame:
        """The table's columns in its types (Delta has no enums: they are stored as strings),
        in athlete order (so that the files a write adds cover few athletes each)."""
        return rows.select(
            pl.col(c).cast(pl.String if isinstance(t, pl.Enum) else t)
            for c, t in TABLES[name].schema.items()
        ).sort("athlete_id", *TABLES[name].keys)

    def append(self, name: str, rows: pl.DataFrame) -> None:
        """Add `rows` whose keys the table does not hold (the caller knows it: a merge would
        read the table to find out). Cheaper than a merge by the size of the table."""
        with self._writing(name):
            self._typed(name, rows).write_delta(
                self.path(name), mode="append", delta_write_options={"schema_mode": "merge"}
            )

    def ingesting(self) -> AbstractContextManager[None]:
        """One ingest at a time (a manual night while a scheduled one runs): what the store
        holds is read once and appended to, which a second writer would make stale."""
        return self._writing("ingest")

    @contextmanager
    def _writing(self, name: str) -> Iterator[None]:
        """One writer of a table at a time across processes (the nightly flow, each dashboard
        process): Delta rejects the later of two concurrent commits, and a busy dashboard
        could starve the night's merge. An advisory lock next to the table: a local or
        network file system; object storage needs Delta's own locking (docs/operations.md)."""
        folder = self.path(name).parent
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / f".{name}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _merge(self, name: str, rows: pl.DataFrame) -> None:
        on = " AND ".join(f"s.{k} = t.{k}" for k in TABLES[name].keys)
        if rows.height:  # the rows' athletes, for the merge to skip the files of others
            ids = rows["athlete_id"]
            first, last = _athlete(ids.min()), _athlete(ids.max())
            on += f" AND t.athlete_id >= '{first}' AND t.athlete_id <= '{last}'"
        path = self.path(name)
        for attempt in range(1, MERGE_ATTEMPTS + 1):
            try:
                (
                    rows.write_delta(
                        path,
                        mode="merge",
                        delta_merge_options={
                            "predicate": on,
                            "source_alias": "s",
                            "target_alias": "t",
                            "merge_schema": True,  # a column added since the table was made
                        },
                    )
                    .when_matched_update_all()
                    .when_not_matched_insert_all()
                    .execute()
                )
                return
            except CommitFailedError:
                if attempt == MERGE_ATTEMPTS:
                    raise
                time.sleep(0.2 * attempt)  # another writer committed first: merge again

    def compact(self, name: str) -> bool:
        """Rewrite a table of many small files into few (same rows, one new version), in
        athlete order, then delete the files only old versions used; whether it did."""
        if not self.exists(name):
            return False
        with self._writing(name):
            table = DeltaTable(self.path(name))
            sizes = pl.DataFrame(table.get_add_actions(flatten=True))["size_bytes"]
            if (sizes < FILE_BYTES // 2).sum() <= COMPACT_AFTER_FILES:
                return False
            table.optimize.z_order(["athlete_id"], target_size=FILE_BYTES)
            table.vacuum(
                retention_hours=KEEP_OLD_FILES_HOURS,
                enforce_retention_duration=False,
                dry_run=False,
            )
        return True

    def forget(self, athlete_id: str, hashes: Sequence[str] = ()) -> None:
        """Erase an athlete's rows from every table, and every old version that held them; in
        the manifest also the rows of `hashes` (their files' copies in other folders, whose
        reason names them, and which would otherwise keep their bytes from being recorded)."""
        _athlete(athlete_id)
        if not all(_SHA256.match(sha) for sha in hashes):
            raise ValueError("not a sha256 among the hashes to forget")
        for name in filter(self.exists, TABLES):
            path = self.path(name)
            table = DeltaTable(path)
            predicate = f"athlete_id = '{athlete_id}'"
            if name == "manifest" and hashes:
                predicate += " OR sha256 IN (" + ", ".join(f"'{sha}'" for sha in hashes) + ")"
            table.delete(predicate)
            table.alter.set_table_properties(_FORGET_PROPERTIES)
            table = DeltaTable(path)
            table.create_checkpoint()
            table.cleanup_metadata()
            table.vacuum(
                retention_hours=0, enforce_retention_duration=False, dry_run=False, full=True
            )


def _athlete(athlete_id: str) -> str:
    """An athlete id checked to be one (ATHLETE_ID: safe inside a quoted table predicate)."""
    if not ATHLETE_ID.match(athlete_id):
        raise ValueError(f"not an athlete id: {athlete_id!r}")
    return athlete_id


def changed_rows(rows: pl.DataFrame, held: pl.DataFrame) -> pl.DataFrame:
    """The rows of `rows` that `held` lacks, or holds with other values: what a merge must
    write when a night recomputes an athlete's whole history and a few days changed. Floats
    are compared to 12 significant digits (a rolling sum recomputed over another span differs
    in its last bits, which is no change)."""

    def comparable(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(rows.columns).with_columns(cs.float().round_sig_figs(12))

    same = (
        comparable(rows)
        .with_row_index("row")
        .join(comparable(held), on=rows.columns, how="semi", nulls_equal=True)
    )
    return rows.with_row_index("row").join(same.select("row"), on="row", how="anti").drop("row")
