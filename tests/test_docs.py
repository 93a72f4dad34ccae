"""The documentation says what the code does."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from features.fit import RECORD_SCHEMA

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_frame_contract_table_matches_the_schema() -> None:
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", (DOCS / "frame_contract.md").read_text(), re.M)
    documented = {name: dtype.strip() for name, dtype in rows}
    assert list(documented) == list(RECORD_SCHEMA)
    for name, dtype in RECORD_SCHEMA.items():
        expected = "Datetime(us, UTC)" if dtype == pl.Datetime("us", "UTC") else str(dtype)
        assert documented[name] == expected, name
