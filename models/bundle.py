"""A model directory: what `stridewise train` writes and every scorer reads.

    model.skops    the baselines: fitted scikit-learn estimators (logistic regression, stumps)
    scorer.npz     the risk model: the hazard's numbers, scored with numpy (models.scorer)
    model.json     version, inputs, factors, horizon, reference values, hazard ratios, hashes
                   of the two files above
    metrics.json   validation and held-out metrics
    model_card.md  data, metrics, intended use, limits

Estimators are never unpickled: `skops.io` rebuilds only the types in `TRUSTED_TYPES`, a list
audited by hand (every entry is a scikit-learn or numpy type that holds data, not code), and a
file that needs any other type is refused before anything in it is built.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from stridewise.models.factors import FACTOR_NAMES
from stridewise.models.inputs import NAMES
from stridewise.models.scorer import HazardScorer

DEFAULT_MODEL_DIR = Path(__file__).parent / "default"
ESTIMATORS_FILE = "model.skops"
SCORER_FILE = "scorer.npz"
META_FILE = "model.json"
METRICS_FILE = "metrics.json"
CARD_FILE = "model_card.md"

TRUSTED_TYPES = (
    "builtins.dict",
    "builtins.list",
    "builtins.str",
    "builtins.tuple",
    "numpy.dtype",
    "numpy.float64",
    "numpy.ndarray",
    "numpy.random._generator.Generator",
    "numpy.uint64",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn._loss.link.Interval",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn.impute._base.MissingIndicator",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._label.LabelEncoder",
)
"""Audited: the baselines `stridewise.models.risk` fits and the parts they are made of."""


class ModelError(Exception):
    """A model directory cannot be used; the message says which file and why, in one line."""


@dataclass(frozen=True)
class Model:
    """What scoring needs: the arrays, the inputs they expect, and the reference values."""

    version: str
    horizon_days: int
    reference: dict[str, float]
    scorer: HazardScorer
    usual_risk: float | None = None
    """The average labelled athlete-day's risk in training: what a probability is read
    against ("2.3 x the usual 14-day risk")."""

    def probability(self, x: np.ndarray) -> np.ndarray:
        return self.scorer.probability(x)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save(
    directory: Path,
    scorer: HazardScorer,
    baselines: dict[str, Any],
    reference: dict[str, float],
    summary: dict[str, Any],
) -> Model:
    """Write the scorer, the `baselines` and what scoring needs; returns the model as loaded."""
    import skops.io

    directory.mkdir(parents=True, exist_ok=True)
    skops.io.dump(baselines, directory / ESTIMATORS_FILE, compression=zipfile.ZIP_DEFLATED)
    scorer.save(directory / SCORER_FILE)
    digest = {name: _sha256(directory / name) for name in (ESTIMATORS_FILE, SCORER_FILE)}
    meta = {
        "version": f"hip-{scorer.digest()[:12]}",
        "trained_at": f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}",
        "inputs": list(NAMES),
        "factors": list(FACTOR_NAMES),
        "horizon_days": scorer.horizon,
        "reference": reference,
        "trained_on": summary,
        "sha256": digest,
    }
    (directory / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    return load(directory)


def read_meta(directory: Path) -> dict[str, Any]:
    path = directory / META_FILE
    try:
        meta = json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelError(f"{directory}: not a model directory (no {META_FILE})") from None
    except (OSError, ValueError) as error:
        raise ModelError(f"{path}: cannot read: {error}") from None
    if meta.get("inputs") != list(NAMES) or meta.get("factors") != list(FACTOR_NAMES):
        raise ModelError(
            f"{path}: the model was trained on other inputs or factors; train it again"
        )
    return meta


def _checked(directory: Path, name: str, meta: dict[str, Any]) -> Path:
    path = directory / name
    if not path.is_file():
        raise ModelError(f"{path}: missing")
    if _sha256(path) != meta["sha256"][name]:
        raise ModelError(f"{path}: does not match {META_FILE} (changed after training)")
    return path


def load(directory: Path = DEFAULT_MODEL_DIR) -> Model:
    """The model for scoring: numpy arrays only, no scikit-learn import."""
    meta = read_meta(directory)
    try:
        scorer = HazardScorer.load(_checked(directory, SCORER_FILE, meta))
    except (OSError, ValueError, KeyError) as error:
        raise ModelError(f"{directory / SCORER_FILE}: cannot read: {error}") from None
    return Model(
        version=meta["version"],
        horizon_days=int(meta["horizon_days"]),
        reference={k: float(v) for k, v in meta["reference"].items()},
        scorer=scorer,
        usual_risk=meta["trained_on"].get("positive_rate"),
    )


def types_in(path: Path) -> set[str]:
    """Every type a skops file would build, read from its schema without building anything
    (skops itself trusts all of scikit-learn by default; this list is narrower)."""
    try:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise ModelError(f"{path}: not a skops file: {error}") from None
    found, pending = set(), [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if isinstance(node.get("__module__"), str) and isinstance(node.get("__class__"), str):
                found.add(f"{node['__module__']}.{node['__class__']}")
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def load_estimators(directory: Path = DEFAULT_MODEL_DIR) -> dict[str, Any]:
    """The fitted baselines, rebuilt by skops from the audited types only."""
    import skops.io

    path = _checked(directory, ESTIMATORS_FILE, read_meta(directory))
    untrusted = sorted(types_in(path) - set(TRUSTED_TYPES))
    if untrusted:
        raise ModelError(f"{path}: refused: it holds types not on the trusted list: {untrusted}")
    return skops.io.load(path, trusted=list(TRUSTED_TYPES))


def save_metrics(directory: Path, metrics: dict[str, Any]) -> None:
    """`metrics.json` and the model card that reads them, next to a saved model."""
    from stridewise.models.card import model_card

    (directory / METRICS_FILE).write_text(json.dumps(metrics, indent=2) + "\n")
    (directory / CARD_FILE).write_text(model_card(read_meta(directory), metrics))
