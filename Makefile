# Two commands do all the set-up on a fresh machine:
#   make demo   -> virtual environment + install + the demo end to end
#   make test   -> virtual environment + install + the checks (make lint) + the whole suite
# While working: make test-fast (the tests not marked slow, in parallel), make lint,
# make format (rewrites the files the format check would reject).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stockwise-installed
DEMO_OUT ?= stockwise-demo
PYTEST_ARGS ?=
WORKERS ?= auto
CODE := src tests benchmarks experiments

.PHONY: demo test test-fast lint format venv bench bench-smoke clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/stockwise demo --out $(DEMO_OUT)

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The tests not marked slow, spread over the CPUs (pytest-xdist). loadgroup keeps the
# PostgreSQL tests on one worker: they share one database.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -n $(WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Lint, format check, types (mypy reads [tool.mypy]) and the import contract
# (lint-imports reads [tool.importlinter]), all configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format $(CODE)

bench: $(STAMP)
	$(BIN)/python -m benchmarks.generate_scale

# Every maintained harness in benchmarks/ on tiny data (its --smoke mode); also part of
# `make test`. Full runs: see CONTRIBUTING.md, "Running the benchmarks".
BENCH_SMOKE_TESTS := tests/test_benchmarks_harnesses.py tests/test_benchmarks_smoke.py \
	tests/api/test_hostile_uploads_benchmark.py tests/data/test_bad_rows_memory.py
bench-smoke: $(STAMP)
	$(BIN)/python -m pytest $(BENCH_SMOKE_TESTS)

clean:
	rm -rf $(VENV) $(DEMO_OUT) stockwise-output stockwise-data .pytest_cache .ruff_cache \
		.mypy_cache .import_linter_cache
