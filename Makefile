# Popupstore — the two commands of the README, and a few more for developers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# pytest-xdist workers: one per core of the 2-core machines this project runs on.
TEST_WORKERS ?= 2
# The Nu Html Checker for the browser tests, pinned in tests/browser/vnu/package-lock.json.
VNU_DIR := tests/browser/vnu
VNU_JAR := $(VNU_DIR)/node_modules/vnu-jar/build/dist/vnu.jar

# Simulated visitors in the demo event (demo events only), so the store looks busy.
DEMO_VISITORS ?= 60

.PHONY: run test check bench lint install install-test translations messages clean screenshots

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

# --ignore-scripts: the package's own install script would fetch a Java; Debian's is used.
$(VNU_JAR): $(VNU_DIR)/package.json $(VNU_DIR)/package-lock.json
	npm ci --prefix $(VNU_DIR) --ignore-scripts --no-audit --no-fund --loglevel=error

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations $(VNU_JAR)

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

# Everything: SQLite and PostgreSQL, browsers, the full hypothesis counts. The browser tests
# share one worker (--dist loadgroup) while the other worker runs the rest.
test: install-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

# The fast lane while developing: the linters, then the suite on SQLite without browsers and
# without the `slow` end-to-end tests (servers in processes, nginx, the wheel, the console,
# the ILP optimum), with a quarter of the hypothesis examples (tests/hypothesis_profiles.py).
# It needs neither PostgreSQL nor Chromium nor the HTML checker; `make test` runs everything.
check: lint translations
	POPUPSTORE_TEST_DATABASES=sqlite POPUPSTORE_HYPOTHESIS_PROFILE=check \
	  $(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not browser and not slow" -q

# The README's pictures, taken from the demo store `make run` makes (see docs/take_screenshots.py).
screenshots: install-test
	$(BIN)/python docs/take_screenshots.py

bench: $(VENV)/.installed-bench translations
	$(BIN)/python -m bench

lint: $(VENV)/.installed-test
	$(BIN)/ruff check popupstore tests bench
	$(BIN)/ruff format --check popupstore tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache $(VNU_DIR)/node_modules
