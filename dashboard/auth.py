"""Coach accounts and sessions: argon2 password hashes (checked a few at a time:
dashboard/throttle.py), random session tokens stored hashed, a CSRF token per session."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import Connection, Engine, Row, delete, insert, select

from stridewise.dashboard.throttle import hashing
from stridewise.store.app_db import coach_teams, coaches, sessions

SESSION_HOURS = 12

_hasher = PasswordHasher()


@dataclass(frozen=True)
class Coach:
    id: int
    username: str
    is_admin: bool
    teams: frozenset[str]

    def sees(self, team: str | None) -> bool:
        """An admin sees every athlete; a coach those of their teams."""
        return self.is_admin or (team is not None and team in self.teams)


def add_coach(
    engine: Engine, username: str, password: str, teams: list[str], admin: bool = False
) -> None:
    """Create an account (`ValueError` if the name is taken or the password too short)."""
    if len(password) < 10:
        raise ValueError("the password needs at least 10 characters")
    with engine.begin() as connection:
        if connection.execute(select(coaches.c.id).where(coaches.c.username == username)).first():
            raise ValueError(f"there is already a coach named {username!r}")
        coach_id = connection.execute(
            insert(coaches).values(
                username=username,
                password_hash=_hasher.hash(password),
                is_admin=admin,
                created_at=datetime.now(UTC),
            )
        ).inserted_primary_key[0]
        for team in sorted(set(teams)):
            connection.execute(insert(coach_teams).values(coach_id=coach_id, team=team))


@cache
def _stand_in() -> str:
    """A hash to check the passwords of unknown names against: the same work, the same
    time, whether or not the name exists (no user enumeration)."""
    return _hasher.hash(secrets.token_urlsafe(32))


def check_password(engine: Engine, username: str, password: str) -> Coach | None:
    """The coach, if the password is theirs (`throttle.Busy` when too many are checked at
    once in this process)."""
    with engine.connect() as connection:
        row = connection.execute(select(coaches).where(coaches.c.username == username)).first()
    with hashing():
        try:
            _hasher.verify(row.password_hash if row else _stand_in(), password)
        except VerificationError:
            return None
    if row is None:
        return None
    with engine.connect() as connection:
        return _coach(connection, row)


def list_coaches(engine: Engine) -> list[Coach]:
    """Every account, by name."""
    with engine.connect() as connection:
        rows = connection.execute(select(coaches).order_by(coaches.c.username)).all()
        return [_coach(connection, row) for row in rows]


def coach_of(engine: Engine, coach_id: int) -> Coach | None:
    """The account of an id, if there is one."""
    with engine.connect() as connection:
        row = connection.execute(select(coaches).where(coaches.c.id == coach_id)).first()
        return _coach(connection, row) if row else None


def remove_coach(engine: Engine, username: str) -> None:
    """Delete an account, its teams and its sessions (signed out everywhere at once);
    `ValueError` if there is none by that name. What they logged stays."""
    with engine.begin() as connection:
        gone = connection.execute(delete(coaches).where(coaches.c.username == username))
    if gone.rowcount == 0:
        raise ValueError(f"there is no coach named {username!r}")


def _coach(connection: Connection, row: Row) -> Coach:
    """The coach of a row with their id, username and is_admin, and their teams."""
    teams = connection.execute(
        select(coach_teams.c.team).where(coach_teams.c.coach_id == row.id)
    ).scalars()
    return Coach(row.id, row.username, row.is_admin, frozenset(teams))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: Engine, coach: Coach) -> str:
    """A new session's token (for the cookie); sessions that have expired go."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(delete(sessions).where(sessions.c.expires_at < now))
        connection.execute(
            insert(sessions).values(
                token_hash=_digest(token),
                coach_id=coach.id,
                csrf_token=secrets.token_urlsafe(32),
                expires_at=now + timedelta(hours=SESSION_HOURS),
            )
        )
    return token


def session_of(engine: Engine, token: str) -> tuple[Coach, str] | None:
    """The coach and CSRF token of a live session (one connection: every request asks)."""
    query = (
        select(*coaches.c["id", "username", "is_admin"], *sessions.c["csrf_token", "expires_at"])
        .join(sessions, sessions.c.coach_id == coaches.c.id)
        .where(sessions.c.token_hash == _digest(token))
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
        if row is None or row.expires_at.replace(tzinfo=UTC) < datetime.now(UTC):
            return None
        return _coach(connection, row), row.csrf_token


def close_session(engine: Engine, token: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(sessions).where(sessions.c.token_hash == _digest(token)))
