# Attain: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
STAMP := $(VENV)/.installed
MO_FILES := $(patsubst %.po,%.mo,$(wildcard attain/locale/*/LC_MESSAGES/django.po))
EXAMPLES ?= examples $(wildcard ../shared/examples)

.PHONY: setup demo test check lint format typecheck pytest scenarios clean messages

setup: $(STAMP) $(MO_FILES) ## create the virtual environment, install, compile translations
	@# Attain's own modules compiled to bytecode too (only those changed since the last
	@# time): where PYTHONDONTWRITEBYTECODE is set, Python would otherwise compile every
	@# module again in every process (half the start-up time of a command)
	$(BIN)/python -m compileall -q -j 0 attain config

# --compile-bytecode: the installed packages' bytecode made once here, as pip does
# (uv leaves it to the first import, which never caches it under PYTHONDONTWRITEBYTECODE)
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode --require-hashes -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

attain/locale/%/LC_MESSAGES/django.mo: attain/locale/%/LC_MESSAGES/django.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@ -l $* -D django

demo: setup ## migrate the embedded SQLite database, load the demo company, serve it
	$(BIN)/attain migrate --no-input
	$(BIN)/attain demo load
	@# a background worker for imports and calculation runs, restarted whenever it exits
	@# (--supervise) and stopped with the server
	$(BIN)/attain worker --queue-name '*' --supervise & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/attain runserver 127.0.0.1:8000

test: setup check pytest scenarios ## every test and check

check: lint typecheck
	$(BIN)/lint-imports
	$(BIN)/attain makemigrations --check --dry-run --no-input
	$(BIN)/attain spectacular --fail-on-warn --validate --file /dev/null

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck:
	$(BIN)/mypy attain config

# the tests in as many processes as the machine has cores (pytest-xdist, test by test in
# the collected order: pytest-django's, the tests that flush the database last, as in one
# process; grouping by file would run them in between); PYTEST_WORKERS=0 runs them here
PYTEST_WORKERS ?= auto
pytest:
	$(BIN)/pytest -n $(PYTEST_WORKERS) --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

scenarios: ## the hand-checked scenarios of the spec (a copy in examples/, and ../shared when present)
	ATTAIN_CMD="$(BIN)/attain" $(BIN)/python tools/check_scenarios.py $(EXAMPLES)

messages: ## refresh the translation catalogues (needs GNU gettext)
	$(BIN)/attain makemessages -l zh_Hans --ignore '.venv/*' --no-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov staticfiles
