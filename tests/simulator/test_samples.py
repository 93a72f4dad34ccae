"""data_samples/ is exactly what its documented command writes, and other decoders read it."""

from __future__ import annotations

from pathlib import Path

import fitparse
import pytest
from garmin_fit_sdk import Decoder, Stream

from features.fit import read_activity
from simulator.samples import write_samples
from tests.corpus import SAMPLES


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    write_samples(out)
    return out


def test_same_seed_same_bytes(regenerated: Path) -> None:
    written = sorted(p.relative_to(regenerated) for p in regenerated.rglob("*.fit"))
    committed = sorted(p.relative_to(SAMPLES) for p in SAMPLES.rglob("*.fit"))
    assert written == committed
    for relative in written:
        assert (regenerated / relative).read_bytes() == (SAMPLES / relative).read_bytes(), relative


def test_fitparse_and_garmin_sdk_read_every_whole_sample() -> None:
    for path in SAMPLES.rglob("*.fit"):
        if path.name == "truncated.fit":
            continue
        records = read_activity(path).records.height
        messages = list(fitparse.FitFile(str(path)).get_messages())
        assert sum(m.name == "record" for m in messages) == records, path
        decoded, errors = Decoder(Stream.from_file(str(path))).read()
        assert errors == [] and len(decoded["record_mesgs"]) == records, path
