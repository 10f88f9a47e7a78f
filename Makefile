# Quick start: `make build` builds every brochure into out/; `make test` runs the tests.
# Both set up what they need first (system libraries, .venv with the project installed).
PYTHON ?= python3.11
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: build test setup lint bench clean

build: setup
	$(BIN)/brochure build

test: setup
	$(BIN)/python -m pytest

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/system-deps.sh
	scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/build.py
	$(BIN)/python bench/check.py
	$(BIN)/python bench/serve.py
	$(BIN)/python bench/serve_memory.py
	$(BIN)/python bench/personalize.py
	$(BIN)/python bench/send.py
	$(BIN)/python bench/pictures.py

clean:
	rm -rf out
