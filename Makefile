# STLS Insight: the two commands in the README are `make run` and `make test`.
# Everything else here is for developers.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
STLS_WAREHOUSE ?= warehouse/stls.duckdb
export STLS_WAREHOUSE

STAMP := $(VENV)/.installed

.PHONY: run test setup demo lint format bench screenshots browser clean

# The venv is rebuilt when the dependency list changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

$(STLS_WAREHOUSE): | $(STAMP)
	$(BIN)/stls demo

demo: $(STAMP)
	$(BIN)/stls demo

run: $(STAMP) $(STLS_WAREHOUSE)
	$(BIN)/stls dashboard --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# What a load costs (read, raw, audit with GX, dbt) and peak memory, against targets.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py

# The dashboard in headless Chromium: every page timed, checked for exceptions and with axe.
browser: $(STAMP)
	$(BIN)/python -m pytest tests/test_browser.py -q

# A PNG of every dashboard page in screenshots/ (from the same browser run).
screenshots: $(STAMP)
	STLS_SCREENSHOTS=screenshots $(BIN)/python -m pytest tests/test_browser.py -q

clean:
	rm -rf $(VENV) dbt/target dbt/logs warehouse/*.duckdb*
