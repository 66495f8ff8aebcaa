# Two commands do all the set-up on a fresh machine:
#   make demo   -> virtual environment + install + the demo end to end
#   make test   -> virtual environment + install + ruff + the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stockwise-installed
DEMO_OUT ?= stockwise-demo
PYTEST_ARGS ?=

.PHONY: demo test lint venv bench clean

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
	$(BIN)/python benchmarks/generate_scale.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) stockwise-output stockwise-data .pytest_cache .ruff_cache
