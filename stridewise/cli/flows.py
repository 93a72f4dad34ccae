"""The commands of the data directory and its Prefect home: `nightly` and `retrain` (the
flows once, on Prefect's temporary server), `serve` (on a schedule), `forget` (erase an
athlete)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stridewise.cli.console import athlete_inputs, fail, progress, warn, writable
from stridewise.cli.risk import DataOption, data_dir, existing_data_dir

if TYPE_CHECKING:
    from stridewise.store.days import DataDays

InjuriesOption = Annotated[
    Path | None, typer.Option(help="injuries.csv, the injury log (default DATA/injuries.csv).")
]


DashboardUrlOption = Annotated[
    str | None,
    typer.Option(
        envvar="STRIDEWISE_DASHBOARD_URL",
        help="The dashboard's address, for the links in the coaches' digests.",
    ),
]


def _prefect_environment(data: Path) -> None:
    """Prefect's home under the data directory, no telemetry, quiet logs (unless set)."""
    home = Path(os.environ.setdefault("PREFECT_HOME", str((data / "prefect").resolve())))
    home.mkdir(parents=True, exist_ok=True)  # Prefect creates its home, not the folders above
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # the first start in a new home migrates its database: 25 s here, past the default 20 s
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _check_cluster(address: str) -> None:
    """A Dask scheduler that cannot be reached is a one-line error, before Prefect starts."""
    from distributed import Client

    try:
        Client(address, timeout="10s").close()
    except (OSError, ValueError) as error:
        fail(f"{address}: cannot reach the Dask scheduler: {error}")


def nightly(
    inbox: Annotated[Path, typer.Argument(help="Inbox of <athlete_id>/ folders of FIT files.")],
    data: DataOption = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Day to score (default: the last with data)."),
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option(
            help="roster.csv: teams, HR zones, speeds (default DATA/roster.csv, else "
            "INBOX/roster.csv)."
        ),
    ] = None,
    injuries: InjuriesOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
    dask_address: Annotated[
        str | None,
        typer.Option(
            envvar="STRIDEWISE_DASK_ADDRESS",
            help="Decode on this Dask cluster (tcp://host:8786) instead of local threads.",
        ),
    ] = None,
    dashboard_url: DashboardUrlOption = None,
) -> None:
    """Ingest new files, update load histories, score the team, publish the report, send
    each coach with a notification target their digest (`stridewise users notify`).

    Files are identified by their bytes (sha256): renamed or re-synced copies are duplicates;
    bad files are quarantined with their reason and the run goes on. Each batch is recorded
    when done: a backfill stopped by Ctrl-C or a crash resumes where it was. Running it
    again on the same inbox changes nothing.
    """
    from stridewise.store.inputs import default_roster, kept

    if not inbox.is_dir():
        fail(f"{inbox}: not a folder")
    store = writable(data_dir(data))
    roster = roster or default_roster(store, inbox)
    injuries = injuries or kept(store, "injuries.csv")
    _check_night(inbox, store, as_of.date() if as_of else None, roster, injuries)
    _prefect_environment(store)
    from stridewise.cli.render import team_table
    from stridewise.flows.nightly import nightly as flow
    from stridewise.flows.progress import listening

    if dask_address:
        from stridewise.flows.nightly import on_dask

        _check_cluster(dask_address)
        flow = on_dask(dask_address)
    typer.echo("running the nightly flow (Prefect start-up included) ...", err=True)
    with progress() as bar:
        files = bar.add_task("new files", total=None)
        with listening(lambda done, total: bar.update(files, completed=done, total=total)):
            try:
                night = flow(
                    inbox,
                    store,
                    as_of.date() if as_of else None,
                    roster,
                    injuries,
                    dashboard_url=dashboard_url,
                )
            except OSError as error:
                fail(f"{error.filename or store}: {error.strerror or error}")
    if night.refused:
        fail(night.refused)
    for path, reason in night.quarantined:
        typer.echo(f"{path}: quarantined: {reason}", err=True)
    for line in (*(s.line for s in night.skipped), *night.copies):
        typer.echo(line, err=True)
    typer.echo(night.summary(), err=True)
    if as_of and not night.assessments:
        from stridewise.models.team import ACTIVE_DAYS

        span = "none yet" if night.span is None else "{} to {}".format(*night.span)
        fail(
            f"--as-of {as_of:%Y-%m-%d}: nobody ran in the {ACTIVE_DAYS} days up to it, so "
            f"nobody was scored (the data's days: {span})"
        )
    if as_json:
        typer.echo(json.dumps([a.as_dict() for a in night.assessments], indent=2))
    else:
        typer.echo(team_table(night.assessments))


def _check_night(
    inbox: Path, data: Path, as_of: date | None, roster: Path | None, injuries: Path | None
) -> None:
    """What a night is given, checked before Prefect starts: the inbox's layout, the as-of
    day, the roster and the injury log (against the store's athletes and the inbox's)."""
    from stridewise.store.days import DataDays, data_days
    from stridewise.store.inputs import InputError, read_injuries, read_roster
    from stridewise.store.tables import Store

    found = athlete_inputs([inbox], say_skipped=False)  # the flow says the skipped itself
    known = data_days(Store(data))
    if as_of is not None:
        _check_as_of(as_of, inbox, data, known)
    athletes = DataDays({**dict.fromkeys(a for a, _ in found), **known.first_runs}, known.span)
    try:
        if roster is not None:
            read_roster(roster, warn)
        if injuries is not None:
            read_injuries(injuries, athletes, date.today(), warn)
    except InputError as error:
        fail(str(error))


def _check_as_of(day: date, inbox: Path, data: Path, known: DataDays) -> None:
    """Refuse at once an --as-of outside the data's days (`known`: the store's): a day after
    today at once; one outside the store's days unless the inbox holds bytes the manifest has
    not recorded (hashed as the flow hashes them; a copy of a recorded file brings no new
    day), whose days the flow then checks right after decoding them, before it writes any
    table."""
    from stridewise.store.days import day_outside

    today = date.today()
    reason = day_outside("--as-of", day, known.span, today)
    if reason is None:
        return
    if day > today:
        fail(reason)
    import polars as pl

    from stridewise.store.inbox import scan_inbox
    from stridewise.store.tables import Store

    hashes = pl.Series([f.sha256 for f in scan_inbox(inbox).files], dtype=pl.String)
    recorded = Store(data).having("manifest", "sha256", hashes, ["sha256"])["sha256"]
    if hashes.is_in(recorded.implode()).all():  # no bytes the store has not seen: no new day
        fail(reason)


def retrain(
    data: DataOption = None,
    injuries: InjuriesOption = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the stumps baseline.")] = 0,
) -> None:
    """Retrain the risk model on the store's athlete-days and the injury log (the CSV and
    the app database); register it only if, on athletes set aside from every retraining, it
    is not worse than the model in use (ROC-AUC and Brier). Every candidate is kept under
    DATA/models/ with its comparison."""
    from stridewise.models.labels import examples
    from stridewise.models.selection import NotEnoughData, split_for_retraining
    from stridewise.store.inputs import InputError, injury_history
    from stridewise.store.tables import Store

    store = data_dir(data)
    if not Store(store).exists("athlete_days"):
        fail(f"{store}: no athlete-days yet: run `stridewise nightly` first")
    try:  # the flow's own split, on two columns: too few onsets is said before Prefect starts
        days = Store(store).read("athlete_days", columns=["athlete_id", "local_date"])
        split_for_retraining(examples(days, injury_history(store, injuries, warn=warn)))
    except InputError as error:
        fail(str(error))
    except NotEnoughData as reason:
        fail(f"{store}: not retrained: {reason}")
    _prefect_environment(store)
    from stridewise.flows.train import retrain as flow

    typer.echo("running the train flow (Prefect start-up included) ...", err=True)
    result = flow(store, injuries, seed=seed)
    if "skipped" in result:
        fail(f"{store}: not retrained: {result['skipped']}")
    candidate, current = result["candidate"], result["current"]
    verdict = "registered" if result["registered"] else "kept, not registered (worse)"
    typer.echo(
        f"{result['version']}: {verdict}; on {result['n_athletes']} set-aside athletes "
        f"ROC-AUC {candidate['roc_auc']:.3f} vs {current['roc_auc']:.3f}, Brier "
        f"{candidate['brier']:.5f} vs {current['brier']:.5f} ({result['current_version']})"
    )


def _prefect_database() -> str | None:
    """Prefect's database URL, or None when it is a SQLite file not created yet."""
    from prefect.settings import get_current_settings

    url = get_current_settings().server.database.connection_url
    url = url.get_secret_value() if url else ""
    if url.startswith("sqlite") and not Path(url.split("///", 1)[-1]).is_file():
        return None
    return url or None


def forget(
    athlete_id: Annotated[str, typer.Argument(help="The athlete to erase.")],
    data: DataOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase an athlete from the data directory: every table and its old versions, the
    manifest, the app database, the quarantine, the kept roster and injury log, and the
    Prefect reports and log lines that name them. Their files in the inbox are not touched:
    the command lists where they are."""
    from stridewise.store.erase import known_athletes
    from stridewise.store.ids import AthleteIdError
    from stridewise.store.ids import athlete_id as checked
    from stridewise.store.inputs import InputError, nearest

    try:
        athlete_id = checked(athlete_id)
    except AthleteIdError as error:
        fail(str(error))
    store = existing_data_dir(data)
    try:
        known = known_athletes(store)
    except InputError as error:
        fail(str(error))
    if athlete_id not in known:
        close = ", ".join(nearest(athlete_id, known, n=3)) or "none close"
        fail(f"{athlete_id}: no such athlete in {store} (the closest ids: {close})")
    if not yes:
        if not sys.stdin.isatty():
            fail("erasing cannot be undone: add --yes to confirm")
        typer.confirm(f"Erase {athlete_id} from {store}? This cannot be undone", abort=True)
    _prefect_environment(store)
    from stridewise.store.erase import forget_athlete

    try:
        erased = forget_athlete(store, athlete_id, _prefect_database())
    except OSError as error:
        fail(f"{error.filename or store}: {error.strerror or error}")
    typer.echo(
        f"{athlete_id}: erased ({erased.manifest_files} files in the manifest, "
        f"{erased.quarantined} quarantined, {erased.prefect_rows} Prefect records)"
    )
    for folder in erased.inbox_folders:
        typer.echo(
            f"note: their watch files are still in {folder}: remove them from the sync, "
            "or the next nightly run ingests them again",
            err=True,
        )


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def serve(
    inbox: Annotated[Path, typer.Argument(help="Inbox of <athlete_id>/ folders of FIT files.")],
    data: DataOption = None,
    cron: Annotated[str, typer.Option(help="When the nightly flow runs.")] = "0 2 * * *",
    train_cron: Annotated[
        str, typer.Option(help="When the model is retrained (default Sundays 04:00).")
    ] = "0 4 * * 0",
    timezone: Annotated[str, typer.Option(help="Time zone of the schedules (IANA name).")] = "UTC",
    port: Annotated[int, typer.Option(help="Port of the Prefect server it starts.")] = 4200,
    dashboard_url: DashboardUrlOption = None,
) -> None:
    """Serve the nightly flow and the retraining on their schedules until stopped (Ctrl-C).

    With no Prefect server configured (PREFECT_API_URL), it starts one on 127.0.0.1:PORT with
    its database in DATA/prefect (the UI is there too); otherwise it registers with that one.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not inbox.is_dir():
        fail(f"{inbox}: not a folder")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"--timezone {timezone!r}: not a time zone name (e.g. Europe/Zurich)")
    store = writable(data_dir(data)).resolve()
    _prefect_environment(store)
    from prefect.schedules import validate_cron_string

    for option, value in (("--cron", cron), ("--train-cron", train_cron)):
        try:
            validate_cron_string(value)
        except ValueError:
            fail(f"{option} {value!r}: not a cron expression (e.g. '0 2 * * *')")
    from stridewise.flows.deployments import serve_deployments
    from stridewise.flows.server import ServerError, local_server

    with contextlib.ExitStack() as stack:
        if not os.environ.get("PREFECT_API_URL"):
            try:
                url = stack.enter_context(local_server(Path(os.environ["PREFECT_HOME"]), port))
            except ServerError as error:
                fail(str(error))
            os.environ["PREFECT_API_URL"] = url  # for the runs the runner starts, too
            typer.echo(f"Prefect server and UI: {url.removesuffix('/api')}", err=True)
        from prefect.settings import PREFECT_API_URL, temporary_settings

        stack.enter_context(temporary_settings({PREFECT_API_URL: os.environ["PREFECT_API_URL"]}))
        typer.echo(
            f"serving nightly ({cron}) and train ({train_cron}), {timezone}; Ctrl-C stops",
            err=True,
        )
        signal.signal(signal.SIGTERM, _interrupt)  # so that the server is stopped too
        with contextlib.suppress(KeyboardInterrupt):
            serve_deployments(inbox.resolve(), store, cron, train_cron, timezone, dashboard_url)
