# Koepel: two commands on a fresh machine with only Python 3.
#   make demo   environment + migrations + demo koepel, served with its job worker on
#               http://$(HOST):$(PORT) (default 127.0.0.1:5000; e.g. make demo HOST=0.0.0.0 PORT=8080),
#               and the reference lokaal loket beside it on http://$(HOST):$(LOKET_PORT) (default 5050)
#   make test   environment + the whole test suite (browser tests need Debian's chromium)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
LOKET_PORT ?= 5050

.PHONY: demo test venv translations lint bench clean messages

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP) translations

translations: $(STAMP)
	@if ls core/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel -q compile -d core/translations; fi

# Links in the printed hints and the demo's e-mails: KOEPEL_BASE_URL when set, else http://HOST:PORT
# with, for HOST=0.0.0.0 or ::, the machine's own address (core/netaddr.py), which a tablet can open.
DEMO_URL = $(or $(KOEPEL_BASE_URL),$(shell $(BIN)/python -m core.netaddr $(HOST) $(PORT)))

demo: venv
	KOEPEL_INSECURE_COOKIES=1 $(BIN)/koepel db upgrade
	KOEPEL_BASE_URL=$(DEMO_URL) KOEPEL_LOKET_URL=http://127.0.0.1:$(LOKET_PORT) $(BIN)/koepel demo --base-url $(DEMO_URL)
	$(BIN)/koepel loket demo
	KOEPEL_INSECURE_COOKIES=1 $(BIN)/koepel loket serve --host $(HOST) --port $(LOKET_PORT) & LOKET_PID=$$!; \
	  trap 'kill $$LOKET_PID 2>/dev/null' EXIT INT TERM; \
	  KOEPEL_BASE_URL=$(DEMO_URL) $(BIN)/koepel serve --dev --jobs --host $(HOST) --port $(PORT)

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

# Re-extract every _() / _l() string of core and plugins into the one catalogue, then update nl/fr/en.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o core/translations/messages.pot --no-location --sort-output .
	@for lang in nl fr en; do \
	  test -f core/translations/$$lang/LC_MESSAGES/messages.po || \
	    $(BIN)/pybabel init -i core/translations/messages.pot -d core/translations -l $$lang; done
	$(BIN)/pybabel update -i core/translations/messages.pot -d core/translations --no-fuzzy-matching

bench: venv
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) var build *.egg-info
