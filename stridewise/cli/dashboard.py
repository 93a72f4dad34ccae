"""`stridewise dashboard` (serve the coach dashboard) and `stridewise users add`."""

from __future__ import annotations

import getpass
import os
import socket
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from stridewise.cli.console import fail
from stridewise.cli.risk import DataOption, data_dir, existing_data_dir

DEFAULT_WORKERS = min(os.cpu_count() or 1, 4)

users = typer.Typer(help="Coach accounts of the dashboard.", no_args_is_help=True)


def dashboard(
    data: DataOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int, typer.Option(help="Server processes (default: one per core, at most 4).", min=1)
    ] = DEFAULT_WORKERS,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            metavar="ADDR",
            help="A reverse proxy's address (or network) whose X-Forwarded-For and "
            "X-Forwarded-Proto are believed (repeat for several; default: none).",
        ),
    ] = None,
) -> None:
    """Serve the coach dashboard (team page, athlete pages, JSON API at /api/docs) over the
    data directory the nightly flow writes. Behind TLS, run it behind a proxy that sets
    X-Forwarded-Proto and X-Forwarded-For, named with --trusted-proxy, so that session
    cookies are marked Secure and sign-ins are counted per client. Requests are not logged
    (the paths name athletes)."""
    import uvicorn

    from stridewise.dashboard.app import DATA_VARIABLE

    store = existing_data_dir(data, ": run `stridewise nightly` first")
    for proxy in trusted_proxy or []:
        _check_proxy(proxy)
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            fail(f"{host}:{port}: cannot listen there: {error.strerror}")
    os.environ[DATA_VARIABLE] = str(store.resolve())
    typer.echo(f"dashboard on http://{host}:{port} (Ctrl-C stops)", err=True)
    uvicorn.run(
        "stridewise.dashboard.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        # forwarded headers from anyone else are anyone's words: ignored (uvicorn's own
        # default trusts 127.0.0.1, i.e. every local user, and $FORWARDED_ALLOW_IPS)
        proxy_headers=bool(trusted_proxy),
        forwarded_allow_ips=",".join(trusted_proxy or []) or None,
    )


def _check_proxy(proxy: str) -> None:
    """An IP address or network (uvicorn would take a typo for a host name, never matched)."""
    import ipaddress

    try:
        ipaddress.ip_network(proxy, strict=False)
    except ValueError:
        fail(f"--trusted-proxy {proxy!r}: not an IP address or network")


@users.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="The coach's sign-in name.")],
    team: Annotated[
        list[str] | None, typer.Option(help="A team they see (repeat for several).")
    ] = None,
    admin: Annotated[bool, typer.Option("--admin", help="Sees every team.")] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    data: DataOption = None,
) -> None:
    """Create a coach account; the password is asked for (or read with --password-stdin)."""
    from stridewise.dashboard.auth import add_coach
    from stridewise.store.app_db import app_database
    from stridewise.store.inputs import ATHLETE_ID

    if not ATHLETE_ID.match(username):
        fail(f"{username!r}: letters, digits, '.', '_' or '-' only")
    if not team and not admin:
        fail("give at least one --team, or --admin")
    store = data_dir(data)
    _check_teams(team or [], store)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            fail("the two passwords differ")
    store.mkdir(parents=True, exist_ok=True)
    try:
        with app_database(store) as engine:
            add_coach(engine, username, password, team or [], admin)
    except ValueError as error:
        fail(str(error))
    teams = "every team" if admin else ", ".join(sorted(set(team or [])))
    typer.echo(f"{username}: can sign in; sees {teams}")


def _check_teams(teams: list[str], data: Path) -> None:
    """Each team must be one of the data directory's roster (the dashboard's teams), or the
    account would see nobody."""
    from stridewise.store.inputs import InputError, kept, read_teams

    roster = kept(data, "roster.csv")
    try:
        known = sorted(set(read_teams(roster).values()))
    except InputError as error:
        fail(str(error))
    unknown = sorted(set(teams) - set(known))
    if unknown and roster is None:
        fail(f"{data}/roster.csv: no roster yet, so no teams: copy the roster there first")
    if unknown:
        teams_known = ", ".join(known) or "none"
        fail(f"--team {unknown[0]!r}: not a team of {roster} (its teams: {teams_known})")


@users.command("list")
def list_users(data: DataOption = None) -> None:
    """The accounts: name, and the teams they see."""
    from stridewise.dashboard.auth import list_coaches
    from stridewise.store.app_db import app_database

    store = existing_data_dir(data)
    with app_database(store) as engine:
        for coach in list_coaches(engine):
            teams = "every team (admin)" if coach.is_admin else ", ".join(sorted(coach.teams))
            typer.echo(f"{coach.username}\t{teams}")


@users.command("remove")
def remove_user(
    username: Annotated[str, typer.Argument(help="The coach's sign-in name.")],
    data: DataOption = None,
) -> None:
    """Delete an account: it can no longer sign in, and its open sessions end. The injuries
    and acknowledgements it logged stay, under its name."""
    from stridewise.dashboard.auth import remove_coach
    from stridewise.store.app_db import app_database

    store = existing_data_dir(data)
    try:
        with app_database(store) as engine:
            remove_coach(engine, username)
    except ValueError as error:
        fail(str(error))
    typer.echo(f"{username}: removed")


@users.command("notify")
def notify_user(
    username: Annotated[str, typer.Argument(help="The coach's sign-in name.")],
    add: Annotated[
        str | None,
        typer.Option(
            "--add",
            help="An Apprise URL: mailto:// or mailtos:// (e-mail), slack://, msteams://, "
            "ntfy:// or ntfys://, json:// or jsons:// (any webhook), to a public host "
            "(docs/operations.md). Stored encrypted.",
        ),
    ] = None,
    daily: Annotated[
        bool, typer.Option("--daily", help="With --add: a summary even when nothing is new.")
    ] = False,
    details: Annotated[
        bool,
        typer.Option(
            "--details",
            help="With --add: drivers and advice in the message (only for a channel you "
            "trust with health data).",
        ),
    ] = False,
    remove: Annotated[int | None, typer.Option("--remove", help="Remove target N.")] = None,
    show: Annotated[bool, typer.Option("--list", help="The targets, redacted.")] = False,
    test: Annotated[bool, typer.Option("--test", help="Send a test message to each.")] = False,
    data: DataOption = None,
) -> None:
    """A coach's notification targets: where the morning digest of their teams goes."""
    from stridewise.store import notifications
    from stridewise.store.app_db import app_database
    from stridewise.store.secrets import SecretError

    actions = [add is not None, remove is not None, show, test]
    if sum(actions) != 1:
        fail("give one of --add URL, --remove N, --list or --test")
    if (daily or details) and add is None:
        fail("--daily and --details go with --add")
    store = existing_data_dir(data)
    try:
        with app_database(store) as engine:
            if add is not None:
                target = notifications.add_target(
                    engine, store, username, add, daily=daily, details=details
                )
                typer.echo(f"{username}: target {target.id} added ({target.shown})")
            elif remove is not None:
                notifications.remove_target(engine, username, remove)
                typer.echo(f"{username}: target {remove} removed")
            elif show:
                _list_targets(engine, username)
            elif not _test_targets(engine, store, username):
                raise typer.Exit(1)
    except (ValueError, SecretError) as error:
        fail(str(error))


def _list_targets(engine: Any, username: str) -> None:
    """Each target (redacted, with its options), then the latest failed deliveries."""
    from stridewise.store import notifications

    for t in notifications.targets(engine, username):
        flags = [name for name, on in (("daily", t.daily), ("details", t.details)) if on]
        typer.echo("\t".join([str(t.id), t.shown, *flags]))
    for at, shown, reason in notifications.failures(engine, username, limit=5):
        typer.echo(f"failed {at:%Y-%m-%d %H:%M} {shown}: {reason}", err=True)


def _test_targets(engine: Any, data: Path, username: str) -> bool:
    """A test message to each target (a failure is kept for `--list`); whether every one was
    delivered."""
    from stridewise.flows.notify import try_targets
    from stridewise.store import notifications

    coach = notifications.recipient(engine, data, username)
    if not coach.targets:
        fail(f"{username} has no target: add one with --add URL")
    done = try_targets(engine, coach)
    for t, reason in done:
        typer.echo(f"{t.id}\t{t.shown}\t{reason or 'delivered'}")
    return not any(reason for _, reason in done)
