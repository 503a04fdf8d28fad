# Printfront: `make run` brings the whole product up, `make test` runs the whole suite.
# Needs only Python 3.11+ and make; everything else goes into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench faults clean messages

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# axe-core for the browser accessibility sweep, from the npm registry (tests/a11y/axe.py).
install: $(STAMP)
	$(BIN)/python -m tests.a11y.axe

# Web on http://127.0.0.1:8000, a Celery worker and beat, the sandbox on :8100, with demo data.
# `make run PORT=8001` moves web, SITE_URL and sandbox (PORT + 100) together. A crashed process
# is restarted; Ctrl-C stops all.
run: $(STAMP)
	DEBUG=$${DEBUG:-True} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-True} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-True} $(BIN)/python manage.py runstack

# One test process per CPU (pytest-xdist); each has its own test database, sandbox, live
# server and Celery queue (conftest.py).
test: install
	$(BIN)/pytest -n auto

# Developers only (needs GNU gettext): refresh the Spanish catalog from the code, translate it,
# then compile it. The .mo files are committed, so `make run` and CI need no gettext tools.
MESSAGES_SCOPE := --ignore=.venv --ignore=bench --ignore=tests --ignore=var --ignore=memorydb_default
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l es -e html,txt,py --no-location --no-obsolete $(MESSAGES_SCOPE)
	$(BIN)/python manage.py compilemessages -l es $(MESSAGES_SCOPE)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# In-process benchmarks, then the load benchmarks on gunicorn, Celery, PostgreSQL and Redis (wrk).
bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.load

# Order deliveries over real HTTP while workers are killed and Redis dies: nothing lost, nothing
# doubled. Needs DATABASE_URL (PostgreSQL) and redis-server; see README "Faults".
faults: $(STAMP)
	$(BIN)/python -m bench.faults

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
