# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_OUT ?= demo-output

.PHONY: demo demo-cli test lint bench clean browser

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The web product: embedded SQLite database in ./var, demo data, server on http://127.0.0.1:8000 (Ctrl+C stops it).
demo: $(STAMP)
	$(BIN)/homeoffice-web migrate --noinput
	$(BIN)/homeoffice-web seed_demo
	@echo "Starting the server on http://127.0.0.1:8000/ (the URLs are above; Ctrl+C stops it)."
	$(BIN)/homeoffice-web runserver 127.0.0.1:8000 --noreload

# The command-line demo: the core on the sample data, results in $(DEMO_OUT)/.
demo-cli: $(STAMP)
	$(BIN)/homeoffice demo --out $(DEMO_OUT)

test: $(STAMP) browser
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/python -m pytest
	$(BIN)/python scripts/test_postgres.py

# Browser tests use Debian's chromium; as root we install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
	  echo "NOTICE: chromium is not installed and cannot be installed here; browser tests will be skipped."; }

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts

bench: $(STAMP)
	$(BIN)/python benchmarks/score_1m.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .hypothesis
