# Habeas: `make run` serves the demo NPM; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
CHROMIUM ?= $(or $(HABEAS_CHROMIUM),$(shell command -v chromium || echo /usr/bin/chromium))
DEV_ENV := HABEAS_ENV=development HABEAS_DEMO=1

.PHONY: run test lint typecheck install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p var/static
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py demo --scale small --if-empty
	@echo "Starting the background worker (reports) and the web server on http://127.0.0.1:8000"
	$(DEV_ENV) $(BIN)/python manage.py db_worker --no-reload -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# The suite runs in parallel, one worker per CPU (TEST_WORKERS=N to choose, 0 for none),
# each with its own test database; a module's tests marked `xdist_group` (those sharing
# one demo load) stay together in one worker.
test: $(STAMP)
	@mkdir -p var/static
	@if [ -x "$(CHROMIUM)" ]; then echo "Browser journeys: running in $(CHROMIUM)"; \
	else echo "Browser journeys: SKIPPED, Chromium not found (install Debian's chromium or set HABEAS_CHROMIUM)"; fi
	HABEAS_ENV=test HABEAS_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q \
		-n $(or $(TEST_WORKERS),logical) --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	HABEAS_ENV=test $(BIN)/mypy habeas

clean:
	rm -rf $(VENV) var
