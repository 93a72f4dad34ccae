"""Notification targets a coach may add: the documented schemes only, no header or field
injected through the URL, and hosts whose every address is public (names resolved for real),
unless the coach is an admin or the installation allows the network. A refused target is one
line naming what was typed (redacted) and why, and nothing is stored."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stridewise.dashboard.auth import add_coach
from stridewise.store import notifications
from stridewise.store.app_db import app_database
from stridewise.store.targets import NETWORKS_VARIABLE, TargetError

PASSWORD = "correct horse battery"
PUBLIC = "93.184.215.14"
"""A public address (never sent to: adding a target sends nothing)."""
RULE = (
    ", not a public address (allowed for admin accounts and the networks in "
    f"${NETWORKS_VARIABLE} only)"
)
OTHER = (
    "not a notification URL stridewise sends to (mailto://, mailtos://, slack://, msteams://, "
    "ntfy://, ntfys://, json://, jsons://)"
)
INJECTED = "URL arguments starting with +, - or : (extra headers or fields) are not accepted"


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a coach and an admin (made once: a password hash takes a second)."""
    data = tmp_path_factory.mktemp("accounts")
    with app_database(data) as engine:
        add_coach(engine, "zoe", PASSWORD, ["zurich"])
        add_coach(engine, "root", PASSWORD, [], admin=True)
    return data


@pytest.fixture
def data(accounts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of it, on an installation that allows no private network."""
    monkeypatch.delenv(NETWORKS_VARIABLE, raising=False)
    return shutil.copytree(accounts, tmp_path / "data")


def _add(data: Path, username: str, url: str) -> notifications.Target:
    with app_database(data) as engine:
        return notifications.add_target(engine, data, username, url, daily=False, details=False)


REFUSED = {
    "cloud metadata (link-local)": (
        "json://169.254.169.254/latest/meta-data",
        f"json://169.254.169.254/…: 169.254.169.254 is link-local{RULE}",
    ),
    "loopback": (
        "json://127.0.0.1:8080/hook",
        f"json://127.0.0.1:8080/…: 127.0.0.1 is loopback{RULE}",
    ),
    "a name resolving to loopback": (
        "json://localhost:8080/hook",
        f"json://localhost:8080/…: localhost (127.0.0.1) is loopback{RULE}",
    ),
    "loopback spelt as one number": (
        "jsons://2130706433/hook",
        f"jsons://…: 2130706433 (127.0.0.1) is loopback{RULE}",
    ),
    "IPv6 loopback": ("json://[::1]:8080/hook", f"json://…: [::1] is loopback{RULE}"),
    "private network": ("ntfy://10.1.2.3/alerts", f"ntfy://10.1.2.3/…: 10.1.2.3 is private{RULE}"),
    "the unspecified address": (
        "json://0.0.0.0/x",
        f"json://0.0.0.0/…: 0.0.0.0 is unspecified{RULE}",
    ),
    "an SMTP server given as a URL argument": (
        f"mailtos://zoe:pw@{PUBLIC}?to=zoe@example.org&smtp=192.168.1.10",
        f"mailtos://{PUBLIC}/…: 192.168.1.10 is private{RULE}",
    ),
    "a header": (f"json://{PUBLIC}/h?+X-Forwarded-For=127.0.0.1", f"json://{PUBLIC}/…: {INJECTED}"),
    "a header, escaped": (
        f"json://{PUBLIC}/h?%2BAuthorization=x",
        f"json://{PUBLIC}/…: {INJECTED}",
    ),
    "a query field": (f"json://{PUBLIC}/h?-token=x", f"json://{PUBLIC}/…: {INJECTED}"),
    "a payload field": (f"json://{PUBLIC}/h?:message=x", f"json://{PUBLIC}/…: {INJECTED}"),
    "syslog": ("syslog://", f"syslog://…: {OTHER}"),
    "a remote syslog": (f"syslog://{PUBLIC}:514", f"syslog://{PUBLIC}:514/…: {OTHER}"),
    "an XML webhook": (f"xml://{PUBLIC}/x", f"xml://{PUBLIC}/…: {OTHER}"),
    "a local program": ("windows://", f"windows://…: {OTHER}"),
    "no scheme": ("hooks.example.org/T0123/s3cret", f"…: {OTHER}"),
    "an unknown name": (
        "json://no-such-host.invalid/x",
        "json://no-such-host.invalid/…: no-such-host.invalid does not resolve",
    ),
}


@pytest.mark.parametrize("case", REFUSED, ids=str)
def test_a_coach_cannot_add_a_target_outside_the_rules(data: Path, case: str) -> None:
    url, message = REFUSED[case]
    with pytest.raises(TargetError) as refused:
        _add(data, "zoe", url)
    assert str(refused.value) == message
    with app_database(data) as engine:
        assert notifications.targets(engine, "zoe") == []


@pytest.mark.parametrize(
    "url",
    [
        f"json://{PUBLIC}/hook?method=PUT",
        f"mailtos://zoe:pw@{PUBLIC}?to=zoe@example.org",
        "slack://T0123/B0456/abcdefXYZ/#running",  # Slack's own host: the first part is a token
        "ntfy://stridewise-zurich",  # ntfy.sh
    ],
)
def test_public_targets_and_services_are_accepted(data: Path, url: str) -> None:
    assert _add(data, "zoe", url).id == 1


def test_an_admin_or_an_allowed_network_may_reach_private_hosts(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _add(data, "root", "json://localhost:8080/hook").shown == "json://localhost:8080/…"
    monkeypatch.setenv(NETWORKS_VARIABLE, " 127.0.0.1/32 , 10.1.0.0/16")
    assert _add(data, "zoe", "json://localhost:8080/hook").id == 2
    assert _add(data, "zoe", "ntfy://10.1.2.3/alerts").id == 3
    with pytest.raises(TargetError, match=r"10\.2\.0\.1 is private"):
        _add(data, "zoe", "ntfy://10.2.0.1/alerts")
    with pytest.raises(TargetError, match=r"^json://169\.254\.169\.254/…: 169\.254\.169\.254 is"):
        _add(data, "zoe", "json://169.254.169.254/latest")
    # still refused for anyone, admins included: a scheme outside the list, injected headers
    for url in ("syslog://", "json://127.0.0.1/x?+X-Admin=1"):
        with pytest.raises(TargetError):
            _add(data, "root", url)
    monkeypatch.setenv(NETWORKS_VARIABLE, "10.1.0.0/16,intranet")
    with pytest.raises(TargetError) as bad:
        _add(data, "zoe", "ntfy://10.1.2.3/alerts")
    assert str(bad.value) == (
        f"${NETWORKS_VARIABLE}: 'intranet' is not a network (e.g. 127.0.0.1/32, 10.0.0.0/8)"
    )
