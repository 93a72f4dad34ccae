"""Signed calendar links. Calendar apps cannot sign in, so a feed's link carries an HMAC
under the installation's secret key (store/secrets.py) of the coach's account id, the
athlete, and a secret of the coach's own: a coach rotates theirs on the settings page to end
every link they handed out, and an account removed and made again under the same name (or
given the same id) has another secret, so old links stay dead."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import Engine, select, update

from stridewise.store.app_db import calendar_keys, insert_absent
from stridewise.store.secrets import sign, signed


def _secret(engine: Engine, coach_id: int) -> str | None:
    query = select(calendar_keys.c.secret).where(calendar_keys.c.coach_id == coach_id)
    with engine.connect() as connection:
        return connection.execute(query).scalar_one_or_none()


def _message(coach_id: int, secret: str, athlete_id: str) -> str:
    return f"calendar:{coach_id}:{secret}:{athlete_id}"


def calendar_path(engine: Engine, data: Path, coach_id: int, athlete_id: str) -> str:
    """The coach's own feed of the athlete's plan (their secret made on first use)."""
    secret = _secret(engine, coach_id)
    if secret is None:
        with engine.begin() as connection:
            fresh = secrets.token_urlsafe(32)
            insert_absent(connection, calendar_keys, coach_id=coach_id, secret=fresh)
        secret = _secret(engine, coach_id)  # another request's, if it came first
    signature = sign(data, _message(coach_id, secret, athlete_id))
    return f"/calendar/{coach_id}/{athlete_id}.ics?sig={signature}"


def link_coach(engine: Engine, data: Path, coach: str, athlete_id: str, sig: str) -> int | None:
    """The account id whose link this is, or None for any link that is not one (a bad,
    foreign or outdated signature, an account that is gone)."""
    if not coach.isascii() or not coach.isdigit() or len(coach) > 18:
        return None
    secret = _secret(engine, int(coach))
    if secret is None or not signed(data, _message(int(coach), secret, athlete_id), sig):
        return None
    return int(coach)


def rotate(engine: Engine, coach_id: int) -> None:
    """A new secret for the coach: every calendar link they had stops working."""
    fresh = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        insert_absent(connection, calendar_keys, coach_id=coach_id, secret=fresh)
        changed = update(calendar_keys).where(calendar_keys.c.coach_id == coach_id)
        connection.execute(changed.values(secret=fresh))
