# libyasim — the two commands that matter: `make run` and `make test`.
# Both set everything up first (scripts/setup.sh: fast when already done).

SHELL := bash
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup run test lint clean distclean

setup:
	@bash scripts/setup.sh

# The main job. It grows as the CLI does: once the model exists it becomes
#   $(VENV)/bin/libyasim run scenarios/baseline_2017.yaml --out out/baseline
run: setup
	$(VENV)/bin/libyasim validate scenarios/*.yaml

# The whole suite (browser, slow and notebook tests included). Extra pytest
# arguments: make test PYTEST_ARGS="-k ceasefire -x"
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy

# Build artefacts, caches and run outputs; keeps .venv (see distclean).
clean:
	rm -rf build dist out runs test-artifacts .pytest_cache .ruff_cache .mypy_cache .hypothesis
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -type d -print0 \
		| xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV)
