"""Sign-in throttling: how many password checks an attacker gets, and how much memory they
cost the server.

Each password check runs argon2id over 64 MiB, so a process checks at most HASHES_AT_ONCE at
a time (`hashing`); the others wait up to HASH_WAIT_S, then are told to come back (429).

An attempt is counted *before* its password is checked, and uncounted when the password was
right, under three limits at once (a window of WINDOW_S each):

- PER_ACCOUNT_AND_ADDRESS failures for one name from one address: a guesser at one address;
- PER_ADDRESS failures from one address over every name (made-up names too, so new names
  do not dodge it);
- PER_ACCOUNT failures for one name over every address, which does not apply from an
  address the account signed in from before: a guesser spread over many addresses is
  slowed down, and the coach still signs in from their usual place.

The counts are rows of the app database, all three raised by one statement (`INSERT ... ON
CONFLICT DO UPDATE SET n = n + 1 ... RETURNING n`), which SQLite and PostgreSQL run one at a
time per row, in the transaction that checks the limits: every thread of every server
process sees the same counts, and 40 parallel tries of one account get
PER_ACCOUNT_AND_ADDRESS password checks, not more.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, case, delete, exists, select, update

from stridewise.store.app_db import (
    coaches,
    dialect_insert,
    insert_absent,
    sign_in_addresses,
    sign_in_counts,
)

WINDOW_S = 15 * 60
PER_ACCOUNT_AND_ADDRESS = 5
PER_ADDRESS = 30
PER_ACCOUNT = 20
HASHES_AT_ONCE = 2
"""2 x 64 MiB of argon2 memory per server process at most."""
HASH_WAIT_S = 2.0
BUSY_RETRY_S = 2
FORGOTTEN_AFTER = timedelta(days=1)
"""Counts untouched for this long are deleted (they are far outside any window)."""

Key = tuple[str, str]
"""(scope, subject) of a row of `sign_in_counts`."""

_hashing = threading.BoundedSemaphore(HASHES_AT_ONCE)
_writing = threading.Lock()
"""One sign-in transaction at a time per process: the others wait here, not on SQLite's
write lock, whose wait is bounded (a flood's transactions, each slowed by 40 threads taking
turns at the interpreter, outlasted it)."""


class Busy(Exception):
    """Every hashing slot stayed taken for HASH_WAIT_S: the client should retry later."""


@contextmanager
def hashing() -> Iterator[None]:
    """One of the process's HASHES_AT_ONCE slots for a password hash (`Busy` if none frees
    up in time)."""
    if not _hashing.acquire(timeout=HASH_WAIT_S):
        raise Busy
    try:
        yield
    finally:
        _hashing.release()


def _keys(username: str, address: str) -> list[tuple[Key, int]]:
    """The rows an attempt counts in, with their limits, in one order for every attempt
    (PostgreSQL's row locks are then always taken in the same order: no deadlock)."""
    return [
        (("account", username), PER_ACCOUNT),
        (("account_address", json.dumps([username, address])), PER_ACCOUNT_AND_ADDRESS),
        (("address", address), PER_ADDRESS),
    ]


def _where(key: Key) -> tuple:
    return sign_in_counts.c.scope == key[0], sign_in_counts.c.subject == key[1]


def _raise(connection: Connection, keys: list[Key], now: datetime) -> dict[Key, int]:
    """Add one to each count (started again when its window is over), in one statement
    that inserts the rows that are not there yet; the new counts."""
    stale = sign_in_counts.c.since < now - timedelta(seconds=WINDOW_S)
    rows = [{"scope": scope, "subject": subject, "n": 1, "since": now} for scope, subject in keys]
    statement = (
        dialect_insert(connection, sign_in_counts)
        .values(rows)
        .on_conflict_do_update(
            index_elements=[sign_in_counts.c.scope, sign_in_counts.c.subject],
            set_={
                "n": case((stale, 1), else_=sign_in_counts.c.n + 1),
                "since": case((stale, now), else_=sign_in_counts.c.since),
            },
        )
        .returning(sign_in_counts.c.scope, sign_in_counts.c.subject, sign_in_counts.c.n)
    )
    return {(scope, subject): n for scope, subject, n in connection.execute(statement)}


def count_attempt(engine: Engine, username: str, address: str) -> list[Key] | None:
    """Count a sign-in attempt under each limit; the keys counted (for `uncount`), or None,
    with nothing counted, when a limit is reached."""
    now = datetime.now(UTC)
    limits = dict(_keys(username, address))
    known = exists().where(
        sign_in_addresses.c.coach_id == coaches.c.id,
        coaches.c.username == username,
        sign_in_addresses.c.address == address,
    )
    with _writing, engine.connect() as connection, connection.begin() as transaction:
        counts = _raise(connection, list(limits), now)
        # read after the write: a SQLite transaction that reads first may not write later
        spared = connection.execute(select(known)).scalar_one()
        if any(n > limits[k] and not (spared and k[0] == "account") for k, n in counts.items()):
            transaction.rollback()
            return None
    return list(limits)


def uncount(engine: Engine, keys: list[Key]) -> None:
    """Take back an attempt that was right, or whose password was never checked."""
    column = sign_in_counts.c.n
    with _writing, engine.begin() as connection:
        for key in keys:
            lower = update(sign_in_counts).where(*_where(key))
            connection.execute(lower.values(n=case((column > 0, column - 1), else_=0)))


def remember_address(engine: Engine, coach_id: int, address: str) -> None:
    """An address the coach signed in from (spared by the per-account limit from then on);
    counts long out of their window go."""
    now = datetime.now(UTC)
    with _writing, engine.begin() as connection:
        insert_absent(connection, sign_in_addresses, coach_id=coach_id, address=address, at=now)
        seen = update(sign_in_addresses).where(
            sign_in_addresses.c.coach_id == coach_id, sign_in_addresses.c.address == address
        )
        connection.execute(seen.values(at=now))
        forgotten = sign_in_counts.c.since < now - FORGOTTEN_AFTER
        connection.execute(delete(sign_in_counts).where(forgotten))
