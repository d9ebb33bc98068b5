# Two commands set everything up on a fresh machine (see README.md):
#   make run   - embedded default (SQLite, filesystem Celery broker): API + worker + beat, demo data
#   make test  - the whole suite against real PostgreSQL and Redis (started here if they are not running)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.txt requirements/bootstrap.txt | cksum | cut -d' ' -f1)

.PHONY: install run test faults services lint typecheck checks schema ci clean messages

# The translation catalogues (locale/*/LC_MESSAGES/django.po) are compiled here, never committed.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

install: $(STAMP) $(MO_FILES)

messages: $(MO_FILES)

# GNU gettext's msgfmt, as Django's compilemessages runs it (Debian/Ubuntu: apt-get install gettext).
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: install GNU gettext (apt-get install gettext)" >&2; exit 1; }
	msgfmt --check-format -o $@ $<

$(STAMP): requirements/dev.txt requirements/bootstrap.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (set PYTHON=/path/to/python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements/bootstrap.txt
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements/dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_content
	$(BIN)/python manage.py load_demo_data
	./scripts/run-embedded

services:
	./scripts/ensure-services

test: install services
	./scripts/ensure-browser
	$(BIN)/pytest -n 2 --create-db
	./scripts/client-tests

# The fault suite (tests/faults/): a private PostgreSQL, Redis, gunicorn, Celery worker and beat on
# free loopback ports, stopped, restarted and killed under load (about 2 minutes). It never touches
# the shared servers `make test` uses. Needs PostgreSQL's server binaries and redis-server.
faults: install
	RUN_FAULTS=1 $(BIN)/pytest -p no:xdist -p no:randomly tests/faults -q -s

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

# Everything CI runs except the suite itself.
checks: install
	./scripts/checks

# Regenerates docs/openapi.yaml, the committed API contract; `make checks` fails while it is stale.
schema: install
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py spectacular \
		--file docs/openapi.yaml --validate --fail-on-warn

ci: lint typecheck checks test faults

clean:
	rm -rf $(VENV) var staticfiles .mypy_cache .ruff_cache $(MO_FILES)
