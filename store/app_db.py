"""The app database: what people write (coach accounts and their teams, sessions, the injuries
coaches log, their acknowledgements, notification targets) and what the digests told whom,
through SQLAlchemy.

SQLite in WAL mode under the data directory by default (the dashboard writes while the nightly
flow reads), or any database by URL ($STRIDEWISE_DATABASE_URL), e.g. PostgreSQL (DESIGN §2).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from stridewise.models.labels import INJURY_SCHEMA, SEVERITIES
from stridewise.store.layout import app_database_url

metadata = MetaData()
SQLITE_CONNECTIONS = 40
"""As many as the web server's threads (anyio's default limit)."""
SQLITE_BUSY_S = 30.0
"""How long a writer waits for another's transaction (Python's default, 5 s, was too short
for 80 sign-ins at once on two busy cores: "database is locked")."""

injuries = Table(
    "injuries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", String, nullable=False, index=True),
    Column("onset_date", Date, nullable=False),
    Column("region", String),
    Column("subtype", String),
    Column("side", String),
    Column("severity", String, nullable=False),
    Column("days_lost", Integer),
    Column("logged_at", DateTime(timezone=True), nullable=False),
    Column("logged_by", String),
)
"""The injury log, as coaches write it (same columns as injuries.csv, when, and who)."""

coaches = Table(
    "coaches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String, nullable=False, unique=True),
    Column("password_hash", String, nullable=False),
    Column("is_admin", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

coach_teams = Table(
    "coach_teams",
    metadata,
    Column("coach_id", ForeignKey("coaches.id", ondelete="CASCADE"), primary_key=True),
    Column("team", String, primary_key=True),
)
"""Which teams (the roster's `team` column) a coach sees and changes."""

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String, primary_key=True),
    Column("coach_id", ForeignKey("coaches.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
"""Signed-in browsers: the hash of the cookie's token (a stolen database opens no session)."""

sign_in_counts = Table(
    "sign_in_counts",
    metadata,
    Column("scope", String, primary_key=True),
    Column("subject", String, primary_key=True),
    Column("n", Integer, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False, index=True),
)
"""Sign-in attempts not proven right, per scope (an account, an address, both) since the
start of its window: one row each, raised by an atomic upsert so that every server process
and every thread counts the same attempts (dashboard/throttle.py)."""

sign_in_addresses = Table(
    "sign_in_addresses",
    metadata,
    Column("coach_id", ForeignKey("coaches.id", ondelete="CASCADE"), primary_key=True),
    Column("address", String, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
)
"""Addresses a coach signed in from with their password: the per-account limit spares them."""

calendar_keys = Table(
    "calendar_keys",
    metadata,
    Column("coach_id", ForeignKey("coaches.id", ondelete="CASCADE"), primary_key=True),
    Column("secret", String, nullable=False),
)
"""A coach's part of their calendar links' signature: a new one (rotated on the settings
page) ends every link made before; an account made again under the same name has another."""

acknowledgements = Table(
    "acknowledgements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", String, nullable=False, index=True),
    Column("date", Date, nullable=False),
    Column("action", String, nullable=False),
    Column("coach", String, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
"""A coach saw an athlete's flag (`seen`) or changed their plan (`plan_adjusted`)."""


notify_targets = Table(
    "notify_targets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("coach_id", ForeignKey("coaches.id", ondelete="CASCADE"), nullable=False),
    Column("url_encrypted", String, nullable=False),
    Column("shown", String, nullable=False),
    Column("daily", Boolean, nullable=False),
    Column("details", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
"""`daily`: a summary even on a night with nothing new; `details`: drivers and advice in the
message (a channel the coach trusts with health data)."""

announcements = Table(
    "announcements",
    metadata,
    Column("coach_id", ForeignKey("coaches.id", ondelete="CASCADE"), primary_key=True),
    Column("athlete_id", String, primary_key=True),
    Column("tier", String, nullable=False),
    Column("on_date", Date, nullable=False),
)
"""The tier a coach was last told of, per athlete still flagged."""

digests = Table(
    "digests",
    metadata,
    Column("key", String, primary_key=True),
    Column("coach_id", ForeignKey("coaches.id", ondelete="CASCADE"), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("status", String, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
"""One row per as-of day and target (key `YYYY-MM-DD/target id`): `sending` once claimed,
`sent` once delivered; a failed delivery's row is deleted, so the next run sends it again."""

notify_failures = Table(
    "notify_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("coach_id", ForeignKey("coaches.id", ondelete="CASCADE"), nullable=False),
    Column("target", String, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", String, nullable=False),
)
"""A delivery that failed after its retries: which coach, which target (redacted), why."""


def _sqlite_pragmas(connection: Any, _: Any) -> None:
    """WAL, so that readers never wait on a writer; deleted rows overwritten with zeros;
    foreign keys enforced (a deleted coach takes their sessions and teams along)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def app_database(data: Path) -> Iterator[Engine]:
    """The app database of a data directory, its tables created if new."""
    url = app_database_url(data)
    if url.startswith("sqlite"):
        # a connection per busy thread of the web server, kept: opening one costs more than
        # the query it serves
        engine = create_engine(
            url,
            pool_size=SQLITE_CONNECTIONS,
            max_overflow=0,
            connect_args={"timeout": SQLITE_BUSY_S},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url)
    try:
        metadata.create_all(engine)
        yield engine
    finally:
        engine.dispose()


def dialect_insert(connection: Connection, table: Table) -> Any:
    """The database's own INSERT of `table`, which has ON CONFLICT (SQLite and PostgreSQL
    alike): one statement where two would race another process."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def insert_absent(connection: Connection, table: Table, **values: Any) -> None:
    """Insert a row unless its primary key is taken: two processes creating the same row at
    once both go on, and one row is kept."""
    connection.execute(dialect_insert(connection, table).values(**values).on_conflict_do_nothing())


def log_injury(engine: Engine, athlete_id: str, onset: date, severity: str, **details: Any) -> None:
    """Add one injury to the log (`details`: region, subtype, side, days_lost, logged_by)."""
    if severity not in SEVERITIES:
        raise ValueError(f"severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    row = {"athlete_id": athlete_id, "onset_date": onset, "severity": severity, **details}
    with engine.begin() as connection:
        connection.execute(injuries.insert().values(**row, logged_at=datetime.now(UTC)))


def logged_injuries(engine: Engine) -> pl.DataFrame:
    """The injuries coaches logged (`models.labels.INJURY_SCHEMA`)."""
    with engine.connect() as connection:
        rows = connection.execute(select(*(injuries.c[c] for c in INJURY_SCHEMA))).all()
    return pl.DataFrame([tuple(r) for r in rows], schema=INJURY_SCHEMA, orient="row")


def acknowledge(engine: Engine, athlete_id: str, action: str, coach: str) -> dict[str, Any]:
    """Record that a coach saw an athlete's flag or adjusted their plan; the row written."""
    now = datetime.now(UTC)
    row = {"athlete_id": athlete_id, "date": now.date(), "action": action, "coach": coach}
    with engine.begin() as connection:
        connection.execute(acknowledgements.insert().values(**row, at=now))
    return {**row, "at": now}


def acknowledged(
    engine: Engine, athlete_id: str | None = None, since: date | None = None
) -> list[dict[str, Any]]:
    """Acknowledgements, newest first: one athlete's or everyone's, from `since` on."""
    query = select(acknowledgements).order_by(acknowledgements.c.at.desc())
    if athlete_id is not None:
        query = query.where(acknowledgements.c.athlete_id == athlete_id)
    if since is not None:
        query = query.where(acknowledgements.c.date >= since)
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def acknowledgements_version(engine: Engine) -> tuple[int, int | None]:
    """Changes whenever an acknowledgement is added or erased (how many, the newest id):
    what a cached page that shows them depends on."""
    query = select(func.count(), func.max(acknowledgements.c.id))
    with engine.connect() as connection:
        count, newest = connection.execute(query).one()
    return count, newest


def forget(engine: Engine, athlete_id: str) -> None:
    """Erase an athlete from every table, and from the file's free pages and its WAL."""
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if "athlete_id" in table.c:
                connection.execute(delete(table).where(table.c.athlete_id == athlete_id))
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.execute(text("VACUUM"))
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
