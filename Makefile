# Two commands set everything up on a fresh machine: `make run` and `make test`.
# The first interpreter that runs and is 3.11 or newer (a version manager's shim may exist and fail).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint typecheck unit contract bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/grassroots serve

# The demo organisation (示例县（演示）) in an empty store, then the server; see docs/demo.md.
demo: $(STAMP)
	$(BIN)/grassroots demo
	$(BIN)/grassroots serve

test: lint typecheck
	$(BIN)/python -m tests.contract.run_schemathesis --edges
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest tests/unit

# Every benchmark, its ratios and percentiles printed and kept in benchmarks/RESULTS.md
# (PostgreSQL too when GRASSROOTS_TEST_DATABASE_URL is set). Takes a while.
bench: $(STAMP)
	$(BIN)/python benchmarks/all.py

# Generated requests against a running server, as an administrator, a volunteer, a
# cadre and anonymously (seeded; SEED=<n> replays a run).
contract: $(STAMP)
	$(BIN)/python -m tests.contract.run_schemathesis --edges $(if $(SEED),--seed $(SEED))

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
