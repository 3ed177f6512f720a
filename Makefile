# libyasim — the two commands that matter: `make run` and `make test`.
# Both set everything up first (scripts/setup.sh: fast when already done).

SHELL := bash
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup run test lint clean distclean

setup:
	@bash scripts/setup.sh

# The main job: every shipped scenario as a modest ensemble on the same seeds,
# then the end-state table with 95% intervals (report and figures in out/main).
# Re-running resumes: finished runs are kept.
MAIN_REPLICATES ?= 20
BASELINE := scenarios/baseline_2017.yaml
SCENARIOS := $(BASELINE) $(filter-out $(BASELINE),$(sort $(wildcard scenarios/*.yaml)))
run: setup
	$(VENV)/bin/libyasim batch $(SCENARIOS) --replicates $(MAIN_REPLICATES) --seed 1 --out out/main

# The whole suite (browser, slow and notebook tests included). Extra pytest
# arguments: make test PYTEST_ARGS="-k ceasefire -x"
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/ruff format --check src tests benchmarks scripts
	$(VENV)/bin/mypy

# Build artefacts, caches and run outputs; keeps .venv (see distclean).
clean:
	rm -rf build dist out runs test-artifacts .pytest_cache .ruff_cache .mypy_cache .hypothesis $(VENV)/.stamp-kernels
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -type d -print0 \
		| xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV)
