# The README's two commands (`make run`, `make test`) and the few steps they share.
# A Python 3.12+ is found by itself: python3.12 or python3.13 on PATH, or under pyenv.
PYTHON ?= $(shell for p in python3.12 python3.13 python3 $$HOME/.pyenv/versions/3.12*/bin/python3 $$HOME/.pyenv/versions/3.13*/bin/python3; do \
	if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint browser install

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Klasse needs Python 3.12 or newer (python3.12)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installed again only when pyproject.toml changed (an editable install sees code changes).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
	$(BIN)/klasse compiletranslations >/dev/null

run: install
	DEBUG=true $(BIN)/klasse migrate --noinput
	DEBUG=true $(BIN)/klasse demo --port $(PORT)
	DEBUG=true $(BIN)/klasse serve --port $(PORT)

# Browser tests drive Debian's Chromium; install it when we may (root with apt-get).
browser:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); } || \
		echo "Chromium not installed: browser tests will be skipped (CI installs it)."

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check klasse tests bench
	$(BIN)/ruff format --check klasse tests bench
