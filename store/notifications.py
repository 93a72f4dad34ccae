"""What the app database keeps for notifications: each coach's targets (Apprise URLs, stored
encrypted), what each coach was last told of each athlete, the digests sent, and the
deliveries that failed (of nights and of tests).

A coach's target gets at most one digest per as-of day, whatever the re-runs: the digest is
claimed for (target, day) before it is sent, the claim kept once it is delivered and released
when the delivery fails, so that the next run tries that day again (a target fixed since brings
that day's digest). A night killed between sending and recording finds the claim and does not
send it twice (a lost message is better than a repeated alarm).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from stridewise.store.app_db import (
    announcements,
    coach_teams,
    coaches,
    digests,
    notify_failures,
    notify_targets,
)
from stridewise.store.secrets import decrypt, encrypt, redacted
from stridewise.store.targets import vetted


@dataclass(frozen=True)
class Target:
    id: int
    shown: str
    """The URL redacted: scheme and network host only."""
    daily: bool
    details: bool


@dataclass(frozen=True)
class Recipient:
    coach_id: int
    username: str
    is_admin: bool
    teams: frozenset[str]
    targets: list[tuple[Target, str]]
    """Each target with its URL (decrypted: never log it)."""

    def sees(self, team: str | None) -> bool:
        return self.is_admin or (team is not None and team in self.teams)


def _coach(engine: Engine, username: str) -> Any:
    """The coach's id and whether they are an admin (`ValueError` for an unknown name)."""
    with engine.connect() as connection:
        found = connection.execute(
            select(coaches.c.id, coaches.c.is_admin).where(coaches.c.username == username)
        ).first()
    if found is None:
        raise ValueError(f"there is no coach named {username!r}")
    return found


def add_target(
    engine: Engine, data: Path, username: str, url: str, *, daily: bool, details: bool
) -> Target:
    """Store a target for a coach (`ValueError` for an unknown coach, `TargetError` for a
    target that `targets.vetted` refuses for them)."""
    coach = _coach(engine, username)
    vetted(url, coach.is_admin)
    coach_id, shown = coach.id, redacted(url)
    with engine.begin() as connection:
        new = connection.execute(
            insert(notify_targets).values(
                coach_id=coach_id,
                url_encrypted=encrypt(data, url),
                shown=shown,
                daily=daily,
                details=details,
                created_at=datetime.now(UTC),
            )
        ).inserted_primary_key[0]
    return Target(new, shown, daily, details)


def remove_target(engine: Engine, username: str, target_id: int) -> None:
    coach_id = _coach(engine, username).id
    with engine.begin() as connection:
        gone = connection.execute(
            delete(notify_targets).where(
                (notify_targets.c.id == target_id) & (notify_targets.c.coach_id == coach_id)
            )
        )
    if gone.rowcount == 0:
        raise ValueError(f"{username} has no target {target_id}")


def _target_rows(engine: Engine, username: str) -> list[Any]:
    coach_id = _coach(engine, username).id
    with engine.connect() as connection:
        return connection.execute(
            select(notify_targets)
            .where(notify_targets.c.coach_id == coach_id)
            .order_by(notify_targets.c.id)
        ).all()


def _target(row: Any) -> Target:
    return Target(row.id, row.shown, row.daily, row.details)


def targets(engine: Engine, username: str) -> list[Target]:
    """A coach's targets, as they may be shown."""
    return [_target(r) for r in _target_rows(engine, username)]


def target_urls(engine: Engine, data: Path, username: str) -> list[tuple[Target, str]]:
    """A coach's targets with their URLs, for sending."""
    return [(_target(r), decrypt(data, r.url_encrypted)) for r in _target_rows(engine, username)]


def recipients(engine: Engine, data: Path, username: str | None = None) -> list[Recipient]:
    """Every coach with at least one target (or only `username`), with their teams."""
    query = select(coaches).where(coaches.c.id.in_(select(notify_targets.c.coach_id)))
    if username is not None:
        query = query.where(coaches.c.username == username)
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(coaches.c.username)).all()
        teams = connection.execute(select(coach_teams)).all()
    return [
        Recipient(
            row.id,
            row.username,
            row.is_admin,
            frozenset(t.team for t in teams if t.coach_id == row.id),
            target_urls(engine, data, row.username),
        )
        for row in rows
    ]


def recipient(engine: Engine, data: Path, username: str) -> Recipient:
    """One coach, with their targets (none, maybe)."""
    coach = _coach(engine, username)
    found = recipients(engine, data, username)
    return found[0] if found else Recipient(coach.id, username, coach.is_admin, frozenset(), [])


def announced(engine: Engine, coach_id: int) -> dict[str, tuple[str, date]]:
    """Athlete -> the tier the coach was last told of, and since when it is that tier."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(announcements).where(announcements.c.coach_id == coach_id)
        ).all()
    return {r.athlete_id: (r.tier, r.on_date) for r in rows}


def claim(engine: Engine, coach_id: int, target: Target, as_of: date) -> str | None:
    """Claim the digest of `as_of` for one target; its key, or None when it was claimed
    before (sent, being sent, or a night killed while sending it)."""
    key = f"{as_of.isoformat()}/{target.id}"
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(digests).values(
                    key=key, coach_id=coach_id, as_of=as_of, status="sending", at=datetime.now(UTC)
                )
            )
    except IntegrityError:
        return None
    return key


def release(engine: Engine, key: str) -> None:
    """The delivery failed: the next run may claim that day's digest again."""
    with engine.begin() as connection:
        connection.execute(delete(digests).where(digests.c.key == key))


def mark_sent(engine: Engine, keys: list[str], coach_id: int, tiers: dict[str, str]) -> None:
    """The digest went out to the targets of `keys`: they are sent, and the coach now knows of
    `tiers` (athlete -> tier; an unchanged tier keeps the day it was first told, so an
    acknowledgement since still counts; athletes no longer flagged are forgotten, so that a
    new flag is news again). Days are the clock's, as acknowledgements' are, not the data's."""
    before, today = announced(engine, coach_id), datetime.now(UTC).date()
    with engine.begin() as connection:
        connection.execute(
            update(digests)
            .where(digests.c.key.in_(keys))
            .values(status="sent", at=datetime.now(UTC))
        )
        connection.execute(delete(announcements).where(announcements.c.coach_id == coach_id))
        for athlete, tier in sorted(tiers.items()):
            kept = before.get(athlete)
            since = kept[1] if kept and kept[0] == tier else today
            connection.execute(
                insert(announcements).values(
                    coach_id=coach_id, athlete_id=athlete, tier=tier, on_date=since
                )
            )


def record_failure(engine: Engine, coach_id: int, target: Target, reason: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(notify_failures).values(
                coach_id=coach_id, target=target.shown, at=datetime.now(UTC), reason=reason
            )
        )


def failures(engine: Engine, username: str, limit: int = 20) -> list[tuple[datetime, str, str]]:
    """The coach's latest failed deliveries: (when, target redacted, why)."""
    coach_id = _coach(engine, username).id
    with engine.connect() as connection:
        rows = connection.execute(
            select(notify_failures)
            .where(notify_failures.c.coach_id == coach_id)
            .order_by(notify_failures.c.at.desc(), notify_failures.c.id.desc())
            .limit(limit)
        ).all()
    return [(r.at, r.target, r.reason) for r in rows]
