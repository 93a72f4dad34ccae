"""Mutated FIT files (bit flips, cuts, splices) give an activity in the frame contract or a
FitDecodeError: never another exception, a hang or runaway memory. Bounded budget."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stridewise.features.fit import RECORD_SCHEMA, FitDecodeError, read_activity
from tests.corpus import CORPUS, SAMPLES, manifest


def _sources() -> list[bytes]:
    """Small running files: generated samples, and the corpus' when it is here."""
    paths = sorted((SAMPLES / "edge").glob("*.fit"))
    paths += [
        CORPUS / r["path"]
        for r in manifest()
        if r["kind"] in ("running", "multisport_with_run") and int(r["bytes"]) < 40_000
    ]
    return [p.read_bytes() for p in paths]


SOURCES = _sources()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "splice", "byte"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte":
            data[at] = draw(st.sampled_from([0x00, 0xFF, 0x40, 0x80, 0x7F, 0x0F]))
        elif kind == "cut":
            del data[at:]
        else:
            other = draw(st.sampled_from(SOURCES))
            start = draw(st.integers(0, len(other) - 1))
            data[at:at] = other[start : start + draw(st.integers(1, 64))]
    return bytes(data)


@pytest.mark.skipif(not SOURCES, reason="no FIT files to mutate")
@settings(
    max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
@given(data=mutated(), check_crc=st.booleans())
def test_mutated_files_give_an_activity_or_the_typed_error(data: bytes, check_crc: bool) -> None:
    try:
        activity = read_activity(data, check_crc=check_crc)
    except FitDecodeError as error:
        assert error.reason and "\n" not in error.reason
        return
    schema = activity.records.schema
    assert list(schema)[: len(RECORD_SCHEMA)] == list(RECORD_SCHEMA)
    assert all(schema[c] == t for c, t in RECORD_SCHEMA.items())
    assert activity.records.height <= len(data)
