# The two commands: `make demo` runs phasegate on the embedded default (SQLite, the
# development mailbox), `make test` runs lint, types and the whole test suite.
# Both create .venv and install what they need.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ARGS   ?=

.PHONY: demo test lint bench bench-web guide-screenshots css axe clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/phasegate demo $(ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache  # the layers: [tool.importlinter] in pyproject.toml
	$(BIN)/mypy --strict benchmarks
	$(BIN)/mypy --strict scripts
	$(BIN)/python scripts/check_catalogs.py

# Two workers, one per core: each gets its own PostgreSQL database (named by its pid).
test: lint
	$(BIN)/pytest -n 2 $(ARGS)

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/engine.py $(ARGS)
	$(BIN)/python benchmarks/mail.py $(ARGS)
	$(BIN)/python benchmarks/tick.py $(ARGS)
	$(BIN)/python benchmarks/webhooks.py $(ARGS)
	$(BIN)/python benchmarks/yaml_check.py $(ARGS)

# The web benchmark needs PostgreSQL: PHASEGATE_TEST_POSTGRES_URL or ARGS="--database-url …"
# names an EMPTY database (its phasegate tables are emptied).
bench-web: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/web.py $(ARGS)

# The screenshots in docs/guide-nb.md, taken anew by its browser test (needs Chromium).
guide-screenshots: $(VENV)/.installed-dev
	PHASEGATE_GUIDE_SHOTS=docs $(BIN)/pytest tests/test_guide_nb.py tests/test_guide_nb_doc.py -q

# The files taken from npm, at the versions pinned in web-assets/ (needs Node and npm):
# Designsystemet's CSS and the Inter font into the package, axe-core into tests/vendor.
# Their output is committed, so Python users never need Node.
css axe:
	cd web-assets && npm ci --no-audit --no-fund
	$(PYTHON) scripts/web_assets.py $@

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
