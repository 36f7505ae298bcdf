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

# Benchmarks print their figures; they never fail on a number (targets are in README.md).
bench: $(STAMP)
	@$(PY) tests/bench/machine_speed.py "before the benchmarks"
	@for script in tests/bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done
	@$(PY) tests/bench/machine_speed.py "after them"

clean:
	rm -rf $(VENV) build *.egg-info

# Structurally mutated valid messages at every edge (FUZZ_CASES per edge, default 10000): the
# eSIM edges (codec, ES10 APDUs, ES9+/ES2+ over HTTPS), then the ThingSpace listener's SOAP/REST
# wires and the bridge channel; each prints cases, refusals by kind and time, and fails on any
# internal error or slow case.
.PHONY: fuzz
fuzz: $(STAMP)
	$(PY) tests/adversarial/fuzz.py
	FUZZ_CASES=$${FUZZ_CASES:-10000} $(PY) -m pytest -q -s -p no:cacheprovider \
		-o faulthandler_timeout=0 \
		tests/adversarial/test_listener_mutations.py tests/adversarial/test_bridge_messages.py
