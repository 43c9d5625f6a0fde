# The two commands in the README: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-dates venv venv-dev venv-bench migrate demo worker bench bench-quick bench-reminders bench-slack bench-import wrk lint format screenshots clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Learning Day needs Python 3.11 or newer; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

$(VENV)/.bench: requirements.txt requirements-dev.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-bench.txt
	@touch $@ $(VENV)/.dev $(VENV)/.runtime

venv: $(VENV)/.runtime
venv-dev: $(VENV)/.dev
venv-bench: $(VENV)/.bench

migrate: venv
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

## run: set up and serve the app on the embedded default (SQLite, demo data, in-process tasks)
run: demo
	@echo "Serving Learning Day on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The suite runs on every core (pytest-xdist), up to four: each worker has its own test database,
# browser and live server. A worker that runs out of tests takes some of another's (worksteal):
# with plain load balancing the browser tests, handed out in one batch, once kept one worker
# busy for five minutes after the other had finished. `make test PARALLEL=` runs it in one process.
PARALLEL ?= -n auto --maxprocesses=4 --dist worksteal

## test: set up and run the whole test suite
test: venv-dev
	$(BIN)/python -m pytest $(PARALLEL) $(PYTEST_ARGS)

# The days that break date arithmetic, in UTC: a Wednesday; a Thursday evening that is already
# Friday in Tokyo; New Year's Eve that is already New Year in Berlin (a new budget and heat-map
# year); just after the clocks go forward in Berlin, and in Los Angeles.
FAKE_INSTANTS ?= 2027-03-17T12:00:00Z 2027-01-14T21:30:00Z 2026-12-31T23:30:00Z 2027-03-28T01:30:00Z 2027-03-14T10:30:00Z
DATE_SENSITIVE_TESTS ?= tests/test_clock.py tests/learningday tests/logs tests/reimbursements tests/reading

## test-dates: the date-sensitive tests again with the whole process clock moved to each of FAKE_INSTANTS (Debian's faketime)
test-dates: venv-dev
	@command -v faketime >/dev/null || { echo "make test-dates needs Debian's faketime: apt-get install faketime"; exit 1; }
	@for instant in $(FAKE_INSTANTS); do \
	  echo "== the clock at $$instant"; \
	  TZ=UTC faketime "$$instant" $(BIN)/python -m pytest -q -p no:cacheprovider $(PARALLEL) $(DATE_SENSITIVE_TESTS) $(PYTEST_ARGS) || exit 1; \
	done

## worker: a Celery worker with the beat scheduler embedded, against REDIS_URL (development)
worker: venv
	@test -n "$$REDIS_URL" || (echo "Set REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0 make worker"; exit 1)
	$(BIN)/celery -A learningday worker --beat --loglevel INFO

## bench-import: a manager's BibTeX import of 1,000 entries, preview and confirm, on SQLite and PostgreSQL
bench-import: venv-dev
	$(BIN)/python bench/bibtex_import.py $(BENCH_ARGS)

wrk:
	@command -v wrk >/dev/null || { echo "installing wrk (Debian)"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

## bench: the key pages under load at 500 and 5,000 people, docs/performance.png and the tables (needs PostgreSQL on 127.0.0.1)
bench: venv-bench wrk
	$(BIN)/python bench/http.py --people 500 $(BENCH_ARGS)
	$(BIN)/python bench/http.py --people 5000 $(BENCH_ARGS)
	$(BIN)/python bench/report.py --before

## bench-quick: the same at 500 people with short runs, a few minutes
bench-quick: venv-bench wrk
	$(BIN)/python bench/http.py --people 500 --duration 4 --warmup 1 --out bench/results/http-500-quick.json $(BENCH_ARGS)

## bench-reminders: one Learning Day of morning reminders at 10,000 and 2,000 people (needs PostgreSQL and Redis on 127.0.0.1)
bench-reminders: venv
	$(BIN)/python bench/reminders.py --people 10000 --zones 24 $(BENCH_ARGS)
	$(BIN)/python bench/reminders.py --people 2000 --zones 24 $(BENCH_ARGS)

## bench-slack: one morning of Slack DMs to 1,000 people against a rate-limiting fake Slack (needs PostgreSQL and Redis on 127.0.0.1)
bench-slack: venv
	$(BIN)/python bench/slack_dms.py --people 1000 $(BENCH_ARGS)

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

format: venv-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## screenshots: PNGs of the main pages, desktop and phone width, light and dark, into docs/screenshots/; the Slack modal and Home tab into docs/slack/
screenshots: venv-dev
	$(BIN)/python -m pytest tests/e2e/screenshots.py tests/e2e/slack_renderings.py -p no:cacheprovider -q

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
