"""The train flow: a candidate trained on a store is compared with the model in use on
athletes set aside, kept with its comparison, and registered only when not worse."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from stridewise.features.daily import athlete_days
from stridewise.models.bundle import DEFAULT_MODEL_DIR, METRICS_FILE, load
from stridewise.models.risk import held_out_athletes
from stridewise.models.selection import COMPARISON_SALT, COMPARISON_SHARE
from stridewise.store.registry import current_model, register
from stridewise.store.tables import Store
from tests.corpus import SAMPLES
from tests.test_cli import stridewise

pytestmark = pytest.mark.usefixtures("prefect")


@pytest.fixture(scope="module")
def data(cohort: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the shared cohort's athlete-days (160 simulated athletes' year), and its
    injury log kept in the data directory."""
    data = tmp_path_factory.mktemp("data")
    Store(data).merge("athlete_days", athlete_days(pl.read_parquet(cohort / "runs.parquet")))
    (data / "injuries.csv").write_bytes((cohort / "injuries.csv").read_bytes())
    return data


def test_a_candidate_worse_than_the_model_in_use_is_kept_but_not_registered(
    data: Path, tmp_path: Path
) -> None:
    from stridewise.flows.train import retrain

    # a log whose training athletes' injuries were dealt to random athletes of theirs on random
    # days: a candidate trained on it learns no true hazard, while the set-aside athletes'
    # onsets, which the comparison reads, stay as they were
    def set_aside(frame: pl.DataFrame) -> pl.Series:
        ids = frame["athlete_id"].to_numpy()
        return pl.Series(held_out_athletes(ids, COMPARISON_SHARE, COMPARISON_SALT))

    log = pl.read_csv(data / "injuries.csv", try_parse_dates=True)
    aside = set_aside(log)
    days = Store(data).read("athlete_days", columns=["athlete_id", "local_date"])
    dealt = days.filter(~set_aside(days)).sample(int((~aside).sum()), seed=0)
    random = log.filter(~aside).with_columns(
        athlete_id=dealt["athlete_id"], onset_date=dealt["local_date"]
    )
    pl.concat([log.filter(aside), random]).write_csv(tmp_path / "dealt.csv")
    result = retrain(data, injuries=tmp_path / "dealt.csv")
    shipped = load(DEFAULT_MODEL_DIR).version
    assert result["current_version"] == shipped
    assert result["candidate"]["roc_auc"] < result["current"]["roc_auc"]
    assert result["registered"] is False
    assert current_model(data) == DEFAULT_MODEL_DIR
    kept = json.loads((data / "models" / result["version"] / METRICS_FILE).read_text())
    assert kept["comparison"]["registered"] is False
    assert kept["comparison"]["n_athletes"] == result["n_athletes"] > 20


def test_a_candidate_as_good_as_the_model_in_use_is_registered_and_scores(data: Path) -> None:
    from stridewise.flows.train import retrain

    first = retrain(data)
    register(data, first["version"])  # an operator pins it
    again = retrain(data)  # the same data and seed: the same model, metrics equal
    assert again["version"] == first["version"] == again["current_version"]
    assert again["candidate"] == again["current"] and again["registered"] is True
    assert current_model(data) == data / "models" / first["version"]
    run = SAMPLES / "inbox" / "z004" / "2026-09-27T102002Z.fit"
    scored = stridewise("score", run, "--data", data, "--json")
    assert json.loads(scored.stdout)["model_version"] == first["version"]


def test_too_few_onsets_is_a_one_line_error(data: Path, tmp_path: Path) -> None:
    log = pl.read_csv(data / "injuries.csv").head(5)
    log.write_csv(tmp_path / "few.csv")
    done = stridewise("retrain", "--data", data, "--injuries", tmp_path / "few.csv")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    *_, error = done.stderr.splitlines()
    found = re.search(
        r"not retrained: (\d) injury onsets in the training athletes' days; "
        r"need at least 20$",
        error,
    )
    assert found and int(found[1]) <= 5  # of the 5 logged
