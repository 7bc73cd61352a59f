# Two commands matter: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV := .venv
UV_VERSION := 0.13.8
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

# Use uv from the PATH when there is one; otherwise bootstrap it with pip into .tools/.
ifeq ($(shell command -v uv 2>/dev/null),)
UV := .tools/bin/uv
UV_DEP := .tools/bin/uv
else
UV := uv
UV_DEP :=
endif

PY := $(VENV)/bin/python

.PHONY: install run test lint format bench fuzz clean lighthouse

.tools/bin/uv:
	@python=$$(scripts/find-python) && "$$python" -m venv .tools
	@.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.installed: pyproject.toml uv.lock $(UV_DEP)
	@echo "Installing dependencies into $(VENV) (locked in uv.lock)…"
	@$(UV) sync --locked --quiet --python "$$(scripts/find-python)"
	@touch $@

install: $(VENV)/.installed

run: install
	@$(PY) manage.py migrate --no-input
	@# The demo's emails link to this server, as scripts/run's do: same HOST and PORT.
	@SITE_URL="$${SITE_URL:-http://$${HOST:-127.0.0.1}:$${PORT:-8000}}" $(PY) manage.py seed_demo
	@scripts/run

test: install
	@echo "Lint: ruff, formatting, import layers, migrations"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/lint-imports
	@$(PY) manage.py makemigrations --check --dry-run > /dev/null || \
	  (echo "A model changed without its migration: run manage.py makemigrations" && exit 1)
	@echo "Tests on $${DATABASE_URL:-SQLite (default)}"
	@$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/lint-imports

format: install
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

# Benchmarks against PostgreSQL (cp_bench, seeded on first use) with wrk; see docs/performance.md.
bench: install
	@if ! command -v wrk > /dev/null; then \
	  if [ "$$(id -u)" -ne 0 ]; then \
	    echo "wrk is missing: install it with 'sudo apt-get install -y wrk', then run make bench again" && exit 1; \
	  fi; \
	  echo "Installing wrk…" && (apt-get install -y -qq wrk > /dev/null 2>&1 || \
	    (apt-get update -qq && apt-get install -y -qq wrk > /dev/null)); \
	fi
	@$(PY) -m tests.perf.bench $(BENCH_ARGS)

# The fuzzing tests on a larger budget than make test gives them: FUZZ_EXAMPLES per
# operation and role (make test: 5), FUZZ_SCENARIOS call sequences per role (make test: 6).
# Runs on DATABASE_URL like make test; prints each test and what each role's sequences called.
fuzz: install
	@echo "Fuzzing every operation and call sequence as every role on $${DATABASE_URL:-SQLite (default)}:" \
	  "$${FUZZ_EXAMPLES:-50} examples per operation and role, $${FUZZ_SCENARIOS:-100} sequences per role"
	@FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-50} FUZZ_SCENARIOS=$${FUZZ_SCENARIOS:-100} FUZZ_PROGRESS=1 \
	  $(VENV)/bin/pytest tests/test_fuzzing.py -v -s -p no:randomly $(PYTEST_ARGS)

# Lighthouse (mobile) on home, the product list, a product page, the cart and an order
# page; scores into docs/performance.md, failing below 95. Needs Node and npm (only here:
# make run and make test never do); Lighthouse itself is pinned in tools/lighthouse.
LIGHTHOUSE_DIR := tools/lighthouse

$(LIGHTHOUSE_DIR)/node_modules/.installed: $(LIGHTHOUSE_DIR)/package.json $(LIGHTHOUSE_DIR)/package-lock.json
	@if ! command -v npm > /dev/null; then \
	  if [ "$$(id -u)" -ne 0 ]; then \
	    echo "Node and npm are missing: install them with 'sudo apt-get install -y nodejs npm', then run make lighthouse again" && exit 1; \
	  fi; \
	  echo "Installing Node and npm…" && (apt-get install -y -qq nodejs npm > /dev/null 2>&1 || \
	    (apt-get update -qq && apt-get install -y -qq nodejs npm > /dev/null)); \
	fi
	@echo "Installing Lighthouse (locked in $(LIGHTHOUSE_DIR)/package-lock.json)…"
	@cd $(LIGHTHOUSE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lighthouse: install $(LIGHTHOUSE_DIR)/node_modules/.installed
	@$(PY) -m tests.perf.lighthouse $(LIGHTHOUSE_ARGS)

clean:
	rm -rf $(VENV) .tools staticfiles $(LIGHTHOUSE_DIR)/node_modules
