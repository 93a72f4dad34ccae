"""`stridewise nightly`: the nightly flow once, on Prefect's embedded temporary server."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from stridewise.console import fail
from stridewise.risk_cli import data_dir


def _prefect_environment(data: Path) -> None:
    """Prefect's home under the data directory, no telemetry, quiet logs (unless set)."""
    home = Path(os.environ.setdefault("PREFECT_HOME", str((data / "prefect").resolve())))
    home.mkdir(parents=True, exist_ok=True)  # Prefect creates its home, not the folders above
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # the first start in a new home migrates its database: 25 s here, past the default 20 s
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def nightly(
    inbox: Annotated[Path, typer.Argument(help="Inbox of <athlete_id>/ folders of FIT files.")],
    data: Annotated[
        Path | None,
        typer.Option(help="Data directory (default $STRIDEWISE_DATA or ./stridewise-data)."),
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Day to score (default: the last with data)."),
    ] = None,
    roster: Annotated[Path | None, typer.Option(help="roster.csv (HR zones, speeds).")] = None,
    injuries: Annotated[Path | None, typer.Option(help="injuries.csv, the injury log.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """Ingest new files, update load histories, score the team, publish the report.

    Files are identified by their bytes (sha256): renamed or re-synced copies are duplicates;
    bad files are quarantined with their reason and the run goes on. Running it again on the
    same inbox changes nothing.
    """
    from stridewise.inputs import InputError, read_injuries, read_roster

    if not inbox.is_dir():
        fail(f"{inbox}: not a folder")
    try:
        for path, read in ((roster, read_roster), (injuries, read_injuries)):
            if path is not None:
                read(path)
    except InputError as error:
        fail(str(error))
    store = data_dir(data)
    _prefect_environment(store)
    from flows.nightly import nightly as flow
    from stridewise.render import team_table

    typer.echo("running the nightly flow (Prefect start-up included) ...", err=True)
    assessments = flow(inbox, store, as_of.date() if as_of else None, roster, injuries)
    if as_json:
        typer.echo(json.dumps([a.as_dict() for a in assessments], indent=2))
    else:
        typer.echo(team_table(assessments))
