# The two set-up commands work on a fresh machine: each creates .venv and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench lint mutation precision clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[bench]"
	touch $@

$(VENV)/.installed-mutation: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,mutation]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/chainrule demo

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/run.py

# mutation testing of the eager engine (not part of make test; about 20 min on 2 busy cores): see tests/MUTATION.md
mutation: $(VENV)/.installed-mutation
	rm -rf mutants  # a fresh run: mutmut's cache would keep results from before the tests changed
	$(BIN)/mutmut run --max-children 2
	$(BIN)/python tests/mutation_summary.py

# the course site into site/ (static files: open site/index.html or serve the folder), strict: no warning
docs: $(VENV)/.installed-test
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# every rule's derivatives to third order against mpmath (a sample runs in make test): writes tests/PRECISION.md
precision: $(VENV)/.installed-test
	$(BIN)/python tests/engine_precision.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info mutants site .cache
