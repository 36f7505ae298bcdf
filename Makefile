# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/mobileplans-sim run $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check esim simulator tests
	$(VENV)/bin/ruff format --check esim simulator tests
	$(VENV)/bin/mypy

test: lint
	$(PY) -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m pytest tests/bench -q -s -p no:randomly $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
