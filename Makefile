# Two commands for everyone: `make course` (run the course on the embedded model) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: course test lint translations clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

course: $(BIN)/.installed
	$(BIN)/python -m course_utils.notebooks build --out build

# After editing English (notebooks/en/, course_utils/locale/feedback.pot) or a translation (*.po).
translations: $(BIN)/.installed
	$(BIN)/python -m tools.translations sync
	$(BIN)/python -m tools.translations status

lint: $(BIN)/.installed
	$(BIN)/ruff check .

test: $(BIN)/.installed lint
	$(BIN)/python -m pytest -ra

clean:
	rm -rf $(VENV) build
