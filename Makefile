# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test browser bench lint frontend translations clean

$(BIN)/flask: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

MO := tracker/translations/cy/LC_MESSAGES/messages.mo

install: $(BIN)/flask $(MO)

## the Welsh catalogue, compiled from the .po kept in git
$(MO): tracker/translations/cy/LC_MESSAGES/messages.po $(BIN)/flask
	$(BIN)/pybabel compile --statistics -d tracker/translations -l cy

## run: install, migrate the SQLite database under instance/, load the demo data and serve on 127.0.0.1:$(PORT)
run: install
	TRACKER_ENV=development $(BIN)/flask --app wsgi db upgrade
	TRACKER_ENV=development $(BIN)/flask --app wsgi tracker demo
	TRACKER_ENV=development $(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

## browser: Debian's Chromium for the browser tests (Playwright drives it; no browser download) and
## LibreOffice Calc, which opens the exported .xlsx files in a test
browser:
	@command -v chromium >/dev/null 2>&1 && command -v soffice >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) apt-get install -y -qq --no-install-recommends chromium libreoffice-calc-nogui; }

## test: the whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set; a pytest-xdist worker
## per core (at most 4; TEST_WORKERS=0 runs it in one process)
TEST_WORKERS ?= auto
PYTEST = $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --maxprocesses 4 --dist worksteal
test: install browser
	@echo "== SQLite"
	env -u TEST_DATABASE_URL $(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== PostgreSQL: $$TEST_DATABASE_URL"; $(PYTEST); fi

## bench: performance figures (not part of `make test`)
bench: install
	$(BIN)/python bench/bench_board.py
	$(BIN)/python bench/bench_results.py
	$(BIN)/python bench/bench_surveys.py
	$(BIN)/python bench/bench_survey_results.py
	$(BIN)/python bench/bench_checkins.py
	$(BIN)/python bench/bench_scheduler.py
	$(BIN)/python bench/bench_audits.py

lint: install
	$(BIN)/ruff check tracker tests bench wsgi.py

## frontend: rebuild the vendored front-end files in static/ from npm
frontend:
	bash scripts/build-frontend.sh

clean:
	rm -rf $(VENV) instance/tracker.db* .pytest_cache

## translations: extract every user-facing string into tracker/translations/messages.pot and add the new ones
## to the Welsh catalogue (untranslated: the catalogue test lists them until they are translated)
translations: $(BIN)/flask
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --ignore-dirs ".*" \
	  --project "Service improvement tracker" -o tracker/translations/messages.pot .
	$(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations -l cy \
	  --no-fuzzy-matching --ignore-obsolete --width 100
	$(BIN)/pybabel compile -d tracker/translations -l cy
