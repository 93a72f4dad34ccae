"""Send each coach their digest after the night's scores are written, through Apprise.

Never at the cost of the night: this runs after every table is written, a failing target is
retried a few times and then recorded (coach, target redacted, when, why) and the others go on,
and nothing here raises into the flow. No URL and no athlete appears in the logs.
"""

from __future__ import annotations

import hashlib
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

ATTEMPTS = 3
RETRY_S = (1.0, 3.0)
"""Waits between attempts: a refused or slow channel costs the night seconds, not minutes."""


@dataclass(frozen=True)
class Delivery:
    """What the night did for one coach: `sent`, `nothing new`, `already sent` (a rerun), or
    `failed` (with why, when no target was even tried)."""

    coach: str
    outcome: str
    reason: str = ""


def send(url: str, title: str, body: str) -> str | None:
    """One message to one Apprise URL, retried; None when delivered, else why not."""
    found = notifications.channel(url)
    if found is None:
        return "not a notification URL Apprise knows"
    for attempt in range(ATTEMPTS):
        if found.notify(title=title, body=body):
            return None
        if attempt < len(RETRY_S):
            time.sleep(RETRY_S[attempt])
    return f"refused or unreachable after {ATTEMPTS} attempts"


def _key(recipient: Recipient, as_of: date, found: Digest) -> str:
    text = f"{recipient.coach_id}|{as_of}|{sorted(found.tiers.items())}|{found.body(None, False)}"
    return hashlib.sha256(text.encode()).hexdigest()


def deliver(
    engine: Engine,
    recipient: Recipient,
    assessments: list[Assessment],
    teams: dict[str, str],
    as_of: date,
    base_url: str | None,
) -> Delivery:
    """Compose, claim and send one coach's digest to each of their targets."""
    targets = recipient.targets
    daily = any(target.daily for target, _ in targets)
    told = notifications.announced(engine, recipient.coach_id)
    first = min((day for _, day in told.values()), default=None)
    seen = {
        ack["athlete_id"]
        for ack in acknowledged(engine, since=first)
        if ack["athlete_id"] in told and ack["date"] >= told[ack["athlete_id"]][1]
    }
    tiers = {athlete: tier for athlete, (tier, _) in told.items()}
    found = digest(assessments, lambda a: recipient.sees(teams.get(a)), tiers, seen, daily)
    if found is None:
        return Delivery(recipient.username, "nothing new")
    key = _key(recipient, as_of, found)
    if not notifications.claim(engine, key, recipient.coach_id, as_of):
        return Delivery(recipient.username, "already sent")
    sent = 0
    for target, url in targets:
        if not (found.new or target.daily):
            continue
        reason = send(url, found.title, found.body(base_url, target.details))
        if reason is None:
            sent += 1
        else:
            notifications.record_failure(engine, recipient.coach_id, target, reason)
    if sent:
        notifications.mark_sent(engine, key, recipient.coach_id, found.tiers)
    return Delivery(recipient.username, "sent" if sent else "failed")


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
