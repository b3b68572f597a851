# Popupstore — the two commands of the README, and a few more for developers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Simulated visitors in the demo event (demo events only), so the store looks busy.
DEMO_VISITORS ?= 60

.PHONY: run test bench lint install install-test translations messages clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the project's metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

# Compiled catalogs are committed; this refreshes them after editing a .po file.
translations: $(VENV)/.installed
	@if ls popupstore/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile -d popupstore/translations; fi

# After adding or changing user-facing text: extract every msgid (Dutch) from the code and
# templates, merge them into the English catalog, then translate the new or fuzzy entries in
# popupstore/translations/en/LC_MESSAGES/messages.po and run `make translations`.
# tests/i18n fails while an entry is untranslated or the compiled .mo is stale.
BABEL_KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2
messages: $(VENV)/.installed
	@mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-wrap --sort-by-file \
	  --project popupstore -o build/messages.pot .
	@if [ -f popupstore/translations/en/LC_MESSAGES/messages.po ]; then \
	  $(BIN)/pybabel update -i build/messages.pot -d popupstore/translations -l en \
	    --no-wrap --ignore-obsolete; \
	else \
	  $(BIN)/pybabel init -i build/messages.pot -d popupstore/translations -l en --no-wrap; \
	fi
	$(BIN)/pybabel compile -d popupstore/translations --statistics

run: install
	$(BIN)/popupstore bootstrap-demo --visitors $(DEMO_VISITORS) --base-url http://$(HOST):$(PORT)
	$(BIN)/popupstore run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest

# The README's pictures, taken from the demo store `make run` makes (see docs/take_screenshots.py).
screenshots: install-test
	$(BIN)/python docs/take_screenshots.py

bench: install-test
	$(BIN)/python -m bench

lint: install-test
	$(BIN)/ruff check popupstore tests bench
	$(BIN)/ruff format --check popupstore tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache
