# The two commands in the README: `make run` and `make test`. Both create the virtual
# environment on first use, so a fresh machine with Python 3.11 needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test lint venv lock audit benchmark loadtest vendor

# Exactly the versions in requirements.lock, each checked against its hash (pip, setuptools and
# wheel included), then the project itself on top, without resolving anything again.
$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

venv: $(BIN)/.installed

# Regenerate requirements.lock from pyproject.toml: new dependencies are added, pinned ones kept.
# `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed versions,
# `make lock LOCK_ARGS="--upgrade-package django"` one package.
lock: venv
	$(BIN)/pip-compile --quiet --extra test --all-build-deps --allow-unsafe --generate-hashes \
	  --strip-extras --no-emit-find-links --no-emit-index-url $(LOCK_ARGS) \
	  -o requirements.lock pyproject.toml

# Known vulnerabilities in the locked versions (PyPI's advisory data; needs the network).
audit: venv
	$(BIN)/pip-audit -r requirements.lock --require-hashes --disable-pip --progress-spinner off \
	  $(AUDIT_ARGS)

# axe-core for the accessibility checks of the browser tests; skipped where npm is missing
# (those tests then skip too, except in CI, which requires them).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the browser tests will be skipped"; fi

# Det Fælles Designsystem (npm dkfds, the version in package.json), committed under
# static/vendor/dkfds/ as plotly.js is, so that `make run` needs no npm: its virk.dk theme with
# its source map, and exactly the fonts and images the stylesheet refers to (collectstatic's
# hashed names need every one of them). Not its script: no component the pages use needs it.
# Run after changing the version in package.json.
DKFDS := node_modules/dkfds/dist
vendor: node_modules/.installed
	rm -rf static/vendor/dkfds && mkdir -p static/vendor/dkfds/css
	cp $(DKFDS)/css/dkfds-virkdk.min.css $(DKFDS)/css/dkfds-virkdk.min.css.map static/vendor/dkfds/css/
	cp $(DKFDS)/LICENSE.md static/vendor/dkfds/
	cd $(DKFDS)/css && grep -o 'url([^)]*)' dkfds-virkdk.min.css | sed 's/^url(//; s/)$$//; s/[?#].*//' | \
	  sort -u | while read -r file; do mkdir -p "../../../../static/vendor/dkfds/css/$$(dirname "$$file")"; \
	  cp "$$file" "../../../../static/vendor/dkfds/css/$$file"; done
	cp $(DKFDS)/img/all-svg-icons.svg static/vendor/dkfds/img/
	node -p '"dkfds " + require("./node_modules/dkfds/package.json").version' > static/vendor/dkfds/VERSION

# plotly's Danish locale (months and days on the charts' axes and hovers), from the npm package
# plotly.js-locales, which ships it as a CommonJS module: wrapped so the browser registers it
# with the plotly.js of static/vendor. The result is committed; run after upgrading the package.
static/vendor/plotly-locale-da.js: node_modules/.installed
	{ echo "// plotly.js-locales $$(node -p "require('plotly.js-locales/package.json').version") da.js (MIT), registered with plotly.js: made by make $@"; \
	  echo "(function () { var module = { exports: {} };"; \
	  cat node_modules/plotly.js-locales/da.js; \
	  echo "window.Plotly.register(module.exports); })();"; } > $@

# The settings default to production (DEBUG off, a secret key required): development says so.
run lint benchmark: export DEBUG = 1

run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py load_demo --users
	$(BIN)/python manage.py runserver $(HOST)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The national-scale benchmark (README, "Speed at national scale"): a PostgreSQL database of its
# own, created if missing; the synthetic data set is generated there the first time.
# It runs with production settings (DEBUG off: no query log kept, the hashed static files of
# collectstatic), with a throwaway key of its own.
BENCH_DATABASE_URL ?= postgres://jobcenter:jobcenter@127.0.0.1:5432/jobcenter_bench
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=0 SECRET_KEY=benchmark-only-not-secret \
  STATIC_ROOT=$(CURDIR)/$(VENV)/benchmark-static
benchmark: venv
	@psql "$(BENCH_DATABASE_URL)" -qc "SELECT 1" >/dev/null 2>&1 || \
	  psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc 'CREATE DATABASE "$(notdir $(BENCH_DATABASE_URL))"'
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(BIN)/python manage.py generate_national
	$(BENCH_ENV) $(BIN)/python manage.py benchmark

# The load test (README, "Load test"): gunicorn with production settings, a Celery worker and
# a database of its own (dropped and created again), 50 readers and 5 analysts importing for
# LOAD_SECONDS; fails on any error or a committed figure not stored. A Redis of its own on
# 127.0.0.1:6380 unless LOAD_BROKER_URL names one.
LOAD_DATABASE_URL ?= postgres://jobcenter:jobcenter@127.0.0.1:5432/jobcenter_load
LOAD_SECONDS ?= 90
loadtest: venv
	LOAD_DATABASE_URL=$(LOAD_DATABASE_URL) LOAD_SECONDS=$(LOAD_SECONDS) $(BIN)/python tests/loadtest.py
