# Task runner for the template itself, driven by uv. `make help` lists the targets.
PYTHON ?= python3
# uv on PATH, else the one `pip install --user uv` provides (its scripts folder need not be on PATH).
UV ?= $(shell command -v uv 2>/dev/null || echo $(PYTHON) -m uv)
VENV := .venv
DEMO := build/customer-service
WORKERS ?= auto

.PHONY: help install test smoke sync demo bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: pyproject.toml $(wildcard uv.lock)
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --user --quiet uv || { \
		echo "uv is not installed and '$(PYTHON) -m pip install --user uv' failed."; \
		echo "Install uv (https://docs.astral.sh/uv/getting-started/installation/), for example 'pipx install uv', then run make again."; \
		exit 1; }
	$(UV) sync
	touch $@

install: $(VENV)/.installed  ## Create .venv with the template's tooling (uv sync)

test: install  ## The whole suite: engines, validation, hooks and the full matrix
	$(UV) run pytest -n $(WORKERS) --dist worksteal

smoke: install  ## Quick selection: default answers on both engines
	$(UV) run pytest -n $(WORKERS) --dist worksteal -m smoke

sync: install  ## Regenerate copier.yml and cookiecutter.json from questions.yml
	$(UV) run python tools/sync_engines.py

demo: install  ## Render the default service into build/ and run it on embedded defaults
	rm -rf $(DEMO)
	$(UV) run copier copy --defaults --vcs-ref HEAD . $(DEMO)
	$(MAKE) -C $(DEMO) install run UV=$(CURDIR)/$(VENV)/bin/uv UV_PYTHON=$$($(UV) run python tools/find_python.py 3.12)

bench: install  ## Every figure of the benchmark table into benchmarks/results/ (benchmarks/README.md)
	$(UV) run python benchmarks/bench.py --update-readme $(BENCH_ARGS)

clean:  ## Remove the venv, renders and the matrix cache
	rm -rf $(VENV) build .matrix
