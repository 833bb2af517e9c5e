# Two commands set up a fresh machine (Python 3.11+ and make):
#   make demo   virtualenv, install, migrate, load the demo data, serve on http://127.0.0.1:8000
#   make test   virtualenv, install, lint, then the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve test lint clean-demo

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/payrecon demo --base-url http://$(HOST):$(PORT)
	$(MAKE) serve

serve: install
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 wsgi:app

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -n 2 --timeout 600 $(PYTEST_ARGS)

clean-demo:
	rm -f instance/payrecon.sqlite instance/payrecon.sqlite-wal instance/payrecon.sqlite-shm
