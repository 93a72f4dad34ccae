"""The `stridewise` command line: a thin shell over features/, models/ and flows/."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from stridewise import __version__
from stridewise.cli.console import decode_runs, fail, output_file, progress, warn, write_parquet
from stridewise.cli.dashboard import dashboard, users
from stridewise.cli.flows import forget, nightly, retrain, serve
from stridewise.cli.risk import evaluate, score, train
from stridewise.store.layout import PRIVATE_UMASK

app = typer.Typer(
    help="Early warning of hip overuse injury from running-watch FIT files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class DecoderChoice(StrEnum):
    numpy = "numpy"
    fitparse = "fitparse"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stridewise {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Early warning of hip overuse injury from running-watch FIT files."""
    os.umask(PRIVATE_UMASK)  # every file and folder made from here on: its user's alone


@app.command()
def inspect(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATH", help="FIT files, or folders searched for *.fit."),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line instead of text.")
    ] = False,
    decoder: Annotated[
        DecoderChoice, typer.Option(help="numpy (fast, default) or fitparse (the reference).")
    ] = DecoderChoice.numpy,
    check_crc: Annotated[
        bool, typer.Option("--check-crc/--ignore-crc", help="Refuse files whose CRC is wrong.")
    ] = True,
) -> None:
    """Decode FIT files and print one line per file: sport, start, distance, cadence, GCT balance.

    A file that cannot be read is reported with its path and the reason; the others go on.

    Exit code: 0 when every file was read, 2 when any failed.
    """
    from stridewise.features.fit import FitDecodeError, read_activity
    from stridewise.features.fit.files import find_fit_files
    from stridewise.features.fit.summary import activity_summary

    read = failed = 0
    for path in _once(find_fit_files(paths)):
        try:
            activity = read_activity(path, decoder=decoder.value, check_crc=check_crc)
        except FitDecodeError as error:
            failed += 1
            if as_json:
                typer.echo(json.dumps({"path": str(path), "error": error.reason}))
            else:
                typer.echo(f"{path}: error: {error.reason}", err=True)
            continue
        read += 1
        summary = {"path": str(path), **activity_summary(activity)}
        typer.echo(json.dumps(summary) if as_json else _line(summary))
    if read + failed == 0:
        typer.echo("error: no .fit files found in " + ", ".join(map(str, paths)), err=True)
        raise typer.Exit(2)
    total = read + failed
    typer.echo(f"{total} file{'' if total == 1 else 's'}: {read} read, {failed} failed", err=True)
    raise typer.Exit(2 if failed else 0)


@app.command()
def features(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="FIT files, or inbox folders with one sub-folder per athlete.",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Write the athlete-day table here (.parquet).")
    ],
    runs_out: Annotated[
        Path | None, typer.Option("--runs", help="Also write the per-run table here (.parquet).")
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option(
            help="roster.csv: sex, birth year, max and rest HR (heart-rate load),"
            " reference speed (cadence)."
        ),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Last day of the table (default: last run)."),
    ] = None,
    decoder: Annotated[
        DecoderChoice, typer.Option(help="numpy (fast, default) or fitparse (the reference).")
    ] = DecoderChoice.numpy,
) -> None:
    """Compute per-run and athlete-day features (load, spikes, cadence, asymmetry).

    A folder is read as an inbox: each sub-folder is an athlete (inbox/<athlete_id>/...fit);
    a file on its own belongs to the athlete its folder is named after. Every column is
    defined in docs/features.md. A file that cannot be read is reported and skipped.

    Exit code: 0 when every file was read, 2 when any failed (the tables are still written).
    """
    from stridewise.features.daily import athlete_days
    from stridewise.store.days import day_outside, widened
    from stridewise.store.inputs import InputError, read_roster

    out = output_file(out)
    runs_out = output_file(runs_out) if runs_out else None
    today = date.today()
    if until and until.date() > today:  # refused before decoding: no data goes past today
        fail(f"--until {until:%Y-%m-%d} is after today ({today})")
    try:
        athletes = read_roster(roster, warn) if roster else None
    except InputError as error:
        fail(str(error))
    decoded = decode_runs(paths, athletes, decoder.value)
    runs = decoded.runs
    if until:
        refused = day_outside("--until", until.date(), widened(None, runs["local_date"]), today)
        if refused:
            fail(refused)  # before a table is written
    days = athlete_days(runs, until.date() if until else None)
    write_parquet(days, out)
    if runs_out:
        write_parquet(runs, runs_out)
    typer.echo(
        f"{decoded.files} files: {runs.height} activities ({runs['is_running'].sum()} runs),"
        f" {decoded.failed} failed; {days.height} athlete-days"
        f" for {days['athlete_id'].n_unique()} athletes -> {out}",
        err=True,
    )
    raise typer.Exit(2 if decoded.failed else 0)


class Effects(StrEnum):
    published = "published"
    low = "low"
    high = "high"


class Recording(StrEnum):
    smart = "smart"
    one_second = "1s"


@app.command()
def simulate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the team into.")],
    athletes: Annotated[int, typer.Option(min=1, help="Number of athletes.")] = 8,
    weeks: Annotated[int, typer.Option(min=1, max=520, help="Weeks of training.")] = 12,
    seed: Annotated[int, typer.Option(min=0, help="Same seed, same bytes.")] = 1,
    start: Annotated[
        datetime,
        typer.Option(formats=["%Y-%m-%d"], help="First day (a Monday)."),
    ] = datetime(2026, 6, 1),
    squads: Annotated[int, typer.Option(min=1, max=4, help="Squads (time zones).")] = 2,
    recording: Annotated[
        Recording, typer.Option(help="smart (a record every 3-5 s) or 1s.")
    ] = Recording.smart,
    summary_only: Annotated[
        bool,
        typer.Option(
            "--summary-only",
            help="Skip the FIT files: write runs.parquet, the per-run table that"
            " `stridewise features --runs` would compute from them.",
        ),
    ] = False,
    prodrome_pct: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=5.0,
            help="Shift GCT balance up to this many pp away from the painful side in the 21"
            " days before an onset (default 0: no evidence for it; sensitivity analysis only).",
        ),
    ] = 0.0,
    effects: Annotated[
        Effects,
        typer.Option(
            help="The published effects at their point estimates, or every effect with a 95 %"
            " interval at its low or high end (sensitivity analysis)."
        ),
    ] = Effects.published,
    hazard_scale: Annotated[
        float,
        typer.Option(
            min=0.1,
            max=50.0,
            help="Multiply the base hazard (more onsets per athlete, for recovery tests;"
            " default 1: about 5 % of runners injured in six months).",
        ),
    ] = 1.0,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes (default: one per core).")
    ] = os.cpu_count() or 1,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a simulation already in --out.")
    ] = False,
) -> None:
    """Simulate a running team: FIT files, roster, hip injuries and the true daily risk.

    Writes OUT/inbox/<athlete_id>/<start>.fit (or OUT/runs.parquet with --summary-only),
    OUT/roster.csv, OUT/injuries.csv, OUT/truth.parquet and OUT/hazard_ratios.json. The
    model behind it, every parameter and its source: docs/simulator.md.
    """
    from stridewise.simulator.team import OUTPUTS, Config
    from stridewise.simulator.team import simulate as run

    if start.weekday() != 0:
        fail(f"--start {start:%Y-%m-%d} is a {start:%A}; weeks start on a Monday")
    if out.exists() and not out.is_dir():
        fail(f"--out {out} is a file; give a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"{out}: cannot create the folder: {error.strerror or error}")
    existing = [out / name for name in OUTPUTS if (out / name).exists()]
    if existing and not force:
        fail(f"{out} already holds a simulation ({existing[0].name}); add --force to replace it")
    for path in existing:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    config = Config(
        athletes,
        weeks,
        seed,
        start.date(),
        squads,
        recording.value,
        hazard_scale=hazard_scale,
        prodrome_pct=prodrome_pct,
        effects=effects.value,
    )
    with progress() as bar:
        task = bar.add_task("simulating athletes", total=athletes)
        counts = run(
            config,
            out,
            summary_only=summary_only,
            workers=workers,
            progress=lambda done: bar.advance(task, done),
        )
    written = (
        f"{counts['runs']} runs in runs.parquet"
        if summary_only
        else (f"{counts['files']} FIT files")
    )
    injuries = counts["injuries"]
    typer.echo(
        f"{athletes} athletes x {weeks} weeks: {written},"
        f" {injuries} hip injur{'y' if injuries == 1 else 'ies'} -> {out}",
        err=True,
    )


def _once(files: Iterable[Path]) -> Iterator[Path]:
    """Each file once, however often it was named (`inspect a.fit .`): the first spelling of
    each real path."""
    seen: set[Path] = set()
    for file in files:
        if (real := file.resolve()) not in seen:
            seen.add(real)
            yield file


def _line(s: dict[str, Any]) -> str:
    """The text form of a summary: short, fixed order, '-' for unknown."""
    sport = s["sport"] or "?"
    if s["sub_sport"] not in (None, "generic"):
        sport += f"/{s['sub_sport']}"
    start = (s["start_time_utc"] or "?")[:16].replace("T", " ")
    km = "-" if s["distance_m"] is None else f"{s['distance_m'] / 1000:.2f} km"
    minutes, seconds = divmod(round(s["moving_time_s"]), 60)
    cadence = "-" if s["cadence_spm_mean"] is None else f"{s['cadence_spm_mean']:.1f} spm"
    balance = (
        "-" if s["gct_balance_left_pct_mean"] is None else f"L{s['gct_balance_left_pct_mean']:.1f}%"
    )
    flags = " truncated" if s["truncated"] else ""
    return (
        f"{s['path']}  {sport}  {start}Z  {km}  {minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
        f"  {s['records']} rec  {cadence}  GCT {balance}  {s['device']}"
        f"  RD:{'yes' if s['has_running_dynamics'] else 'no'}{flags}"
    )


for command in (train, evaluate, score, nightly, retrain, serve, forget, dashboard):
    app.command()(command)
app.add_typer(users, name="users")
