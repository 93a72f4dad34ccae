"""Which model scores: the one last registered under `<data>/models/`, else the shipped one.

Every retrained model is kept in `<data>/models/<version>/` with its comparison; registering
one rewrites `<data>/models/CURRENT` (its version) in a single atomic rename.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from stridewise.models.bundle import DEFAULT_MODEL_DIR, ModelError

VERSION = re.compile(r"hip-[0-9a-f]{12}")
MODELS = "models"
CURRENT = "CURRENT"


def models_dir(data: Path) -> Path:
    return data / MODELS


def current_model(data: Path) -> Path:
    """The directory of the model in use."""
    pointer = models_dir(data) / CURRENT
    if not pointer.is_file():
        return DEFAULT_MODEL_DIR
    version = pointer.read_text().strip()
    if not VERSION.fullmatch(version):
        raise ModelError(f"{pointer}: {version!r} is not a model version")
    return models_dir(data) / version


def keep(data: Path, staged: Path, version: str) -> Path:
    """Move a model saved in `staged` to `<data>/models/<version>` (replacing the same
    trees saved by an earlier retraining)."""
    final = models_dir(data) / version
    shutil.rmtree(final, ignore_errors=True)
    staged.rename(final)
    return final


def register(data: Path, version: str) -> None:
    """Make `<data>/models/<version>` the model in use."""
    pointer = models_dir(data) / CURRENT
    staged = pointer.with_suffix(".new")
    staged.write_text(version + "\n")
    os.replace(staged, pointer)
