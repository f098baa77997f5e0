# Task runner for the template itself. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := build/customer-service
WORKERS ?= auto

.PHONY: help install test smoke sync demo bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '.[test]'
	touch $@

install: $(BIN)/.installed  ## Create .venv with the template's tooling

test: install  ## The whole suite: engines, validation, hooks and the full matrix
	$(BIN)/python -m pytest -n $(WORKERS)

smoke: install  ## Quick selection: default answers on both engines
	$(BIN)/python -m pytest -n $(WORKERS) -m smoke

sync: install  ## Regenerate copier.yml and cookiecutter.json from questions.yml
	$(BIN)/python tools/sync_engines.py

demo: install  ## Render the default service into build/ and run it on embedded defaults
	rm -rf $(DEMO)
	$(BIN)/copier copy --defaults --vcs-ref HEAD . $(DEMO)
	$(MAKE) -C $(DEMO) install run PYTHON=$$($(BIN)/python tools/find_python.py 3.12)

bench: install  ## Render and matrix timings (benchmarks/README.md)
	$(BIN)/python benchmarks/bench_render.py

clean:  ## Remove the venv, renders and the matrix cache
	rm -rf $(VENV) build .matrix
