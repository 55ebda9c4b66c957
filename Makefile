# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: demo test lint install install-test clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install -e '.[test,lint]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

demo: install
	$(VENV)/bin/dedupe run seeds/ --out reports/ --quiet
	@echo "reports written to reports/ (open reports/summary.json)"

test: install-test
	$(PY) -m pytest -q

lint: install-test
	$(VENV)/bin/ruff check dedup tests bench
	$(VENV)/bin/ruff format --check dedup tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Accuracy on the real and generated data sets (several minutes): docs/eval/ and its README section.
.PHONY: eval
eval: install
	$(PIP) install -e '.[plot]'
	$(PY) -m bench.eval --out docs/eval

# Nightly-style fuzzing (about 12 minutes on a 2-core machine): 10,000 Hypothesis examples per
# target, a 50 MB document, 200,000 one-line documents, SIGKILL at six points. `make test` runs the same tests scaled down.
.PHONY: fuzz
fuzz: install-test
	DEDUP_FUZZ_PROFILE=fuzz $(PY) -m pytest -q --hypothesis-show-statistics \
		tests/test_fuzz.py tests/test_hostile_inputs.py tests/test_hostile_paths.py \
		tests/test_hostile_secrets.py tests/test_hostile_html.py tests/test_interrupt.py \
		tests/test_exact_verdicts.py
