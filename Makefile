# Two commands: `make run` and `make test`. Both install what is missing first and are idempotent.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
PORT ?= 5000
# gunicorn processes and threads; each thread needs a database connection (the pool size), see README.
WORKERS ?= 2
THREADS ?= 4
# pytest processes for `make test`; each has its own test database.
TEST_WORKERS ?= 2
DEBIAN_PACKAGES := postgresql-15-postgis-3 gdal-bin chromium libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
REFERENCE_DATA := data
# `make run` is a demonstration: demo-data also creates one login per role (see README).
run demo-data: export GIS_APP_DEMO_MODE ?= true
run: export GIS_APP_DB_POOL_SIZE ?= $(THREADS)
run: export GIS_APP_DB_MAX_OVERFLOW ?= $(THREADS)

.PHONY: run test lint setup system-packages database demo-data clean bench

run: setup database demo-data
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --threads $(THREADS) --timeout 120 --access-logfile - 'gis_app:create_app()'

test: setup
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -m "not serial" $(PYTEST_ARGS)
	$(BIN)/pytest -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ]  # 5: PYTEST_ARGS left no serial test

# The scale benchmark over HTTP (minutes: builds 1,000,000 places in its own database, drops it at the end; see README).
bench: setup
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(BIN)/python bench/bench_http.py $(BENCH_ARGS)

# ruff (lint and format), mypy, and eslint for the page scripts.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	npx --no-install eslint gis_app/static/js

setup: system-packages $(STAMPS)/venv $(STAMPS)/assets $(STAMPS)/translations

# Debian packages (and Node.js/npm unless some npm is on PATH): apt runs only when one is missing.
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done; \
		command -v npm >/dev/null || echo nodejs npm); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(STAMPS)/venv: setup.cfg constraints.txt pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[test,notebook,lint]'
	touch $@

$(STAMPS)/assets: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STAMPS)/translations: $(STAMPS)/venv $(wildcard gis_app/translations/*/LC_MESSAGES/*.po)
	$(BIN)/pybabel compile -d gis_app/translations
	touch $@

# Starts the private PostGIS on demand (unless DATABASE_URL is set) and applies migrations.
database: setup
	$(BIN)/gis-app db upgrade
	$(BIN)/gis-app public-grid

# Östersund's municipality and district boundaries (shipped in data/), then demo places if there are none.
demo-data: database
	$(BIN)/gis-app import-areas $(REFERENCE_DATA)/ostersund_kommun_from_deso2018.geojson --kind municipality --if-empty
	$(BIN)/gis-app import-areas $(REFERENCE_DATA)/ostersund_deso2018.geojson --kind district --if-empty
	$(BIN)/gis-app demo-data --if-empty
	$(BIN)/gis-app demo-addresses --if-empty
	$(BIN)/gis-app backfill-sun

clean:
	rm -rf $(VENV) $(STAMPS) node_modules
