"""Coach accounts and sessions: argon2 password hashes, random session tokens stored hashed,
a CSRF token per session, and a limit on failed logins."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import Engine, delete, insert, select

from store.app_db import coach_teams, coaches, sessions

SESSION_HOURS = 12
MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW_S = 15 * 60

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


def check_password(engine: Engine, username: str, password: str) -> Coach | None:
    """The coach, if the password is theirs."""
    with engine.connect() as connection:
        row = connection.execute(
            select(coaches.c.id, coaches.c.password_hash).where(coaches.c.username == username)
        ).first()
    if row is None:
        _hasher.hash(password)  # the same time whether or not the name exists
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except VerificationError:
        return None
    return _coach(engine, row.id)


def _coach(engine: Engine, coach_id: int) -> Coach:
    with engine.connect() as connection:
        row = connection.execute(select(coaches).where(coaches.c.id == coach_id)).one()
        teams = connection.execute(
            select(coach_teams.c.team).where(coach_teams.c.coach_id == coach_id)
        ).scalars()
        return Coach(row.id, row.username, row.is_admin, frozenset(teams))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: Engine, coach: Coach) -> str:
    """A new session's token (for the cookie)."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        connection.execute(
            insert(sessions).values(
                token_hash=_digest(token),
                coach_id=coach.id,
                csrf_token=secrets.token_urlsafe(32),
                expires_at=datetime.now(UTC) + timedelta(hours=SESSION_HOURS),
            )
        )
    return token


def session_of(engine: Engine, token: str) -> tuple[Coach, str] | None:
    """The coach and CSRF token of a live session."""
    with engine.connect() as connection:
        row = connection.execute(
            select(sessions).where(sessions.c.token_hash == _digest(token))
        ).first()
    if row is None or row.expires_at.replace(tzinfo=UTC) < datetime.now(UTC):
        return None
    return _coach(engine, row.coach_id), row.csrf_token


def close_session(engine: Engine, token: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(sessions).where(sessions.c.token_hash == _digest(token)))


class LoginLimiter:
    """At most MAX_FAILED_LOGINS failures per (name, address) in FAILED_LOGIN_WINDOW_S."""

    def __init__(self) -> None:
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        failures, now = self._failures[key], time.monotonic()
        while failures and now - failures[0] > FAILED_LOGIN_WINDOW_S:
            failures.popleft()
        return failures

    def blocked(self, username: str, address: str) -> bool:
        return len(self._recent((username, address))) >= MAX_FAILED_LOGINS

    def failed(self, username: str, address: str) -> None:
        self._recent((username, address)).append(time.monotonic())
