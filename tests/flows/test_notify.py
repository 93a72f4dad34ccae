"""The morning digest: composed for one coach's teams, sent through Apprise to real local
receivers (HTTP and SMTP), once per target and as-of day (a failed one again on the next run),
and never at the cost of the night. The receivers are on loopback: the tests allow it as an
installation does, with $STRIDEWISE_NOTIFY_NETWORKS (store/targets.py)."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from stridewise.dashboard.auth import add_coach
from stridewise.flows import notify
from stridewise.flows.digest import digest
from stridewise.models.assess import Assessment
from stridewise.models.explain import Driver
from stridewise.store import notifications
from stridewise.store.app_db import acknowledge, app_database, notify_targets
from stridewise.store.layout import DATABASE_URL_VARIABLE
from stridewise.store.secrets import encrypt
from stridewise.store.targets import NETWORKS_VARIABLE
from tests.corpus import SAMPLES
from tests.flows.common import free_port, harness_env
from tests.receivers import http_receiver, smtp_receiver
from tests.test_cli import stridewise

PASSWORD = "correct horse battery"
DAY = date(2026, 11, 22)
TEAMS = {"z001": "zurich", "z004": "zurich", "b001": "boston", "b004": "boston"}
SECRET_PATH = "hook-s3cr3t"


def _assessment(athlete: str, tier: str, probability: float) -> Assessment:
    spike = Driver("spike_ratio_max_7d", "lateral", 0.002, "Sunday's run was 40% longer")
    return Assessment(
        athlete, DAY, probability, tier, [spike], {"rest": {"text": "Take 2 days off."}},
        [], "hip-test", [], usual_risk=0.004,
    )  # fmt: skip


NIGHT = [
    _assessment("z004", "high", 0.008),
    _assessment("z001", "moderate", 0.005),
    _assessment("b004", "low", 0.003),
    _assessment("b001", "low", 0.002),
]


def zurich(athlete: str) -> bool:
    return TEAMS[athlete] == "zurich"


def test_a_digest_names_the_coach_s_flagged_athletes_and_only_new_news() -> None:
    first = digest(NIGHT, zurich, announced={}, acknowledged=set(), daily=False)
    assert [a.athlete_id for a in first.new] == ["z001", "z004"]
    assert first.counts == {"high": 1, "moderate": 1}
    body = first.body("https://dash.example/", details=False)
    assert "- z004: high (0.80%, 2.0 x the usual) https://dash.example/athletes/z004" in body
    assert "Your athletes today: 1 high, 1 moderate, 0 low." in body
    assert "b00" not in body and "40%" not in body and "days off" not in body  # private
    detailed = first.body(None, details=True)
    assert "Sunday's run was 40% longer" in detailed and "Take 2 days off." in detailed
    # told of both: nothing new, no message; z001 not acknowledged stays listed on a daily one
    told = {"z004": "high", "z001": "moderate"}
    assert digest(NIGHT, zurich, told, acknowledged=set(), daily=False) is None
    daily = digest(NIGHT, zurich, told, acknowledged={"z004"}, daily=True)
    assert daily.new == [] and [a.athlete_id for a in daily.still] == ["z001"]
    # a tier that rises is news again
    rose = digest(NIGHT, zurich, {"z004": "moderate", "z001": "moderate"}, set(), daily=False)
    assert [a.athlete_id for a in rose.new] == ["z004"]


@pytest.fixture
def data(tmp_path: Path, app_backend: str, request: pytest.FixtureRequest) -> Path:
    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setenv(NETWORKS_VARIABLE, "127.0.0.0/8")  # the local receivers
    if app_backend == "postgresql":  # each test its own empty app database
        url = request.getfixturevalue("postgres").new_database()
        monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    data = tmp_path / "data"
    data.mkdir()
    (data / "roster.csv").write_bytes((SAMPLES / "roster.csv").read_bytes())
    with app_database(data) as engine:
        add_coach(engine, "zoe", PASSWORD, ["zurich"])
        add_coach(engine, "bob", PASSWORD, ["boston"])
    return data


def _add(data: Path, username: str, url: str, **flags: bool) -> None:
    with app_database(data) as engine:
        notifications.add_target(
            engine, data, username, url, daily=flags.get("daily", False),
            details=flags.get("details", False),
        )  # fmt: skip


def _send(data: Path, day: date = DAY) -> list[notify.Delivery]:
    with app_database(data) as engine:
        return notify.send_digests(engine, data, NIGHT, TEAMS, day, "https://dash.example")


def test_each_coach_gets_their_team_once_and_the_url_is_stored_encrypted(data: Path) -> None:
    with http_receiver() as (port, posts):
        _add(data, "zoe", f"json://127.0.0.1:{port}/{SECRET_PATH}")
        _add(data, "bob", f"json://127.0.0.1:{port}/bob", daily=True)
        sent = _send(data)
        assert {d.coach: d.outcome for d in sent} == {"zoe": "sent", "bob": "sent"}
        by_path = {p["path"]: p for p in posts}
        assert set(by_path) == {f"/{SECRET_PATH}", "/bob"}
        zoe, bob = by_path[f"/{SECRET_PATH}"], by_path["/bob"]
        assert "z004" in zoe["message"] and "z001" in zoe["message"]
        assert "b00" not in zoe["message"]
        assert bob["title"] == "stridewise 2026-11-22: nothing new"
        assert "z00" not in bob["message"] and "0 high, 0 moderate, 2 low" in bob["message"]
        assert _send(data) and len(posts) == 2  # the same night again: nothing sent
    with app_database(data) as engine, engine.connect() as connection:
        stored = connection.execute(select(notify_targets.c.url_encrypted)).scalars().all()
        assert all(SECRET_PATH not in s for s in stored)
        assert [t.shown for t in notifications.targets(engine, "zoe")] == [
            f"json://127.0.0.1:{port}/…"
        ]


def test_an_acknowledged_flag_is_not_announced_again_until_it_rises(data: Path) -> None:
    with http_receiver() as (port, posts):
        _add(data, "zoe", f"json://127.0.0.1:{port}/zoe", daily=True)
        _send(data)
        with app_database(data) as engine:
            acknowledge(engine, "z001", "seen", "zoe")
        _send(data, date(2026, 11, 23))  # the same scores: z004 still flagged, z001 seen
        assert "Still flagged, not yet acknowledged:\n- z004: high" in posts[-1]["message"]
        assert "z001" not in posts[-1]["message"] and "New since" not in posts[-1]["message"]
        risen = [_assessment("z001", "high", 0.009), *NIGHT[:1], *NIGHT[2:]]
        with app_database(data) as engine:  # another night
            notify.deliver(
                engine, notifications.recipients(engine, data)[0], risen, TEAMS,
                date(2026, 11, 24), None,
            )  # fmt: skip
        assert "New since the last digest:\n- z001: high" in posts[-1]["message"]


def test_a_failing_target_is_recorded_and_the_others_go_on(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notify, "RETRY_S", (0.0, 0.0))
    refused_port = free_port()  # nobody listens there
    with http_receiver(status=500) as (broken, _), http_receiver() as (port, posts):
        _add(data, "zoe", f"json://127.0.0.1:{broken}/down")
        _add(data, "zoe", f"json://127.0.0.1:{refused_port}/refused")
        _add(data, "bob", f"json://127.0.0.1:{port}/bob", daily=True)
        sent = {d.coach: d for d in _send(data)}
    assert sent["zoe"].outcome == "failed" and sent["bob"].outcome == "sent"
    assert len(posts) == 1
    with app_database(data) as engine:
        failed = notifications.failures(engine, "zoe")
    assert sorted(shown for _, shown, _ in failed) == sorted(
        [f"json://127.0.0.1:{broken}/…", f"json://127.0.0.1:{refused_port}/…"]
    )
    reason = "digest of 2026-11-22: refused or unreachable after 3 attempts"
    assert all(why == reason for *_, why in failed)


def test_a_night_killed_after_sending_does_not_send_again(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(*_: object) -> None:
        raise KeyboardInterrupt  # SIGINT between the delivery and its record

    with http_receiver() as (port, posts):
        _add(data, "zoe", f"json://127.0.0.1:{port}/zoe")
        with monkeypatch.context() as patch:
            patch.setattr(notifications, "mark_sent", killed)
            with pytest.raises(KeyboardInterrupt):
                _send(data)
        assert len(posts) == 1
        assert [d.outcome for d in _send(data)] == ["already sent"]
        assert len(posts) == 1


def test_e_mail_arrives_through_a_real_smtp_server(data: Path) -> None:
    port = free_port()
    with smtp_receiver(port) as mail:
        _add(data, "zoe", f"mailto://127.0.0.1:{port}?from=stridewise@example.org"
             "&to=zoe@example.org&mode=insecure")  # fmt: skip
        _send(data)
    (message,) = mail
    assert message["To"] == "zoe@example.org"
    assert message["Subject"] == "stridewise 2026-11-22: 2 newly at risk"
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert "z004: high" in text.get_payload(decode=True).decode()


def _stridewise(*args: object) -> subprocess.CompletedProcess[str]:
    return stridewise(*map(str, args))


def test_users_notify_adds_lists_tests_and_removes_without_showing_the_secret(
    data: Path,
) -> None:
    with http_receiver() as (port, posts):
        url = f"json://127.0.0.1:{port}/{SECRET_PATH}"
        added = _stridewise("users", "notify", "zoe", "--add", url, "--daily", "--data", data)
        assert added.returncode == 0, added.stderr
        assert added.stdout == f"zoe: target 1 added (json://127.0.0.1:{port}/…)\n"
        listed = _stridewise("users", "notify", "zoe", "--list", "--data", data)
        assert listed.stdout == f"1\tjson://127.0.0.1:{port}/…\tdaily\n"
        tested = _stridewise("users", "notify", "zoe", "--test", "--data", data)
        assert tested.returncode == 0 and posts[-1]["title"] == "stridewise test"
        for done in (added, listed, tested):
            assert SECRET_PATH not in done.stdout + done.stderr
    bad = _stridewise("users", "notify", "zoe", "--add", "nonsense://x", "--data", data)
    assert (bad.returncode, bad.stderr.strip()) == (
        2, "error: nonsense://…: not a notification URL stridewise sends to (mailto://, "
        "mailtos://, slack://, msteams://, ntfy://, ntfys://, json://, jsons://)"
    )  # fmt: skip
    metadata = "json://169.254.169.254/latest/meta-data"
    refused = _stridewise("users", "notify", "zoe", "--add", metadata, "--data", data)
    assert (refused.returncode, refused.stderr) == (
        2, "error: json://169.254.169.254/…: 169.254.169.254 is link-local, not a public address "
        f"(allowed for admin accounts and the networks in ${NETWORKS_VARIABLE} only)\n",
    )  # fmt: skip
    both = _stridewise("users", "notify", "zoe", "--list", "--test", "--data", data)
    assert both.returncode == 2 and "give one of" in both.stderr
    removed = _stridewise("users", "notify", "zoe", "--remove", "1", "--data", data)
    assert removed.stdout == "zoe: target 1 removed\n"


@pytest.mark.usefixtures("prefect")
def test_one_nightly_sends_each_coach_their_team_and_a_second_sends_only_what_failed(
    data: Path,
) -> None:
    """The issue's check, on the bundled team: two coaches of different teams, each with a
    json:// target on a local receiver (bob asked for a daily summary), and ann, of zoe's team,
    whose daily target is down on the first night and back on the second."""
    with app_database(data) as engine:
        add_coach(engine, "ann", PASSWORD, ["zurich"])
    late = free_port()  # nobody listens there on the first night
    _add(data, "ann", f"json://127.0.0.1:{late}/ann", daily=True)
    with http_receiver() as (port, posts):
        _add(data, "zoe", f"json://127.0.0.1:{port}/zoe")
        _add(data, "bob", f"json://127.0.0.1:{port}/bob", daily=True)
        args = (
            *("nightly", SAMPLES / "inbox", "--data", data, "--injuries", SAMPLES / "injuries.csv"),
            *("--dashboard-url", "https://dash.example", "--json"),
        )
        first = stridewise(*args, env=harness_env())
        assert first.returncode == 0, first.stderr
        assert "digests to 2 coaches, 1 failed" in first.stderr
        scored = {a["athlete_id"]: a["tier"] for a in json.loads(first.stdout)}
        by_coach = {p["path"]: p for p in posts}
        assert len(posts) == 2
        roster = {"zoe": "z", "bob": "b"}  # zurich athletes are z00n, boston b00n (roster.csv)
        for coach, prefix in roster.items():
            flagged = sorted(a for a, tier in scored.items() if tier != "low" and a[0] == prefix)
            named = sorted(set(re.findall(r"- (\w\d+): ", by_coach[f"/{coach}"]["message"])))
            assert named == flagged, (coach, by_coach[f"/{coach}"])
        assert "z004" in by_coach["/zoe"]["message"] and "b00" not in by_coach["/zoe"]["message"]
        with http_receiver(port=late) as (_, late_posts):
            second = stridewise(*args, env=harness_env())
        assert second.returncode == 0, second.stderr
        assert len(posts) == 2  # zoe and bob (daily) had this day's digest
        (ann,) = late_posts  # ann's, which failed: the same digest as zoe's
        assert (ann["title"], ann["message"]) == (
            by_coach["/zoe"]["title"],
            by_coach["/zoe"]["message"],
        )
    with app_database(data) as engine:
        (failed,) = notifications.failures(engine, "ann")
    day = json.loads(first.stdout)[0]["date"]  # the night's as-of day
    assert failed[1:] == (
        f"json://127.0.0.1:{late}/…",
        f"digest of {day}: refused or unreachable after 3 attempts",
    )


def test_the_same_day_again_sends_nothing_even_a_daily_summary(data: Path) -> None:
    """Acknowledging, and being told, changes the day's summary: still not sent twice."""
    with http_receiver() as (port, posts):
        _add(data, "zoe", f"json://127.0.0.1:{port}/zoe", daily=True)
        assert [d.outcome for d in _send(data)] == ["sent"]
        with app_database(data) as engine:
            acknowledge(engine, "z004", "seen", "zoe")
        assert [d.outcome for d in _send(data)] == ["already sent"]
        assert [p["title"] for p in posts] == ["stridewise 2026-11-22: 2 newly at risk"]


def test_a_target_down_then_back_gets_that_day_s_digest_once(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notify, "RETRY_S", (0.0, 0.0))
    down = free_port()
    _add(data, "zoe", f"json://127.0.0.1:{down}/zoe", daily=True)
    assert [d.outcome for d in _send(data)] == ["failed"]
    with http_receiver(port=down) as (_, posts):
        assert [d.outcome for d in _send(data)] == ["sent"]
        assert [d.outcome for d in _send(data)] == ["already sent"]
    assert [p["title"] for p in posts] == ["stridewise 2026-11-22: 2 newly at risk"]
    assert "- z004: high (0.80%, 2.0 x the usual)" in posts[0]["message"]


def test_a_target_stored_before_the_rules_is_checked_again_before_sending(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loopback target written as an older version would have (no check), on an installation
    that does not allow loopback: the night refuses it, records why, and sends nothing."""
    monkeypatch.delenv(NETWORKS_VARIABLE)
    with http_receiver() as (port, posts), app_database(data) as engine:
        zoe = notifications.recipient(engine, data, "zoe").coach_id
        with engine.begin() as connection:
            connection.execute(
                insert(notify_targets).values(
                    coach_id=zoe, url_encrypted=encrypt(data, f"json://localhost:{port}/zoe"),
                    shown="json://localhost/…", daily=True, details=True,
                    created_at=datetime.now(UTC),
                )
            )  # fmt: skip
        assert [d.outcome for d in _send(data)] == ["failed"]
        (failed,) = notifications.failures(engine, "zoe")
    assert posts == []
    assert failed[2] == (
        "digest of 2026-11-22: localhost (127.0.0.1) is loopback, not a public address "
        f"(allowed for admin accounts and the networks in ${NETWORKS_VARIABLE} only)"
    )


def test_a_redirect_is_not_followed(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A public webhook could answer 307 towards an address the night must not reach."""
    monkeypatch.setattr(notify, "RETRY_S", (0.0, 0.0))
    with http_receiver() as (inner, posts):
        inward = f"http://127.0.0.1:{inner}/inner"
        with http_receiver(status=307, location=inward) as (outer, bounced):
            _add(data, "zoe", f"json://127.0.0.1:{outer}/zoe")
            assert [d.outcome for d in _send(data)] == ["failed"]
    assert len(bounced) == 3 and posts == []


def test_an_admin_may_send_to_loopback_without_the_setting(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(NETWORKS_VARIABLE)
    with app_database(data) as engine:
        add_coach(engine, "root", PASSWORD, [], admin=True)
    with http_receiver() as (port, posts):
        _add(data, "root", f"json://127.0.0.1:{port}/root")
        assert {d.coach: d.outcome for d in _send(data)} == {"root": "sent"}
    assert [p["path"] for p in posts] == ["/root"]


def test_list_shows_the_failures_of_tests_and_nights(data: Path) -> None:
    down = free_port()
    _add(data, "zoe", f"json://127.0.0.1:{down}/zoe")
    tested = _stridewise("users", "notify", "zoe", "--test", "--data", data)
    assert tested.returncode == 1
    assert (
        tested.stdout == f"1\tjson://127.0.0.1:{down}/…\trefused or unreachable after 3 attempts\n"
    )
    listed = _stridewise("users", "notify", "zoe", "--list", "--data", data)
    assert listed.stdout == f"1\tjson://127.0.0.1:{down}/…\n"
    (line,) = listed.stderr.splitlines()
    assert re.fullmatch(
        rf"failed \d{{4}}-\d\d-\d\d \d\d:\d\d json://127\.0\.0\.1:{down}/…: "
        r"test: refused or unreachable after 3 attempts",
        line,
    ), line
