# SolNet's entry points. `make run` and `make test` work on a fresh machine with Python 3.11.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 2
WEB_THREADS ?= 4
## Test processes (pytest-xdist): `auto` is one per core; 0 runs the suite in this process.
TEST_WORKERS ?= auto
## The share of the benchmarks' sizes a smoke run uses (`make bench-smoke`).
BENCH_SMOKE_SCALE ?= 0.05
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run demo install install-dev test lint verify bench bench-smoke load browser pdf-libs pdf-tools gettext messages clean docs screenshots

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --frozen --no-dev --quiet

install-dev: $(UV)
	$(UV) sync --frozen --group docs --quiet

## Pango, which WeasyPrint needs for demand letters. Best effort for `make run`: without it
## SolNet works, but cannot make PDF letters.
pdf-libs:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || { \
	  echo "Installing Debian's Pango for PDF letters"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; }; \
	  else sudo -n apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null 2>&1; fi \
	  || echo "Could not install Pango: PDF letters will not work until it is installed."; }

## Pango and pdftotext (poppler-utils) for the tests of PDF letters.
pdf-tools:
	@{ ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 && command -v pdftotext >/dev/null; } || { \
	  echo "Installing Debian's Pango and poppler-utils for the PDF tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils >/dev/null || { apt-get update -q && apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils >/dev/null; }; \
	  else sudo apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils >/dev/null; fi; }

## The worker and the web server together until Ctrl-C (`run` and `demo`).
SERVE = $(PY) manage.py run_huey --quiet & worker=$$!; \
  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
  SOLNET_BASE_URL=$${SOLNET_BASE_URL:-http://$(HOST):$(PORT)} \
  $(VENV)/bin/gunicorn solnet.wsgi --config python:solnet.gunicorn_conf --bind $(HOST):$(PORT) \
    --workers $(WEB_WORKERS) --threads $(WEB_THREADS) --access-logfile /dev/null --log-level warning

## Install, migrate, start the web server and the worker on SQLite, print how to sign in.
run: install pdf-libs
	@$(PY) manage.py migrate --noinput --verbosity 0
	@echo "The database is ready (SQLite in var/)."
	@echo "SolNet is starting at http://$(HOST):$(PORT)/"
	@SOLNET_BASE_URL=$${SOLNET_BASE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py founding_link
	@echo "Members sign in at http://$(HOST):$(PORT)/accounts/login/ with their sign-in name,"
	@echo "password and second factor. Stop with Ctrl-C."
	@echo ""
	@$(SERVE)

## A demo network of made-up people, councils, fights, votes and a picket, in both languages,
## in var/demo/ (never the database of `make run`); prints an organizer's and a member's
## sign-ins, then starts like `make run`. Run again, it keeps the demo and prints them again.
demo: export SOLNET_DATA_DIR := $(CURDIR)/var/demo
demo: export DATABASE_URL :=
demo: export REDIS_URL :=
demo: export SOLNET_SMTP_HOST :=
demo: export SOLNET_SMS_ACCOUNT_SID :=
demo: install pdf-libs
	@$(PY) manage.py migrate --noinput --verbosity 0
	@SOLNET_BASE_URL=$${SOLNET_BASE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py demo
	@echo "Stop with Ctrl-C."
	@echo ""
	@$(SERVE)

## Chromium from Debian for the browser tests (never a downloaded browser).
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium >/dev/null; }; \
	  else sudo apt-get install -y -q chromium >/dev/null; fi; }

## GNU gettext, for checking and compiling the translation catalogues.
gettext:
	@command -v msgfmt >/dev/null || { \
	  echo "Installing Debian's gettext for the translation tools"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q gettext >/dev/null || { apt-get update -q && apt-get install -y -q gettext >/dev/null; }; \
	  else sudo apt-get install -y -q gettext >/dev/null; fi; }

## Install what the tests need and run the whole suite, on every core.
test: install-dev browser pdf-tools
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install-dev gettext
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy solnet/*/services.py solnet/*/services/*.py solnet/*/access.py solnet/core/twoperson.py solnet/members/resets.py solnet/*/start.py
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --fail-level WARNING
	$(PY) -m solnet.core.messages_check

## Security figures (SECURITY.md): a table, and var/verify-results.json.
verify: install-dev browser pdf-tools
	$(PY) -m pytest -n $(TEST_WORKERS) -m verify -q --figures=var/verify-results.json --figures-title="Security figures"

## Performance figures as ratios to floors measured in the same run: var/bench-results.json.
## One process: a benchmark times itself against its floor with nothing else of ours running.
bench: install-dev
	$(PY) -m pytest -m bench -q --figures=var/bench-results.json --figures-title="Benchmarks"

## The same benchmarks at a small share of their sizes, as CI runs them: every figure is
## written (var/bench-smoke-results.json, marked with its scale), in a few minutes.
bench-smoke: install-dev
	SOLNET_BENCH_SCALE=$(BENCH_SMOKE_SCALE) $(PY) -m pytest -m bench -q --figures=var/bench-smoke-results.json --figures-title="Benchmarks"

## The load test (SECURITY.md, R-5), on loopback: a fresh network of 50 members with their second
## factor (`manage.py load_setup`, in var/load/), served by gunicorn and the worker as `make run`
## serves it, on SQLite, then on PostgreSQL (its own database, LOAD_DATABASE_URL) with Redis.
## LOAD_USERS members sign in at once (the sign-in storm), then use the pages for LOAD_TIME.
## Prints a table per page (p50, p95, p99, errors, p95 against the floor's) and writes
## var/load-results-sqlite.json and var/load-results-postgresql.json.
LOAD_TIME ?= 3m
LOAD_USERS ?= 50
LOAD_DATABASES ?= sqlite postgresql
LOAD_PORT ?= 8011
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/solnet_load
LOAD_REDIS_URL ?= redis://127.0.0.1:6379/15
load: install-dev
	$(PY) -m load.run --databases $(LOAD_DATABASES) --users $(LOAD_USERS) --time $(LOAD_TIME) \
	  --workers $(WEB_WORKERS) --threads $(WEB_THREADS) --host $(HOST) --port $(LOAD_PORT) \
	  --database-url $(LOAD_DATABASE_URL) --redis-url $(LOAD_REDIS_URL)

## The documentation site (mkdocs.yml, docs/) built into var/site; any warning fails it.
docs: install-dev
	$(VENV)/bin/mkdocs build --strict

## The README's and the documentation's screenshots, on a phone and a desktop, made by a
## browser test into docs/screenshots/.
screenshots: install-dev browser
	SOLNET_SCREENSHOTS=docs/screenshots $(PY) -m pytest solnet/core/tests/test_screenshots.py -q

## Refresh the translation catalogues after changing strings.
messages: install-dev gettext
	cd solnet && ../$(PY) ../manage.py makemessages -l es --no-location --no-obsolete -i "static/*"
	cd solnet && ../$(PY) ../manage.py compilemessages -l es

clean:
	rm -rf $(VENV) .tools var/static
