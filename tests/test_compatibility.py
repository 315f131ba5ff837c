"""The compatibility matrix's own plumbing (the matrix itself runs from `make test`, after pytest)."""

import re
import tomllib
from pathlib import Path

import pytest

from tools import compatibility

ROOT = Path(__file__).resolve().parents[1]


def test_an_unknown_environment_is_a_usage_error_naming_the_choices(capsys):
    with pytest.raises(SystemExit) as stopped:
        compatibility.main(["oldest"])
    assert stopped.value.code == 2
    assert "unknown environment oldest: choose from lowest, newest" in capsys.readouterr().err


def test_make_test_runs_the_matrix_after_the_suite_and_check_runs_the_same_unit_tests():
    makefile = (ROOT / "Makefile").read_text()
    test = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, flags=re.M).group(1).split("\n")
    assert [line.strip() for line in test if line.strip()] == [
        "$(BIN)/python -m pytest -ra $(WORKERS)",
        "$(BIN)/python -m tools.compatibility",
    ]
    check = re.search(r"^check:.*\n((?:\t.*\n)+)", makefile, flags=re.M).group(1)
    unit = compatibility.UNIT_TESTS
    assert '$(WORKERS) -m "not slow and not gpu"' in check
    assert unit[unit.index("-m") + 1] == "not slow and not gpu"
    assert unit[unit.index("-n") + 1] == "2"  # on two workers, as `make check` by default


def test_the_lowest_environment_is_what_the_lower_bounds_declare():
    """`lowest-direct` installs each direct dependency at its declared bound: the bounds are tested."""
    assert compatibility.ENVIRONMENTS["lowest"] == ["--resolution", "lowest-direct"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = set(re.fullmatch(r"\.\[([\w,]+)\]", compatibility.EXTRAS).group(1).split(","))
    assert extras <= set(project["optional-dependencies"]) and {"test", "video"} <= extras


def test_a_summary_names_each_version_and_the_time_of_each_step():
    run = compatibility.MatrixRun("lowest", {"torch": "2.6.0"}, {"install": 3.2, "unit tests": 100.4})
    assert run.summary() == "lowest: passed (install 3 s, unit tests 100 s)\n  torch 2.6.0"
    run.failure = "lowest: unit tests failed"
    assert run.summary().startswith("lowest: FAILED")


def test_a_failed_build_is_reported_with_uvs_words_and_its_environment_removed(tmp_path, monkeypatch):
    monkeypatch.setitem(compatibility.ENVIRONMENTS, "broken", ["--resolution", "no-such-strategy"])
    run = compatibility.check_environment("broken", tmp_path)
    assert run.failure and "broken: install failed" in run.failure and "no-such-strategy" in run.failure
    assert "venv" in run.seconds and "unit tests" not in run.seconds
    assert run.summary().startswith("broken: FAILED") and not (tmp_path / "broken").exists()
