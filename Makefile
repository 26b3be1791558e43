# The one interface a newcomer needs: `make demo`, then `make test`.
# Everything csops writes goes under CSOPS_HOME (default ./data).

PYTHON ?= python3.11
UV_VERSION := 0.13.8
# uv resolves and installs the locked set in seconds; it comes from PyPI when missing.
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
BIN := $(VENV)/bin
export CSOPS_HOME ?= $(CURDIR)/data

DEMO_AGENTS ?= 60
DEMO_DAYS ?= 60
DEMO_START ?= 2026-01-05
DEMO_SEED ?= 7

.PHONY: demo install pipeline app dev test browser clean

## demo: install, simulate a demo center (60 agents, 60 days), run the pipeline, serve the app
demo: install
	@if [ -d "$(CSOPS_HOME)/landing" ]; then \
		echo "Landing files already in $(CSOPS_HOME)/landing: not simulating again."; \
	else \
		$(BIN)/csops simulate --agents $(DEMO_AGENTS) --days $(DEMO_DAYS) --start $(DEMO_START) --seed $(DEMO_SEED); \
	fi
	$(BIN)/csops run
	$(BIN)/csops app

## test: install (with the browser the browser test drives) and run every test
test: install browser
	$(BIN)/pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

# Debian's Chromium: the browser test drives it through Playwright (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

pipeline: install
	$(BIN)/csops run

app: install
	$(BIN)/csops app

dev: install
	$(BIN)/csops dev

clean:
	rm -rf "$(CSOPS_HOME)" target logs

## lint: SQLFluff over the dbt models (.sqlfluff); a help, not a gate: `make test` does not run it
.PHONY: lint
lint: install
	-$(BIN)/sqlfluff lint models --processes 2
