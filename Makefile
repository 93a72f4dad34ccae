# The two commands of the README's quick start, and the rest of the developer loop.
# Needs only python3 (>= 3.11) and make: everything else is installed into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export OMP_NUM_THREADS := 1

.PHONY: demo test lint bench samples clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed  ## features of the bundled team: per run and per athlete-day
	$(BIN)/stridewise features data_samples/inbox --roster data_samples/roster.csv \
		--out stridewise-data/athlete_days.parquet --runs stridewise-data/runs.parquet

test: lint  ## ruff, then the whole test suite
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

bench: $(VENV)/.installed-dev  ## every benchmark behind docs/benchmarks.md
	$(BIN)/python -m benchmarks.decode
	$(BIN)/python -m benchmarks.inspect_cli
	$(BIN)/python -m benchmarks.features
	$(BIN)/python -m benchmarks.simulate

samples: $(VENV)/.installed  ## regenerate data_samples/ (same seed, same bytes)
	$(BIN)/stridewise simulate --athletes 8 --weeks 12 --seed 20261143 --start 2026-08-31 \
		--out data_samples --force
	$(BIN)/python -m simulator.edge data_samples/edge

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
