PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint serve screenshots bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $@

demo: $(STAMP)
	$(BIN)/heatmap-tui demo

serve: $(STAMP)
	$(BIN)/heatmap-tui serve --seed --port 8126

# One pytest-xdist worker per core, whole files to a worker (a module's fixtures start once).
# Serially: make test PYTEST_XDIST=   (or PYTEST_ARGS="-n 0": the last -n wins). syrupy skips
# its unused-snapshot check under xdist: tests/unit/test_snapshot_files.py stands in for it.
PYTEST_XDIST ?= -n auto --dist loadfile

test: lint
	$(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

screenshots: $(TEST_STAMP)
	$(BIN)/python -m heatmap_tui.ui.screenshots screenshots

bench: $(TEST_STAMP)
	$(BIN)/python -m bench; status=$$?; $(BIN)/python -m bench.bench_stale && exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache
