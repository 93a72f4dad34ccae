"""The documentation says what the code does."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from stridewise.features.daily import DAY_SCHEMA
from stridewise.features.fit import RECORD_SCHEMA
from stridewise.features.runs import RUN_FEATURE_SCHEMA

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _documented(text: str) -> dict[str, str]:
    """`column` -> dtype, from the first two cells of a markdown table's rows."""
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", text, re.M)
    return {name: dtype.strip() for name, dtype in rows}


def _as_documented(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Datetime):
        return f"Datetime({dtype.time_unit}, {dtype.time_zone})"
    if isinstance(dtype, pl.Enum):
        return f"Enum({', '.join(dtype.categories.to_list())})"
    return str(dtype)


def _section(text: str, heading: str) -> str:
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_frame_contract_table_matches_the_schema() -> None:
    documented = _documented((DOCS / "frame_contract.md").read_text())
    assert documented == {name: _as_documented(t) for name, t in RECORD_SCHEMA.items()}
    assert list(documented) == list(RECORD_SCHEMA)


@pytest.mark.parametrize(
    ("heading", "schema"),
    [("Per run", RUN_FEATURE_SCHEMA), ("Per athlete and day", DAY_SCHEMA)],
)
def test_features_tables_match_the_schemas(heading: str, schema: dict[str, pl.DataType]) -> None:
    documented = _documented(_section((DOCS / "features.md").read_text(), heading))
    assert list(documented) == list(schema)
    assert documented == {name: _as_documented(t) for name, t in schema.items()}


def test_the_readme_s_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Python blocks, in order and in one namespace, on a bundled run copied to
    the `run.fit` they name: they use the installed names and the API as it is."""
    readme = (DOCS.parent / "README.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", readme, re.M | re.S)
    assert len(blocks) == 3
    imported = re.findall(r"^(?:from|import) (\w+)", "".join(blocks), re.M)
    assert set(imported) == {"stridewise", "pathlib", "polars"}  # installed names only
    run = DOCS.parent / "data_samples" / "inbox" / "z004" / "2026-09-27T102002Z.fit"
    (tmp_path / "run.fit").write_bytes(run.read_bytes())
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["activity"].sport == "running"  # type: ignore[attr-defined]
    assert namespace["result"].tier in ("low", "moderate", "high")  # type: ignore[attr-defined]
