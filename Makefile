# The two commands of the README's quick start, and the rest of the developer loop.
# Needs only python3 (>= 3.11) and make: everything else is installed into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export OMP_NUM_THREADS := 1

.PHONY: demo test lint debian bench samples model model-test model-sensitivity vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed  ## the nightly flow on the bundled team, then one athlete's run scored
	mkdir -p stridewise-data
	cp data_samples/roster.csv data_samples/injuries.csv stridewise-data/
	$(BIN)/stridewise nightly data_samples/inbox
	$(BIN)/stridewise score data_samples/inbox/z004/2026-09-27T102002Z.fit

test: lint debian  ## ruff, then the whole test suite
	$(BIN)/python -m pytest

debian:  ## Debian's chromium and postgresql for the browser and database tests (apt-get, as root; without, those tests skip)
	@missing=""; command -v chromium >/dev/null || missing=chromium; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -z "$$missing" ] || [ "$$(id -u)" != 0 ] || { \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

bench: $(VENV)/.installed-dev  ## every benchmark behind docs/benchmarks.md
	$(BIN)/python -m benchmarks.decode
	$(BIN)/python -m benchmarks.inspect_cli
	$(BIN)/python -m benchmarks.features
	$(BIN)/python -m benchmarks.simulate
	$(BIN)/python -m benchmarks.score
	$(BIN)/python -m benchmarks.nightly
	$(BIN)/python -m benchmarks.platform
	$(BIN)/python -m benchmarks.dashboard

samples: $(VENV)/.installed  ## regenerate data_samples/ (same seed, same bytes)
	$(BIN)/stridewise simulate --athletes 8 --weeks 12 --seed 20261143 --start 2026-08-31 \
		--out data_samples --force
	$(BIN)/python -m stridewise.simulator.edge data_samples/edge

model: $(VENV)/.installed  ## retrain the shipped model (models/default) on its tuning cohorts
	$(BIN)/stridewise simulate --athletes 3500 --weeks 52 --seed 2026 --summary-only \
		--out build/cohort-train --force
	$(BIN)/stridewise simulate --athletes 2000 --weeks 52 --seed 7 --summary-only \
		--out build/cohort-held-out --force
	$(BIN)/stridewise train build/cohort-train --evaluate-on build/cohort-held-out \
		--out models/default --force

TEST_SEED := 271828
SENSITIVITY := effects-low:--effects=low effects-high:--effects=high \
	prodrome-0.5:--prodrome-pct=0.5 prodrome-1:--prodrome-pct=1

model-test: $(VENV)/.installed  ## the shipped model on the test seed, which no choice was made on
	$(BIN)/stridewise simulate --athletes 1500 --weeks 52 --seed $(TEST_SEED) --summary-only \
		--out build/cohort-test --force
	$(BIN)/stridewise evaluate build/cohort-test --model models/default --json \
		--figures build/cohort-test > build/cohort-test/evaluation.json

model-sensitivity: $(VENV)/.installed  ## the shipped model where the world differs (docs/model.md)
	for case in $(SENSITIVITY); do name=$${case%%:*}; option=$${case#*:}; \
		$(BIN)/stridewise simulate --athletes 1500 --weeks 52 --seed $(TEST_SEED) \
			--summary-only $$option --out build/cohort-$$name --force \
		&& $(BIN)/stridewise evaluate build/cohort-$$name --model models/default --json \
			> build/cohort-$$name/evaluation.json || exit 1; done

HTMX := 2.0.11
HTMX_SHA256 := d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717
HTMX_FILE := dashboard/static/vendor/htmx-$(HTMX).min.js

vendor:  ## fetch the dashboard's htmx again with npm (npm pack), and check its hash
	tmp=$$(mktemp -d) && npm pack --silent --pack-destination $$tmp htmx.org@$(HTMX) >/dev/null \
		&& tar -xzOf $$tmp/htmx.org-$(HTMX).tgz package/dist/htmx.min.js > $(HTMX_FILE); \
		status=$$?; rm -rf $$tmp; exit $$status
	echo "$(HTMX_SHA256)  $(HTMX_FILE)" | sha256sum --check --quiet

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
