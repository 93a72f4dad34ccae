"""The layers point down only (docs/architecture.md, "Layers"): pure code at the bottom, the
store and the simulator over it, the flows over the store, the shells (command line,
dashboard) at the top. An import that points up fails here, function-local imports included."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

LOWER = {
    "features": set(),
    "models": {"features"},
    "simulator": {"features", "models"},
    "store": {"features", "models"},
    "flows": {"features", "models", "store"},
    "dashboard": {"features", "models", "store"},
    "cli": {"features", "models", "simulator", "store", "flows", "dashboard"},
}
"""Sub-package -> the sub-packages it may import (besides itself and `stridewise`'s version)."""


def imported_layers(source: str) -> set[str]:
    """The `stridewise` sub-packages a module's source imports, wherever the import stands."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "stridewise":
                names.update(f"stridewise.{alias.name}" for alias in node.names)
    parts = (name.split(".") for name in names)
    return {p[1] for p in parts if p[0] == "stridewise" and len(p) > 1 and p[1] in LOWER}


def _modules(layer: str) -> list[Path]:
    spec = importlib.util.find_spec(f"stridewise.{layer}")
    assert spec is not None and spec.submodule_search_locations
    return sorted(Path(next(iter(spec.submodule_search_locations))).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(LOWER))
def test_no_import_points_up(layer: str) -> None:
    upward = {
        f"{path.name} imports stridewise.{target}"
        for path in _modules(layer)
        for target in imported_layers(path.read_text()) - LOWER[layer] - {layer}
    }
    assert not upward, f"stridewise.{layer} may import only {sorted(LOWER[layer])}: {upward}"


def test_every_sub_package_has_a_layer() -> None:
    root = Path(next(iter(importlib.util.find_spec("stridewise").submodule_search_locations)))
    packaged = {p.parent.name for p in root.glob("*/__init__.py")}
    assert packaged == {"cli"}  # the rest are mapped from the repository's top-level folders
    assert all(_modules(layer) for layer in LOWER)


def test_an_upward_import_is_seen() -> None:
    source = "import polars\n\ndef f():\n    from stridewise.cli.render import team_table\n"
    assert imported_layers(source) == {"cli"}
    assert imported_layers("from stridewise import dashboard, __version__") == {"dashboard"}
    assert imported_layers("import stridewise.store.tables as t") == {"store"}
