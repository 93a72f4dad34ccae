"""The `stridewise` command line: a thin shell over features/, models/ and flows/."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from stridewise import __version__

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
    from features.fit import FitDecodeError, read_activity
    from features.fit.files import find_fit_files
    from features.fit.summary import activity_summary

    read = failed = 0
    for path in find_fit_files(paths):
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
