# Two commands from a fresh machine:  `make run`  and  `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint setup frontend browser screenshots clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

web/static/build/diagrams.js: frontend/package.json frontend/package-lock.json $(wildcard frontend/src/*)
	cd frontend && npm ci --no-audit --no-fund && npm run build

setup: $(STAMP) web/static/build/diagrams.js

frontend: web/static/build/diagrams.js

browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium is not installed; browser tests will be skipped (sudo apt-get install chromium)"; fi; }

## Run the product on SQLite with demo data and an in-process scheduler; prints the URL to open.
run: setup
	COMPLAINTS_CLOCK=demo $(VENV)/bin/complaints init --demo
	COMPLAINTS_CLOCK=demo $(VENV)/bin/complaints serve

## Run every test (PostgreSQL too when COMPLAINTS_TEST_POSTGRES_URL is set).
test: setup browser
	$(PY) -m pytest -n auto --dist loadscope $(PYTEST_ARGS)

## Lint and type-check: ruff (rules in pyproject.toml), the import contracts, mypy on the modules it lists.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

## Refresh docs/screenshots from the browser tests' latest run (they write to build/screenshots).
screenshots:
	test -d build/screenshots || { echo "run the browser tests first (make test)"; exit 1; }
	cp build/screenshots/*.png docs/screenshots/

clean:
	rm -rf $(VENV) instance build frontend/node_modules web/static/build
