# Two commands do all set-up on a fresh machine with Python 3.11 and Java >= 11:
#   make demo   synthetic data + every analysis on its demo parameters -> reports/demo/
#   make test   the whole test suite (pytest, nbval over the notebooks)
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_WORKERS ?= 2

.PHONY: demo test test-fast bench lab check-java clean help

help:
	@echo "make demo   generate synthetic data and run every analysis (reports in reports/demo/)"
	@echo "make test   run the test suite"
	@echo "make bench  run the benchmarks (writes benchmarks/RESULTS.md)"
	@echo "make lab    start JupyterLab on the notebooks"

check-java:
	@sh tools/check_java.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# the whole environment at the versions in requirements.lock (regenerate it with tools/update_lock.sh), then
# the package itself without resolving anything again; pip check proves the set is consistent
$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

demo: check-java $(STAMP)
	$(BIN)/bigmed demo --out reports/demo

# two workers (the machine's two cores); --dist loadscope keeps a module's tests, and so its module-scoped
# fixtures (one demo run, one batch), on one worker. Each worker starts its own local Hail session.
test: check-java $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope

# the edit-test loop: everything not marked slow (no Hail, no demo cohorts, no notebooks or bigmed subprocesses)
test-fast: check-java $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -n $(TEST_WORKERS) --dist loadscope

bench: check-java $(STAMP)
	$(BIN)/python benchmarks/run_all.py

lab: check-java $(STAMP)
	$(BIN)/bigmed lab

clean:
	rm -rf reports/ .hail_tmp/ bigmed-output/ .pytest_cache/
