"""Retrain: a new model from the store's athlete-days and the injury log, registered only if,
on athletes set aside from every retraining, it is not worse than the model in use.

Every candidate is kept under `<data>/models/<version>/` with its comparison (metrics.json,
model_card.md); registering rewrites `<data>/models/CURRENT`, which the nightly flow and
`stridewise score` read.
"""

# No `from __future__ import annotations`: Prefect validates served runs' parameters against
# these annotations.
import os
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from stridewise.models import bundle
from stridewise.models.labels import HORIZON_DAYS, examples
from stridewise.models.selection import NotEnoughData, compare, split_for_retraining
from stridewise.models.training import TrainedModel, train
from stridewise.store.inputs import injury_history
from stridewise.store.registry import current_model, keep, models_dir, register
from stridewise.store.tables import Store


@task(cache_policy=NO_CACHE)
def labelled_days(data: Path, injuries: Path | None, horizon: int) -> pl.DataFrame:
    """The store's athlete-days labelled with the injury log (CSV and app database)."""
    log = injury_history(data, injuries)
    return examples(Store(data).read("athlete_days"), log, horizon)


@task(cache_policy=NO_CACHE)
def fit(training: pl.DataFrame, horizon: int, seed: int) -> TrainedModel:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    return train(training, horizon, seed)


@task(cache_policy=NO_CACHE)
def save_candidate(data: Path, trained: TrainedModel) -> Path:
    """Save the model (staged, then moved into place under its version)."""
    staged = models_dir(data) / "candidate"
    model = bundle.save(
        staged, trained.scorer, trained.baselines, trained.reference, trained.summary
    )
    return keep(data, staged, model.version)


@flow(name="train")
def retrain(
    data: Path, injuries: Path | None = None, horizon: int = HORIZON_DAYS, seed: int = 0
) -> dict[str, Any]:
    """Train on every athlete but those set aside, compare with the model in use on those,
    register if not worse; returns the comparison (or, with too few onsets, why not)."""
    try:
        training, comparing = split_for_retraining(labelled_days(data, injuries, horizon))
    except NotEnoughData as reason:
        get_run_logger().info("not retrained: %s", reason)
        return {"registered": False, "skipped": str(reason)}
    current = bundle.load(current_model(data))
    trained = fit(training, horizon, seed)
    directory = save_candidate(data, trained)
    comparison = compare(comparing, bundle.load(directory), current)
    bundle.save_metrics(
        directory, {"validation": trained.summary["validation"], "comparison": comparison}
    )
    if comparison["registered"]:
        register(data, directory.name)
    create_markdown_artifact((directory / bundle.CARD_FILE).read_text(), key="model-card")
    return {"version": directory.name, **comparison}
