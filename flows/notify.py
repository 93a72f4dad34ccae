"""Send each coach their digest after the night's scores are written, through Apprise.

Never at the cost of the night: this runs after every table is written, a failing target is
retried a few times and then recorded (coach, target redacted, when, why) and the others go on,
and nothing here raises into the flow. No URL and no athlete appears in the logs.

Each target gets one digest per as-of day (`notifications.claim`); one that failed is tried
again by the next run of that night. Every target is vetted again before health
data goes to it (`store.targets`): it may have been stored under older rules, or its host may
resolve elsewhere since.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from stridewise.flows.digest import Digest, digest
from stridewise.models.assess import Assessment
from stridewise.store import notifications
from stridewise.store.app_db import acknowledged
from stridewise.store.notifications import Recipient, Target
from stridewise.store.secrets import SecretError
from stridewise.store.targets import TargetError, vetted

ATTEMPTS = 3
RETRY_S = (1.0, 3.0)
"""Waits between attempts: a refused or slow channel costs the night seconds, not minutes."""


@dataclass(frozen=True)
class Delivery:
    """What the night did for one coach: `sent` (to one target at least), `nothing new`,
    `already sent` (every target had this day's digest), or `failed` (with why, when no target
    was even tried)."""

    coach: str
    outcome: str
    reason: str = ""


def send(url: str, title: str, body: str, admin: bool) -> str | None:
    """One message to one Apprise URL, vetted for a coach (`admin` or not), retried; None when
    delivered, else why not."""
    try:
        found = vetted(url, admin)
    except TargetError as error:
        return error.reason
    for attempt in range(ATTEMPTS):
        if found.notify(title=title, body=body):
            return None
        if attempt < len(RETRY_S):
            time.sleep(RETRY_S[attempt])
    return f"refused or unreachable after {ATTEMPTS} attempts"


def try_targets(engine: Engine, recipient: Recipient) -> list[tuple[Target, str | None]]:
    """A test message to each of a coach's targets: (target, None or why it failed); a failure
    is recorded as a night's are, so that the coach finds it listed."""
    done = []
    for target, url in recipient.targets:
        text = f"A test message for {recipient.username}."
        reason = send(url, "stridewise test", text, recipient.is_admin)
        if reason is not None:
            notifications.record_failure(engine, recipient.coach_id, target, f"test: {reason}")
        done.append((target, reason))
    return done


def _compose(
    engine: Engine, recipient: Recipient, assessments: list[Assessment], teams: dict[str, str]
) -> Digest | None:
    """The coach's digest against what they were told and acknowledged since."""
    daily = any(target.daily for target, _ in recipient.targets)
    told = notifications.announced(engine, recipient.coach_id)
    first = min((day for _, day in told.values()), default=None)
    seen = {
        ack["athlete_id"]
        for ack in acknowledged(engine, since=first)
        if ack["athlete_id"] in told and ack["date"] >= told[ack["athlete_id"]][1]
    }
    tiers = {athlete: tier for athlete, (tier, _) in told.items()}
    return digest(assessments, lambda a: recipient.sees(teams.get(a)), tiers, seen, daily)


def deliver(
    engine: Engine,
    recipient: Recipient,
    assessments: list[Assessment],
    teams: dict[str, str],
    as_of: date,
    base_url: str | None,
) -> Delivery:
    """Compose one coach's digest of `as_of` and send it to each target that has not had it;
    a failed delivery is recorded and its claim released for the next run."""
    found = _compose(engine, recipient, assessments, teams)
    if found is None:
        return Delivery(recipient.username, "nothing new")
    sent, failed = [], 0
    for target, url in recipient.targets:
        if not (found.new or target.daily):
            continue
        key = notifications.claim(engine, recipient.coach_id, target, as_of)
        if key is None:  # had this day's digest already
            continue
        reason = send(url, found.title, found.body(base_url, target.details), recipient.is_admin)
        if reason is None:
            sent.append(key)
            continue
        notifications.release(engine, key)
        why = f"digest of {as_of}: {reason}"
        notifications.record_failure(engine, recipient.coach_id, target, why)
        failed += 1
    if sent:
        notifications.mark_sent(engine, sent, recipient.coach_id, found.tiers)
    return Delivery(recipient.username, "sent" if sent else "failed" if failed else "already sent")


def send_digests(
    engine: Engine,
    data: Path,
    assessments: list[Assessment],
    teams: dict[str, str],
    as_of: date,
    base_url: str | None,
) -> list[Delivery]:
    """Every coach with a target gets their digest; a coach whose delivery breaks is
    recorded and the others go on."""
    try:
        recipients = notifications.recipients(engine, data)
    except SecretError as error:
        return [Delivery("*", "failed", str(error))]
    out = []
    for recipient in recipients:
        try:
            out.append(deliver(engine, recipient, assessments, teams, as_of, base_url))
        except Exception as error:
            failed = Target(0, "*", daily=False, details=False)
            notifications.record_failure(engine, recipient.coach_id, failed, type(error).__name__)
            out.append(Delivery(recipient.username, "failed", type(error).__name__))
    return out
