"""`stridewise train`, `evaluate` and `score` as users run them: real processes, real files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import fitparse
import polars as pl
import pytest
from garmin_fit_sdk import Decoder, Stream
from icalendar import Calendar
from sklearn.metrics import roc_auc_score

from stridewise.features.daily import athlete_days
from stridewise.models.bundle import CARD_FILE, ESTIMATORS_FILE, METRICS_FILE, SCORER_FILE, load
from stridewise.models.labels import examples, returning
from stridewise.models.rules import load_rules
from stridewise.store.inputs import read_injuries
from stridewise.store.tables import Store
from tests.corpus import SAMPLES
from tests.test_cli import stridewise

INBOX = SAMPLES / "inbox"
RUN = INBOX / "z004" / "2026-09-02T211512Z.fit"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory as `make demo` leaves it: the runs table, roster and injury log (the
    runs written here by `features`, the nightly flow's decoder, without Prefect)."""
    data, work = tmp_path_factory.mktemp("store"), tmp_path_factory.mktemp("features")
    done = stridewise(
        "features", INBOX, "--roster", SAMPLES / "roster.csv",
        "--out", work / "days.parquet", "--runs", work / "runs.parquet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    Store(data).merge("runs", pl.read_parquet(work / "runs.parquet"))
    for name in ("roster.csv", "injuries.csv"):
        shutil.copy(SAMPLES / name, data / name)
    return data


def test_evaluate_reports_intervals_oracles_baselines_and_figures(
    cohort: Path, tmp_path: Path
) -> None:
    done = stridewise("evaluate", cohort, "--json", "--figures", tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    keys = (
        "roc_auc", "roc_auc_ci", "oracle_today_roc_auc", "oracle_14d_roc_auc",
        "calibration_slope", "calibration_slope_ci", "net_benefit", "net_benefit_treat_all",
        "sensitivity", "sensitivity_random_timing", "within_athlete_roc_auc", "n_events",
    )  # fmt: skip
    assert all(key in report for key in keys)
    assert report["oracle_roc_auc"] == report["oracle_today_roc_auc"]  # for old readers
    low, high = report["roc_auc_ci"]
    assert low < report["roc_auc"] < high
    rules = ("acwr_over_1.5", "weekly_progression_over_30pct", "spike_over_10pct_in_7d")
    assert set(report["baselines"]) == {"logistic", "stumps", *rules}
    # the oracles' ROC-AUC by scikit-learn, from truth.parquet, on the headline days (the
    # labelled days but those of a return after an injury)
    injuries = read_injuries(cohort / "injuries.csv")
    days = examples(athlete_days(pl.read_parquet(cohort / "runs.parquet")), injuries)
    head = days.filter(~returning(days, injuries)).join(
        pl.read_parquet(cohort / "truth.parquet").rename({"date": "local_date"}),
        on=["athlete_id", "local_date"],
    )
    assert report["n_athlete_days"] == head.height
    assert report["returning"]["n_athlete_days"] == days.height - head.height > 0
    for oracle in ("oracle_today", "oracle_14d"):
        expected = roc_auc_score(head["label"], head[oracle])
        assert report[f"{oracle}_roc_auc"] == pytest.approx(expected, abs=1e-12)
    for name in ("reliability.png", "decision_curve.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the recovery test: every factor refitted, held against the simulated world's ratio
    true = json.loads((cohort / "hazard_ratios.json").read_text())
    assert true["spike_10_30"] == 1.64 and true["progression"] == 1.59  # Frandsen, Nielsen
    recovered = report["hazard_ratios"]
    assert set(recovered) == set(true)
    for name, found in recovered.items():
        low, high = found["ci"]
        assert found["true"] == true[name]
        assert found["within"] == (low <= true[name] <= high)


def test_train_writes_a_model_that_evaluate_and_score_use(cohort: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    done = stridewise("train", cohort, "--out", out)
    assert done.returncode == 0, done.stderr
    for name in (ESTIMATORS_FILE, SCORER_FILE, METRICS_FILE, CARD_FILE):
        assert (out / name).is_file(), name
    metrics = json.loads((out / METRICS_FILE).read_text())
    assert 0.5 < metrics["validation"]["roc_auc"] <= 1
    assert "## Intended use" in (out / CARD_FILE).read_text()
    again = stridewise("train", cohort, "--out", out)
    assert again.returncode == 2 and "add --force" in again.stderr
    evaluated = stridewise("evaluate", cohort, "--model", out)
    assert evaluated.returncode == 0 and "| **this model** |" in evaluated.stdout
    scored = stridewise("score", RUN, "--model", out, "--data", tmp_path, "--json")
    assert json.loads(scored.stdout)["model_version"] == load(out).version


def test_train_needs_injuries(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    done = stridewise("train", tmp_path, "--out", tmp_path / "m")
    assert done.returncode == 2
    missing = tmp_path / "injuries.csv"
    assert done.stderr == f"error: {missing}: missing (the injury log labels the days)\n"


def test_score_with_the_athletes_history(store: Path) -> None:
    done = stridewise("score", RUN, "--data", store, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"probability", "tier", "drivers", "recommendation", "caveats", "model_version"} <= set(
        result
    )
    advice = result["recommendation"]
    assert {"rest", "warmup", "cooldown", "actions", "plan", "return_to_run"} <= set(advice)
    assert result["athlete_id"] == "z004" and result["date"] == "2026-09-02"
    assert result["unavailable"] == [] and result["model_version"] == load().version
    assert result["tier"] in ("low", "moderate", "high")
    assert result["relative_risk"] == pytest.approx(result["probability"] / result["usual_risk"])
    # z004's harder sessions of the 4 weeks to 2026-09-02, measured from the store's runs
    runs = Store(store).read("runs", athletes=["z004"])
    harder = runs.filter(
        pl.col("local_date").is_between(pl.date(2026, 8, 6), pl.date(2026, 9, 2))
        & pl.col("warmup_min").is_not_null()
    )
    for name in ("warmup", "cooldown"):
        assert advice[name]["current_minutes"] == pytest.approx(
            harder[f"{name}_min"].median(), abs=0.05
        )
        assert advice[name]["sessions"] == harder.height
    days = [d["date"] for d in advice["plan"]]
    assert days == [f"2026-09-{d:02d}" for d in range(3, 10)]
    assert {d["status"] for d in advice["plan"]} <= {"off", "easy", "reduced", "as planned"}


def test_score_text_for_a_person(store: Path) -> None:
    done = stridewise("score", RUN, "--data", store)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("z004  2026-09-02  risk ")
    assert any(line.startswith("  Warm-up: ") for line in lines)
    assert "  The next 7 days:" in lines
    assert lines[-1].startswith("Training heuristics, not medical advice")


def test_score_during_a_logged_injury_is_the_return_with_one_rest_text(
    store: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(store, data)
    with (data / "injuries.csv").open("a") as log:
        log.write("z004,2026-09-01,lateral_hip,,right,severe,30\n")
    result = json.loads(stridewise("score", RUN, "--data", data, "--json").stdout)
    advice = result["recommendation"]
    assert result["tier"] == "returning"  # not an alert, whatever the probability
    back = advice["return_to_run"]
    assert (back["severity"], back["phase"], back["days_lost_until"]) == (
        "severe",
        "rest",
        "2026-10-01",
    )
    assert advice["referral"] is True and "see a clinician" in advice["rest"]["text"]
    tier_texts = [rule.text for rule in load_rules().rest.values()]
    assert not any(text in json.dumps(advice) for text in tier_texts)
    assert {d["status"] for d in advice["plan"]} == {"off"}  # all within the days lost


def test_score_writes_the_next_run_as_a_watch_workout_and_the_plan_as_a_calendar(
    store: Path, tmp_path: Path
) -> None:
    workout, calendar = tmp_path / "out" / "next.fit", tmp_path / "out" / "plan.ics"
    done = stridewise("score", RUN, "--data", store, "--workout", workout, "--ics", calendar)
    assert done.returncode == 0, done.stderr
    fit = fitparse.FitFile(str(workout))
    (file_id,) = fit.get_messages("file_id")
    assert file_id.get_value("type") == "workout"
    steps = list(fit.get_messages("workout_step"))
    assert len(steps) >= 2
    assert steps[0].get_value("intensity") == "warmup"
    assert steps[-1].get_value("intensity") == "cooldown"
    messages, errors = Decoder(Stream.from_file(str(workout))).read()
    assert errors == []
    sdk_steps = messages["workout_step_mesgs"]
    assert [s["intensity"] for s in sdk_steps] == [s.get_value("intensity") for s in steps]
    assert [s.get("duration_time") for s in sdk_steps] == [
        s.get_value("duration_time") for s in steps
    ]
    events = Calendar.from_ical(calendar.read_bytes()).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [
        f"z004-2026-09-{d:02d}@stridewise" for d in range(3, 10)
    ]
    wrong = stridewise("score", RUN, "--data", store, "--workout", tmp_path / "next.txt")
    assert wrong.returncode == 2 and "must end in .fit" in wrong.stderr


def test_score_without_history_is_single_file_mode(tmp_path: Path) -> None:
    done = stridewise("score", RUN, "--data", tmp_path, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "weekly progression" in result["unavailable"]
    assert result["caveats"][0].startswith("single-file mode")


def test_an_athlete_id_may_be_written_in_any_alphabet(tmp_path: Path) -> None:
    done = stridewise("score", RUN, "--data", tmp_path, "--athlete", "Zoë", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["athlete_id"] == "Zoë"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("truncated.fit", "truncated"),
        ("cycling.fit", "not a running activity (sport: cycling)"),
    ],
)
def test_a_file_score_cannot_use_is_one_line_and_exit_2(
    tmp_path: Path, name: str, reason: str
) -> None:
    done = stridewise("score", SAMPLES / "edge" / name, "--data", tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and reason in done.stderr
    assert str(SAMPLES / "edge" / name) in done.stderr and "Traceback" not in done.stderr


def test_score_checks_what_it_is_given(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("[tiers]\nmoderate = 0.2\n")
    for args, message in (
        ((RUN, "--rules", rules), f"{rules}: tiers.high: Field required"),
        ((RUN, "--model", tmp_path), f"{tmp_path}: not a model directory"),
        ((tmp_path / "none.fit",), f"{tmp_path / 'none.fit'}: no such file"),
        ((RUN, "--data", tmp_path / "nowhere"), f"--data {tmp_path / 'nowhere'}: no such folder"),
        ((RUN, "--athlete", "../x"), "--athlete '../x' is not an athlete id: it is empty"),
        ((RUN, "--athlete", "z004\n"), "--athlete 'z004\\u000a' is not an athlete id: it holds"),
        ((tmp_path,), f"{tmp_path}: a folder: score takes one FIT file"),
    ):
        done = stridewise("score", *args)
        assert done.returncode == 2 and message in done.stderr and done.stderr.count("\n") == 1


def test_score_imports_neither_prefect_nor_scikit_learn(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "stridewise", "score", RUN, "--data", tmp_path],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()}
    assert "polars" in imported and "prefect" not in imported and "sklearn" not in imported


def test_a_real_folder_of_fit_files_is_decoded_for_evaluate_and_train(tmp_path: Path) -> None:
    # data_samples: 452 FIT files in inbox/, two injuries; b004's on the very first day has
    # no labelled day before it, so one onset (z004, 2026-09-28) is left to evaluate against
    done = stridewise("evaluate", SAMPLES, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["n_events"] == 1 and report["n_athletes"] == 8
    assert 0 <= report["roc_auc"] <= 1 and "oracle_roc_auc" in report
    too_few = stridewise("train", SAMPLES, "--out", tmp_path / "m")
    assert too_few.returncode == 2
    assert too_few.stderr.endswith(
        "only 1 injury onset in the labelled days; need at least 20 to train\n"
    )
