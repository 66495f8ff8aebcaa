# Two commands do all the set-up on a fresh machine:
#   make demo   -> virtual environment + install + the demo end to end
#   make test   -> virtual environment + install + ruff + the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stockwise-installed
DEMO_OUT ?= stockwise-demo
PYTEST_ARGS ?=

.PHONY: demo test lint venv bench bench-smoke clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/stockwise demo --out $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

bench: $(STAMP)
	$(BIN)/python -m benchmarks.generate_scale

# Every maintained harness in benchmarks/ on tiny data (its --smoke mode); also part of
# `make test`. Full runs: see CONTRIBUTING.md, "Running the benchmarks".
BENCH_SMOKE_TESTS := tests/test_benchmarks_harnesses.py tests/test_benchmarks_smoke.py \
	tests/api/test_hostile_uploads_benchmark.py tests/data/test_bad_rows_memory.py
bench-smoke: $(STAMP)
	$(BIN)/python -m pytest $(BENCH_SMOKE_TESTS)

clean:
	rm -rf $(VENV) $(DEMO_OUT) stockwise-output stockwise-data .pytest_cache .ruff_cache
