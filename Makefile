# The two commands a newcomer needs: `make run` (site and worker) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
export MENTORAPP_ENV ?= development
# Test processes side by side (pytest-xdist), each with a database of its own.
PYTEST_WORKERS ?= 2

.PHONY: run worker test lint format bench mutation clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "mentorapp needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-mutation: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test,mutation]"
	@touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

# The web server and a task worker together (Procfile, run by honcho); Ctrl-C stops both.
run: $(VENV)/.installed-run
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(BIN)/honcho start -f Procfile

# Only the task worker (email, reminders, imports), e.g. beside `flask run` of your own.
worker: $(VENV)/.installed-run
	$(FLASK) worker

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; echo; done

# Mutation testing of the matching engine (README, "Mutation testing"): slow, so not part
# of `make test` or CI; run it before a change to mentorapp/matching/ lands. Starts afresh,
# prints the score per file and every surviving mutant; fails under 90% or on a survivor
# that mutation-survivors.txt does not list.
MUTATION_WORKERS ?= 2
mutation: $(VENV)/.installed-mutation
	rm -rf mutants && mkdir mutants
	$(BIN)/mutmut run --max-children $(MUTATION_WORKERS) > mutants/run.log 2>&1 \
		|| { tail -c 3000 mutants/run.log; exit 1; }
	$(BIN)/python tests/mutation/report.py

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis mutants
