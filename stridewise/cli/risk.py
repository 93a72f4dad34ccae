"""`stridewise train`, `evaluate` and `score`: the risk model from the command line.

`score` is the ad hoc path and must answer in about a second: it imports neither Prefect nor
scikit-learn (the model is scored from arrays, models/scorer.py), and everything heavy is
imported inside the commands that need it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from stridewise.cli.console import decode_runs, fail, output_file, warn, writable
from stridewise.store.layout import keep_private

DATA_ENV = "STRIDEWISE_DATA"
DEFAULT_DATA = Path("stridewise-data")
ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="A model directory (default: the one the train flow registered in the data "
        "directory, else the model shipped with stridewise).",
    ),
]
RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules", help="Recommendation rules (TOML; default: models/rules.toml, copy to edit)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON instead of text.")]


@dataclass(frozen=True)
class Cohort:
    days: Any
    injuries: Any
    truth: Any | None
    roster: Any | None
    simulated_hazard_ratios: dict[str, float] | None
    """The simulated world's own hazard ratios, per factor (`hazard_ratios.json`)."""


def read_cohort(folder: Path) -> Cohort:
    """A simulated or real folder: `runs.parquet` (summary-only) or `inbox/`, with
    `injuries.csv`, optionally `roster.csv`, `truth.parquet` and `hazard_ratios.json`."""
    import polars as pl

    from stridewise.features.daily import athlete_days
    from stridewise.features.runs import RUN_FEATURE_SCHEMA
    from stridewise.simulator.team import HAZARD_RATIOS
    from stridewise.store.inputs import InputError, read_injuries, read_roster

    if not folder.is_dir():
        fail(f"{folder}: not a folder")
    try:
        roster = (
            read_roster(folder / "roster.csv", warn) if (folder / "roster.csv").exists() else None
        )
        if not (folder / "injuries.csv").exists():
            fail(f"{folder / 'injuries.csv'}: missing (the injury log labels the days)")
        injuries = read_injuries(folder / "injuries.csv", warn=warn)
    except InputError as error:
        fail(str(error))
    if (folder / "runs.parquet").exists():
        runs = _read_parquet(folder / "runs.parquet", RUN_FEATURE_SCHEMA)
    elif (folder / "inbox").is_dir():
        runs = decode_runs([folder / "inbox"], roster).runs
    else:
        fail(f"{folder}: neither runs.parquet nor inbox/ is there")
    truth = (
        pl.read_parquet(folder / "truth.parquet") if (folder / "truth.parquet").exists() else None
    )
    return Cohort(
        athlete_days(runs), injuries, truth, roster, _simulated_ratios(folder / HAZARD_RATIOS)
    )


def _simulated_ratios(path: Path) -> dict[str, float] | None:
    """The simulator's hazard ratios, or None for real data."""
    if not path.exists():
        return None
    try:
        ratios = json.loads(path.read_text())
        return {str(name): float(value) for name, value in ratios.items()}
    except (OSError, ValueError, TypeError, AttributeError) as error:
        fail(f"{path}: not a table of hazard ratios: {error}")


def _read_parquet(path: Path, schema: dict[str, Any]) -> Any:
    import polars as pl

    try:
        table = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        fail(f"{path}: cannot read: {error}")
    missing = [name for name in schema if name not in table.columns]
    if missing:
        fail(f"{path}: not a per-run table (no {missing[0]} column)")
    return table


def _rules(path: Path | None) -> Any:
    from stridewise.models.rules import DEFAULT_RULES, RulesError, load_rules

    try:
        return load_rules(path or DEFAULT_RULES)
    except RulesError as error:
        fail(str(error))


def _model_dir(directory: Path | None, data: Path) -> Path:
    """--model, else the model registered in the data directory, else the shipped one."""
    from stridewise.models.bundle import ModelError
    from stridewise.store.registry import current_model

    try:
        return directory or current_model(data)
    except ModelError as error:
        fail(str(error))


def _model(directory: Path) -> Any:
    from stridewise.models.bundle import ModelError, load

    try:
        return load(directory)
    except ModelError as error:
        fail(str(error))


def _evaluate(model_dir: Path, cohort: Cohort, rules: Any) -> dict[str, Any]:
    """The evaluation report of a model directory on a cohort (`stridewise.models.evaluation`)."""
    from stridewise.models.bundle import ModelError, load, load_estimators
    from stridewise.models.evaluation import evaluation_report
    from stridewise.models.inputs import input_matrix
    from stridewise.models.labels import examples

    try:
        model, baselines = load(model_dir), load_estimators(model_dir)
    except ModelError as error:
        fail(str(error))
    labelled = examples(cohort.days, cohort.injuries, model.horizon_days)
    if not labelled["label"].any():
        fail("no injury onset falls within the labelled days: nothing to evaluate against")
    x = input_matrix(labelled)
    return evaluation_report(
        labelled,
        model.probability(x),
        {name: b.predict_proba(x)[:, 1] for name, b in sorted(baselines.items())},
        rules.tiers.high,
        cohort.truth,
        model.horizon_days,
        cohort.injuries,
        cohort.roster,
        cohort.simulated_hazard_ratios,
    )


def train(
    data: Annotated[
        Path,
        typer.Argument(help="Folder with runs.parquet or inbox/, roster.csv and injuries.csv."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    horizon: Annotated[int, typer.Option(min=1, max=60, help="Days ahead to predict.")] = 14,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the stumps baseline.")] = 0,
    evaluate_on: Annotated[
        Path | None,
        typer.Option(help="Also evaluate on this held-out folder (into metrics and card)."),
    ] = None,
    rules_path: RulesOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a model in --out.")] = False,
) -> None:
    """Train the risk model; write model.skops, scorer.npz, model.json, metrics.json and
    model_card.md into --out."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from stridewise.models import bundle
    from stridewise.models.labels import count_onsets, examples
    from stridewise.models.training import MIN_EVENTS
    from stridewise.models.training import train as fit

    if (out / bundle.META_FILE).exists() and not force:
        fail(f"{out} already holds a model; add --force to replace it")
    rules = _rules(rules_path)
    cohort = read_cohort(data)
    labelled = examples(cohort.days, cohort.injuries, horizon)
    events = count_onsets(labelled)
    if events < MIN_EVENTS:
        onsets = f"{events} injury onset{'' if events == 1 else 's'}"
        fail(f"{data}: only {onsets} in the labelled days; need at least {MIN_EVENTS} to train")
    typer.echo(f"training on {labelled.height:,} athlete-days, {events} onsets", err=True)
    trained = fit(labelled, horizon, seed)
    if cohort.simulated_hazard_ratios:
        trained.summary["simulated_hazard_ratios"] = cohort.simulated_hazard_ratios
    try:
        model = bundle.save(
            out, trained.scorer, trained.baselines, trained.reference, trained.summary
        )
    except OSError as error:
        fail(f"{out}: cannot write: {error.strerror or error}")
    metrics: dict[str, Any] = {"validation": trained.summary["validation"]}
    if evaluate_on:
        typer.echo(f"evaluating on {evaluate_on}", err=True)
        metrics["held_out"] = _evaluate(out, read_cohort(evaluate_on), rules)
        _write_figures(out, metrics["held_out"])
    bundle.save_metrics(out, metrics)
    validation = metrics["validation"]
    typer.echo(
        f"model {model.version} -> {out} (validation ROC-AUC {validation['roc_auc']:.3f}, "
        f"calibration slope {validation['calibration_slope']:.2f})",
        err=True,
    )


def evaluate(
    data: Annotated[
        Path,
        typer.Argument(help="Folder with runs.parquet or inbox/, injuries.csv [truth.parquet]."),
    ],
    model_dir: ModelOption = None,
    rules_path: RulesOption = None,
    figures: Annotated[
        Path | None,
        typer.Option(help="Write reliability.png and decision_curve.png into this folder."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Score every athlete-day of a folder and compare with its injury log: ROC-AUC, PR-AUC,
    Brier, calibration, net benefit, alerts against the same alerts at random times, each
    with a 95 % interval over athletes; against the single rules, a logistic regression and,
    when truth.parquet is there, the simulator's two oracles. The days of a return after an
    injury are reported apart. With a simulated world's hazard_ratios.json, the hazard is
    refitted on the days and each ratio held against the true one."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    directory = _model_dir(model_dir, data_dir(None))
    report = _evaluate(directory, read_cohort(data), _rules(rules_path))
    if figures is not None:
        _write_figures(writable(figures), report)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    from stridewise.models.card import bar_verdict, headline, metrics_table, ratios_table

    typer.echo(
        f"{report['n_athletes']} athletes, {report['n_athlete_days']:,} athlete-days, "
        f"{report['n_events']} onsets; alert line {report['alert_threshold']:.3f}"
    )
    typer.echo("\n".join([*headline(report), "", *metrics_table(report), ""]))
    typer.echo(f"Bar: {bar_verdict(report['bar'])}")
    if "hazard_ratios" in report:
        recovered = report["hazard_ratios"]
        true = {name: r["true"] for name, r in recovered.items()}
        typer.echo("\nHazard ratios refitted on these days (a recovery test, not a score):")
        typer.echo("\n".join(ratios_table(recovered, true)))


def _write_figures(folder: Path, report: dict[str, Any]) -> None:
    """The reliability diagram and the decision curve, as PNG files in `folder`."""
    from stridewise.models.figures import decision_curve, reliability_diagram

    try:
        (folder / "reliability.png").write_bytes(reliability_diagram(report))
        (folder / "decision_curve.png").write_bytes(decision_curve(report))
    except OSError as error:
        fail(f"{folder}: cannot write: {error.strerror or error}")


DataOption = Annotated[
    Path | None,
    typer.Option(help="Data directory (default $STRIDEWISE_DATA or ./stridewise-data)."),
]


def data_dir(option: Path | None) -> Path:
    """--data, else $STRIDEWISE_DATA, else ./stridewise-data (made its owner's alone)."""
    data = option or Path(os.environ.get(DATA_ENV) or DEFAULT_DATA)
    keep_private(data)
    return data


def existing_data_dir(option: Path | None, hint: str = "") -> Path:
    """The data directory, which must be there already (a one-line error if not)."""
    store = data_dir(option)
    if not store.is_dir():
        fail(f"{store}: no data directory there{hint}")
    return store


def score(
    file: Annotated[Path, typer.Argument(help="A FIT file of one run.")],
    data: Annotated[
        Path | None,
        typer.Option(
            help="Data directory with the athletes' history (the store, roster.csv, "
            "injuries.csv; default $STRIDEWISE_DATA or ./stridewise-data)."
        ),
    ] = None,
    athlete: Annotated[
        str | None,
        typer.Option(help="The athlete's id (default: the name of the file's folder)."),
    ] = None,
    model_dir: ModelOption = None,
    rules_path: RulesOption = None,
    as_json: JsonOption = False,
    workout: Annotated[
        Path | None,
        typer.Option(
            help="Also write the next run's warm-up, run and cool-down as a FIT workout file "
            "(copy it to the watch's GARMIN/NewFiles folder).",
        ),
    ] = None,
    ics: Annotated[
        Path | None,
        typer.Option(help="Also write the 7-day plan as an iCalendar (.ics) file."),
    ] = None,
) -> None:
    """Score one run: hip overuse risk for the next 14 days, why, and what to do.

    With the athlete's history in the data directory the run is scored in context (spikes,
    weekly load, baselines); without it, in single-file mode, and the output says which
    features were unavailable. Exit code 2 for a file that cannot be read or is not a run.
    """
    from stridewise.cli.history import athlete_history
    from stridewise.features.fit import FitDecodeError
    from stridewise.features.ingest import FeatureError, read_file
    from stridewise.models.assess import assess
    from stridewise.store.inputs import InputError, file_athlete

    if file.is_dir():
        fail(f"{file}: a folder: score takes one FIT file (nightly and features take folders)")
    if not file.is_file():
        fail(f"{file}: no such file")
    if data is not None and not data.is_dir():
        fail(f"--data {data}: no such folder")
    athlete = athlete if athlete is None else _athlete_option(athlete)
    outputs = {
        option: output_file(path, suffix)
        for option, path, suffix in (("workout", workout, ".fit"), ("ics", ics, ".ics"))
        if path is not None
    }
    rules, model = _rules(rules_path), _model(_model_dir(model_dir, data_dir(data)))
    try:
        activity = read_file(file)
    except FitDecodeError as error:
        fail(f"{file}: {error.reason}")
    if not activity.is_running:
        fail(f"{file}: not a running activity (sport: {activity.sport or 'unknown'})")
    if activity.truncated:
        fail(f"{file}: truncated: the file ends before its data does (the run would score short)")
    try:
        athlete = athlete or file_athlete(file)
        history = athlete_history(data_dir(data), athlete, activity)
    except InputError as error:
        fail(str(error))
    except FeatureError as error:
        fail(f"{file}: {error}")
    assessment = assess(
        history.days, model, rules, injuries=history.injuries, single_file=history.single_file
    )
    if as_json:
        typer.echo(json.dumps(assessment.as_dict(), indent=2))
    else:
        from stridewise.cli.render import assessment_text

        typer.echo(assessment_text(assessment))
    _write_plan_files(assessment, outputs)


def _athlete_option(name: str) -> str:
    """`--athlete` in its one spelling (`store.ids`), or a one-line error saying why not."""
    from stridewise.store.ids import AthleteIdError, athlete_id

    try:
        return athlete_id(name)
    except AthleteIdError as error:
        fail(f"--athlete {error}")


def _write_plan_files(assessment: Any, outputs: dict[str, Path]) -> None:
    """The workout and calendar files asked for (`outputs`: option -> checked path)."""
    from stridewise.models.calendar import plan_calendar
    from stridewise.models.workout import workout_fit, workout_steps

    makers = {
        "workout": lambda r: workout_fit("stridewise", workout_steps(r)),
        "ics": lambda r: plan_calendar(assessment.athlete_id, r),
    }
    for option, path in outputs.items():
        try:
            path.write_bytes(makers[option](assessment.recommendation))
        except OSError as error:
            fail(f"{path}: cannot write: {error.strerror or error}")
        typer.echo(f"wrote {path}", err=True)
