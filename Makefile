# The two commands in the README: `make run` and `make test`. Both create the virtual
# environment on first use, so a fresh machine with Python 3.11 needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test lint venv

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

venv: $(BIN)/.installed

# axe-core for the accessibility checks of the browser tests; skipped where npm is missing
# (those tests then skip too, except in CI, which requires them).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the browser tests will be skipped"; fi

run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --users
	$(BIN)/python manage.py runserver $(HOST)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)
