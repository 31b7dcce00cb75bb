# gankit: `make lab` to learn, `make test` to check everything. See README.md.
PYTHON  ?= $(shell command -v python3.11 || command -v python3)
VENV    := .venv
BIN     := $(VENV)/bin
PROFILE ?= ci
LESSONS ?=
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
PYTEST_ARGS ?= -n 2
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup lab test lessons release grade lint format strip clean

setup: $(VENV)/.installed

# Re-installs only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	# Students get a plain JupyterLab: no nbgrader instructor menus, no news pop-up.
	$(BIN)/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:create-assignment \
		@jupyter/nbgrader:formgrader @jupyter/nbgrader:course-list @jupyterlab/apputils-extension:announcements
	$(BIN)/jupyter server extension disable --sys-prefix nbgrader.server_extensions.formgrader
	touch $@

lab: setup
	$(BIN)/jupyter lab --notebook-dir=lessons $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# Tests run side by side (pytest -n), each kernel on one thread: small networks sharing cores
# run several times slower with two threads each (benchmarks/train_speed.py).
test: setup
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} $(BIN)/python -m pytest $(PYTEST_ARGS)

# Execute the solution notebooks into build/lessons/ and print one table of their numbers.
lessons: setup
	$(BIN)/python -m gankit.course --profile $(PROFILE) --lessons "$(LESSONS)" --jobs $(JOBS)

# Regenerate lessons/ from solutions/ with nbgrader.
release: setup
	$(BIN)/python -m autograder.course release

# Grade a folder of submissions: grades.csv, feedback and a class report in build/grades/LESSON/.
# `make grade LESSON=01_minimax SUBMISSIONS=path [JOBS=4] [ARGS=--regrade]`; see README.md.
grade: setup
	@test -n "$(LESSON)" -a -n "$(SUBMISSIONS)" || { echo "usage: make grade LESSON=01_minimax SUBMISSIONS=path [JOBS=n] [ARGS=--regrade]" >&2; exit 2; }
	$(BIN)/gankit-grade $(LESSON) $(SUBMISSIONS) --jobs $(JOBS) $(ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Notebooks are stored without outputs.
strip: setup
	$(BIN)/nbstripout --keep-id solutions/*/*.ipynb lessons/*/*.ipynb

clean:
	rm -rf build .pytest_cache .ruff_cache
