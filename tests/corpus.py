"""The shared FIT corpus (../shared/fit_corpus): read-only, present in CI, absent elsewhere.

Tests parametrised over it collect no cases (and so skip) when it is missing.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "fit_corpus"
SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


@cache
def manifest() -> tuple[dict[str, str], ...]:
    if not (CORPUS / "MANIFEST.csv").exists():
        return ()
    with (CORPUS / "MANIFEST.csv").open(newline="") as f:
        return tuple(csv.DictReader(f))


def corpus_files(*kinds: str) -> list:
    """pytest params (id = corpus path) for the corpus files of the given MANIFEST kinds."""
    return [
        pytest.param(CORPUS / row["path"], id=row["path"])
        for row in manifest()
        if row["kind"] in kinds
    ]


RUNNING_KINDS = ("running", "multisport_with_run")
"""Running files fitparse decodes; the `+fitparse_fails` kinds are tested as bad input."""
