"""The wheel a user installs: one import package, `stridewise`, that works outside the
repository (the shipped model, the rules file, the dashboard's templates and static files).

The wheel is built from a copy of the sources `pyproject.toml` maps (so nothing left in the
working tree's `build/` can slip in) and installed, without its dependencies, into a fresh
virtual environment; the dependencies come from this test run's environment through a path
file, which adds their folder but not its editable finder, so nothing of the repository is
importable there."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "data_samples" / "inbox" / "z004" / "2026-09-27T102002Z.fit"
CACHES = shutil.ignore_patterns("__pycache__")


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(map(str, command)), cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in set(config["tool"]["setuptools"]["package-dir"].values()):
        shutil.copytree(ROOT / folder, source / folder, ignore=CACHES)
    out = tmp_path_factory.mktemp("wheel")
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-qw", out, source, cwd=out)
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("stridewise-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = tmp_path_factory.mktemp("venv")
    assert _run(sys.executable, "-m", "venv", "--without-pip", env, cwd=env).returncode == 0
    (site,) = env.glob("lib/python*/site-packages")
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = _run(
        sys.executable, "-m", "pip", "--python", env / "bin" / "python", "install",
        "--no-deps", "--no-index", "-q", wheel, cwd=env,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    return env


def test_the_wheel_holds_one_import_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    distribution, version = wheel.name.split("-")[:2]
    tops = {name.split("/")[0] for name in names}
    assert tops == {"stridewise", f"{distribution}-{version}.dist-info"}
    for shipped in (
        "stridewise/models/rules.toml",
        "stridewise/models/default/model.skops",
        "stridewise/models/default/scorer.npz",
        "stridewise/models/default/model.json",
        "stridewise/dashboard/templates/team.html",
        "stridewise/dashboard/static/style.css",
        "stridewise/dashboard/static/vendor/htmx-2.0.11.min.js",
        "stridewise/features/fit/__init__.py",
        "stridewise/cli/__init__.py",
    ):
        assert shipped in names


def test_the_installed_command_scores_a_run_outside_the_repository(
    venv: Path, tmp_path: Path
) -> None:
    scored = _run(venv / "bin" / "stridewise", "score", RUN, "--json", cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    result = json.loads(scored.stdout)
    shipped = json.loads((ROOT / "models" / "default" / "model.json").read_text())
    assert result["model_version"] == shipped["version"]
    assert 0 < result["probability"] < 1


def test_only_stridewise_is_importable_and_its_files_are_the_installed_ones(
    venv: Path, tmp_path: Path
) -> None:
    python = venv / "bin" / "python"
    for name in ("models", "features", "flows", "store", "dashboard", "simulator"):
        refused = _run(python, "-c", f"import {name}", cwd=tmp_path)
        assert f"No module named '{name}'" in refused.stderr
    probe = (
        "import stridewise.dashboard.app as app, stridewise.models.rules as rules;"
        "print(app.HERE); print(rules.load_rules(rules.DEFAULT_RULES).tiers)"
    )
    shown = _run(python, "-c", probe, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    here = Path(shown.stdout.splitlines()[0])
    assert here.is_relative_to(venv) and (here / "templates" / "athlete.html").is_file()
