"""The install story: pinned dependencies agree everywhere and CI runs README's test command."""

import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_pins() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return set(project["dependencies"]) | set(project["optional-dependencies"]["test"])


def _environment_pins() -> set[str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    return {line for line in pip_section if not line.startswith("-e")}


def test_environment_yml_pins_exactly_what_pyproject_pins():
    assert _environment_pins() == _pyproject_pins()
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][\w.]*", pin) for pin in _pyproject_pins())
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in environment["dependencies"]


def test_torch_and_torchvision_are_pinned_for_smolvlm2():
    pins = _pyproject_pins()
    assert {"torch==2.14.1", "torchvision==0.29.1"} <= pins


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_gives_exactly_two_commands_and_ci_runs_the_test_one():
    commands = _readme_commands()
    assert commands == ["make course", "make test"]
    ci_lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert ci_lines == ["make test"]


def test_makefile_runs_offline_and_installs_the_pinned_package():
    makefile = (ROOT / "Makefile").read_text()
    assert "export HF_HUB_OFFLINE := 1" in makefile
    assert 'pip install --quiet -e ".[test]"' in makefile
