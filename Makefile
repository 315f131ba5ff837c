# Three commands for everyone: `make lab` (study the lessons in JupyterLab), `make course` (run the
# course on the embedded model) and `make test`; `make check` is the quick part of `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
# pytest-xdist: two workers of one CPU thread each (tests/conftest.py), a test file at a time (its
# module fixtures built once), the files with the longest tests first (the order tests/conftest.py sets).
# `make test WORKERS=` runs everything in one process.
WORKERS ?= -n 2 --dist loadfile --no-loadscope-reorder
# Debian's Chromium (and fonts for the lessons' emoji and CJK text) for tests/test_browser.py.
CHROMIUM := /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-noto-cjk fonts-noto-color-emoji

.PHONY: lab course test check lint translations browser clean

# pyproject.toml gives lower bounds (Colab keeps its torch); constraints.txt the exact versions.
$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,lab,video]"
	touch $@

# The Hub is allowed here (a Hub id works where there is internet); the tiny models need none.
# JupyterLab refuses to run as root (containers, CI machines) unless told it may.
lab: $(BIN)/.installed
	HF_HUB_OFFLINE=0 $(BIN)/jupyter lab --ServerApp.root_dir=notebooks --KernelManager.transport_encryption=auto \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

course: $(BIN)/.installed
	$(BIN)/python -m tools.notebooks build --out build

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Regenerates notebooks/es|zh|ja from English and the catalogues, then counts what is left to translate.
translations: $(BIN)/.installed
	$(BIN)/python -m tools.translations sync
	$(BIN)/python -m tools.translations status

# Installs Chromium where it is missing and apt-get can (as root); elsewhere the browser test is skipped.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null \
	      || echo "Could not install $(BROWSER_PACKAGES): the browser test will be skipped."; \
	  else \
	    echo "No $(CHROMIUM): the browser test will be skipped (as root: apt-get install $(BROWSER_PACKAGES))."; \
	  fi; \
	fi

# The whole suite in the pinned environment, then the compatibility matrix: the unit tests and both
# solved lessons at the lowest versions pyproject.toml admits and at the newest releases.
test: $(BIN)/.installed lint browser
	$(BIN)/python -m pytest -ra $(WORKERS)
	$(BIN)/python -m tools.compatibility

# The edit loop: lint and the unit tests (no notebook run, browser, long training or other environment).
check: $(BIN)/.installed lint
	$(BIN)/python -m pytest -q $(WORKERS) -m "not slow and not gpu"

clean:
	rm -rf $(VENV) build
