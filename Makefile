# Two commands do all the set-up on a fresh machine (see README):
#   make baseline   creates .venv with Python 3.12, installs vraem-sim, runs the baseline scenario
#   make test       creates .venv likewise and runs the test suite
# Pass PYTHON=/path/to/python3.12 if it is not found automatically.

VENV := .venv
BIN := $(VENV)/bin
# A working Python >= 3.12: PYTHON if given, else python3.12/python3.13 on PATH, else pyenv's.
PYTHON ?= $(shell for p in python3.12 python3.13 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	"$$p" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1 && { echo "$$p"; break; }; \
	done)

.PHONY: baseline test lint bench bench-model bench-sweep bench-explorer validate calibrate clean

$(BIN)/vraem: pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: Python >= 3.12 not found; run: make PYTHON=/path/to/python3.12 ..." >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

baseline: $(BIN)/vraem
	$(BIN)/vraem run scenarios/baseline.yaml

# two pytest-xdist workers, each test file on one of them (a module's shared runs are computed
# once); `python -m pytest` alone runs the same tests in one process
test: $(BIN)/vraem
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=20

lint: $(BIN)/vraem
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/ruff format --check sim tests benchmarks
	$(BIN)/lint-imports

validate: $(BIN)/vraem
	$(BIN)/vraem validate

calibrate: $(BIN)/vraem
	$(BIN)/python -m sim.calibration.calibrate

# the benchmark suite (B1-B11, writes benchmarks/results.json; about 10 minutes on 2 cores)
bench: $(BIN)/vraem
	$(BIN)/python benchmarks/run.py

bench-model: $(BIN)/vraem
	$(BIN)/python benchmarks/bench_model.py

bench-sweep: $(BIN)/vraem
	$(BIN)/python benchmarks/bench_sweep.py

bench-explorer: $(BIN)/vraem
	$(BIN)/python benchmarks/bench_explorer.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
