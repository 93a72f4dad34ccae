"""Model directories: written, read back, and refused when anything in them is off."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import skops.io
from sklearn.dummy import DummyClassifier

from stridewise.models import bundle
from stridewise.models.bundle import ModelError
from stridewise.models.training import TrainedModel
from tests.models.conftest import Synthetic


@pytest.fixture
def model_dir(trained: TrainedModel, tmp_path: Path) -> Path:
    bundle.save(tmp_path / "m", trained.scorer, trained.baselines, trained.reference, {})
    return tmp_path / "m"


def test_a_saved_model_scores_like_the_estimators_it_came_from(
    model_dir: Path, trained: TrainedModel, synthetic: Synthetic
) -> None:
    x = synthetic.x[:500]
    model = bundle.load(model_dir)
    baselines = bundle.load_estimators(model_dir)
    np.testing.assert_array_equal(model.probability(x), trained.scorer.probability(x))
    for name in ("logistic", "stumps"):
        np.testing.assert_allclose(
            baselines[name].predict_proba(x), trained.baselines[name].predict_proba(x), rtol=1e-12
        )
    assert model.horizon_days == 14
    assert model.version == "hip-" + trained.scorer.digest()[:12]


def test_a_file_with_a_type_off_the_trusted_list_is_refused(
    model_dir: Path, trained: TrainedModel
) -> None:
    path = model_dir / bundle.ESTIMATORS_FILE
    skops.io.dump({**trained.baselines, "logistic": DummyClassifier()}, path)
    meta = json.loads((model_dir / bundle.META_FILE).read_text())
    meta["sha256"][bundle.ESTIMATORS_FILE] = bundle._sha256(path)
    (model_dir / bundle.META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"refused: .*sklearn\.dummy\.DummyClassifier"):
        bundle.load_estimators(model_dir)


def test_a_file_changed_after_training_is_refused(model_dir: Path) -> None:
    with (model_dir / bundle.SCORER_FILE).open("ab") as f:
        f.write(b"\0")
    with pytest.raises(ModelError, match=r"does not match model\.json"):
        bundle.load(model_dir)


def test_a_model_of_other_inputs_or_no_model_at_all_is_a_clear_error(
    model_dir: Path, tmp_path: Path
) -> None:
    meta = json.loads((model_dir / bundle.META_FILE).read_text())
    for key, other in (("inputs", ["km_7d"]), ("factors", ["spike"])):
        (model_dir / bundle.META_FILE).write_text(json.dumps(meta | {key: other}))
        with pytest.raises(ModelError, match="trained on other inputs or factors"):
            bundle.load(model_dir)
    with pytest.raises(ModelError, match="not a model directory"):
        bundle.load(tmp_path)


def test_the_shipped_model_needs_only_audited_types() -> None:
    types = bundle.types_in(bundle.DEFAULT_MODEL_DIR / bundle.ESTIMATORS_FILE)
    assert "sklearn.calibration.CalibratedClassifierCV" in types
    assert types <= set(bundle.TRUSTED_TYPES)
    assert set(bundle.load_estimators()) == {"logistic", "stumps"}
    meta = bundle.read_meta(bundle.DEFAULT_MODEL_DIR)
    assert bundle.load().version == meta["version"] == "hip-" + bundle.load().scorer.digest()[:12]
