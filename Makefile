# csa-workbench: every set-up step lives here, so a fresh machine needs only python3 and make.
#   make report   set up, then produce the quarterly board pack from the sample data in data/raw/
#   make test     set up, then run the whole test suite (what CI runs)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KERNEL := csa-workbench
# The default sample: Leicestershire County from the 2025 police.uk files (January to December 2025), whose
# latest complete quarter, 2025-26Q3 (October to December), is the default (--quarter left to the workbench),
# compared with 2025-26Q2. The second example, data/raw/leicestershire (October 2018 to February 2019, with the
# 2011 funding table): make report DATA=data/raw/leicestershire QUARTER=2018-19Q3
DATA   ?= data/raw/leicestershire-2025
QUARTER ?=
OUT    ?= reports/$(notdir $(DATA))$(if $(QUARTER),-$(QUARTER))
JOBS   ?=

.PHONY: help venv lock report score check test lint format bench lab browser clean strip

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

# Exact versions, with hashes, from requirements.lock (make lock refreshes it from pyproject.toml).
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (csa-workbench)"
	@touch $(STAMP)

venv: $(STAMP)  ## create or refresh .venv from requirements.lock and register the Jupyter kernel

lock: venv  ## refresh requirements.lock (exact versions and hashes, every platform) from pyproject.toml
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes \
	  -o requirements.lock --upgrade

report: venv  ## the full board pack for the sample data: reports/leicestershire-2025/index.html
	$(BIN)/csa assess --data $(DATA) $(if $(QUARTER),--quarter $(QUARTER)) --out $(OUT) $(if $(JOBS),--jobs $(JOBS))

score: venv  ## only the scored tables (fast): reports/leicestershire-2025/tables/*.csv
	$(BIN)/csa score --data $(DATA) $(if $(QUARTER),--quarter $(QUARTER)) --out $(OUT)

check: venv  ## validate the sample inputs and print the data-quality summary
	$(BIN)/csa check --data $(DATA)

browser:  ## install Debian's chromium and chromedriver for the browser test (needs root; skipped otherwise)
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq chromium chromium-driver >/dev/null) ; } || \
	  echo "chromium not installed: the browser test will be skipped"

test: venv browser lint  ## the whole test suite
	$(BIN)/python -m pytest

lint: venv  ## ruff, and the direction of imports (import-linter: layers, no cycles)
	$(BIN)/ruff check csa_analysis tests benchmarks tools
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff format csa_analysis tests benchmarks

bench: venv  ## performance benchmarks (not part of make test)
	$(BIN)/python -m benchmarks

lab: venv  ## JupyterLab on notebooks/
	$(BIN)/jupyter lab notebooks/

strip: venv  ## strip outputs from the notebooks (keeps cell tags)
	$(BIN)/nbstripout --keep-id notebooks/*.ipynb

clean:  ## remove the virtual environment and the processed cache (raw data is never touched)
	rm -rf $(VENV) data/processed/files data/processed/incidents data/processed/stat-index.json
