"""Crafted files (issue 24) are refused with a FitDecodeError naming the limit they pass, or,
for the quadratic replay of developer descriptions, decoded correctly; real files stay far
from every limit. No timing here: benchmarks/crafted.py measures time and memory."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from stridewise.features.fit import RECORD_SCHEMA, FitDecodeError, read_activity
from stridewise.features.fit.activity import MAX_FILE_BYTES
from stridewise.features.fit.limits import LIMITS, Limits
from tests.corpus import CORPUS, manifest
from tests.features.fit import crafted

RECORD_COLUMNS = 20
"""The record table's profile fields, timestamp included (features/fit/profile.py RECORD)."""


def _reason(data: bytes, limits: Limits = LIMITS) -> str:
    with pytest.raises(FitDecodeError) as caught:
        read_activity(data, limits=limits)
    assert "\n" not in str(caught.value)
    return caught.value.reason


def test_many_descriptions_and_resets_decode_as_described() -> None:
    """5,000 descriptions, then 4,000 developer restarts (quadratic once): the
    record's field (0, 0) is still `f0` and holds 42; its field (1, 0) was forgotten."""
    activity = read_activity(crafted.descriptions_then_resets(5000, 4000))
    records = activity.records
    assert records.columns == [*RECORD_SCHEMA, "dev_f0"]
    assert records["dev_f0"].to_list() == [42.0]


def test_too_many_developer_descriptions() -> None:
    reason = _reason(crafted.descriptions_then_resets(10_000, 1))
    assert reason == "over the limit of 10,000 developer descriptions per file"


def test_too_many_developer_fields_in_definitions() -> None:
    """40 record definitions of 255 developer fields each: 10,200 fields."""
    reason = _reason(crafted.unique_developer_fields(40))
    assert reason == "over the limit of 10,000 developer fields in definitions per file"


def test_wide_rows_over_the_values_per_byte() -> None:
    """39 rounds of 255 uniquely named fields, then 1,000 one-byte records as wide as all."""
    data = crafted.unique_developer_fields(39, records=1000)
    # bytes: header 14 + CRC 2, file_id definition 9 and message 2, the description
    # definition 6 + 4 x 3; per round 255 descriptions of 12 bytes, a record definition of
    # 6 + 3 + 1 + 255 x 3 bytes and its record of 1 + 4 + 255; the last definition 6, records.
    size = 16 + 11 + 18 + 39 * (255 * 12 + 775 + 260) + 6 + 1000
    assert len(data) == size
    # values: every message's timestamp; file_id's 6 fields and timestamp, + 1; the records'
    # 20 fields and 39 x 255 developer columns, + 1, for 39 + 1,000 rows.
    messages = 1 + 39 * 256 + 1000  # file_id, per round 255 descriptions and a record
    values = messages + 7 + (39 + 1000) * (RECORD_COLUMNS + 39 * 255 + 1)
    assert values > 32 * size
    assert _reason(data) == (
        f"{values:,} values from {size:,} bytes: over the limit of 32 values per byte "
        "and 24,000,000 per file"
    )


def test_one_byte_messages_past_the_message_limit() -> None:
    reason = _reason(crafted.one_byte_messages(1_000_000))
    assert reason == "over the limit of 1,000,000 messages per file"


def test_message_limit_is_exact() -> None:
    """file_id's definition and message, the record definition, then the records."""
    limits = Limits(messages=1000)
    assert read_activity(crafted.one_byte_messages(997), limits=limits).records.height == 997
    assert _reason(crafted.one_byte_messages(998), limits) == (
        "over the limit of 1,000 messages per file"
    )


def test_too_many_distinct_definitions() -> None:
    """file_id's definition and 9,999 record definitions pass; one more does not."""
    assert read_activity(crafted.definitions(9_999)).records.height == 1
    reason = _reason(crafted.definitions(10_000))
    assert reason == "over the limit of 10,000 distinct definitions per file"


def test_a_definition_repeated_before_every_message_is_read_once() -> None:
    """20,000 identical definitions (twice the distinct limit), each before its record."""
    definition = crafted.definition(1, crafted.RECORD, [(253, 4, 0x86), (3, 1, 0x02)])
    body = b"".join(
        definition + bytes([1]) + (crafted.START + i).to_bytes(4, "little") + bytes([100 + i % 50])
        for i in range(20_000)
    )
    records = read_activity(crafted.fit_file(crafted.file_id() + body)).records
    assert records.height == 20_000
    assert records["heart_rate_bpm"].to_list() == [100.0 + i % 50 for i in range(20_000)]
    assert records["elapsed_s"][-1] == 19_999


def test_file_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.fit"
    with path.open("wb") as f:
        f.truncate(64 * 1024 * 1024 + 1)  # sparse: nothing is written, nothing read
    assert MAX_FILE_BYTES == 64 * 1024 * 1024
    reason = _reason_of_path(path)
    assert reason == "file is 67,108,865 bytes, over the 67,108,864-byte limit"


def _reason_of_path(path: Path) -> str:
    with pytest.raises(FitDecodeError) as caught:
        read_activity(path)
    return caught.value.reason


@pytest.mark.skipif(not manifest(), reason="../shared/fit_corpus is not here")
def test_every_corpus_file_decodes_the_same_within_a_quarter_of_every_limit() -> None:
    """The margin the docs state: no real file comes within 4x of any limit."""
    quarter = Limits(**{f.name: getattr(LIMITS, f.name) // 4 for f in fields(Limits)})
    for row in manifest():
        data = (CORPUS / row["path"]).read_bytes()
        try:
            whole = read_activity(data)
        except FitDecodeError as error:
            assert _reason(data, quarter) == error.reason, row["path"]
            continue
        assert_frame_equal(read_activity(data, limits=quarter).records, whole.records)
