"""The install story: lower bounds in pyproject, exact pins in constraints.txt, and CI runs README's test.

pyproject.toml only gives lower bounds, so that `pip install` in Colab keeps Colab's own torch;
`make`, CI and environment.yml install the exact versions of constraints.txt.
"""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
MAKE_INSTALL = re.compile(r'pip install --quiet -c constraints\.txt -e "\.\[([\w,]+)\]"')
# What Colab preinstalls (its published pip freeze of the GPU runtime, August 2026). Its CUDA builds of
# torch and torchvision must satisfy the lower bounds, or `%pip install` of the course replaces them
# (gigabytes and a broken runtime). Pure-Python packages below a bound are upgraded in seconds: the
# lesson's API needs transformers 5.23 (`activation_checkpointing`), Colab's 5.15 is replaced.
COLAB_PREINSTALLED = {
    "torch": "2.11.0+cu128",
    "torchvision": "0.26.0+cu128",
}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _requirements() -> dict[str, Requirement]:
    """Every dependency of the package and of its extras, by canonical name."""
    project = _project()
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines += extra
    requirements = [Requirement(line) for line in lines]
    return {canonicalize_name(requirement.name): requirement for requirement in requirements}


def _pin_lines(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][\w.+]*", line), f"not an exact pin: {line!r}"
        name, version = line.split("==")
        assert canonicalize_name(name) not in pins, f"{name} is pinned twice"
        pins[canonicalize_name(name)] = version
    return pins


def _constraints() -> dict[str, str]:
    return _pin_lines((ROOT / "constraints.txt").read_text().splitlines())


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def _environment_pip_lines() -> list[str]:
    return next(item["pip"] for item in _environment()["dependencies"] if isinstance(item, dict))


def test_every_dependency_has_a_lower_bound_and_one_pin_that_satisfies_it():
    requirements, pins = _requirements(), _constraints()
    assert set(pins) == set(requirements), (
        f"dependencies without a pin in constraints.txt: {sorted(set(requirements) - set(pins))}; "
        f"pins of no dependency: {sorted(set(pins) - set(requirements))}"
    )
    for name, requirement in requirements.items():
        operators = {specifier.operator for specifier in requirement.specifier}
        assert operators == {">="}, f"{requirement}: a lower bound only (exact pins go in constraints.txt)"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} breaks {requirement}"


def test_colab_preinstalled_torch_and_torchvision_satisfy_the_lower_bounds():
    requirements = _requirements()
    for name, version in COLAB_PREINSTALLED.items():
        requirement = requirements[canonicalize_name(name)]
        assert requirement.specifier.contains(Version(version)), (
            f"{requirement} would make pip replace Colab's {name} {version}"
        )


def test_torchvision_is_pinned_to_the_release_built_for_the_pinned_torch():
    """SmolVLM2's video processor needs torchvision; each torch 2.N has its torchvision 0.(N+15)."""
    pins = _constraints()
    torch, torchvision = Version(pins["torch"]), Version(pins["torchvision"])
    assert (torchvision.major, torchvision.minor) == (0, torch.minor + 15), (torch, torchvision)


def test_environment_yml_pins_exactly_the_constraints():
    assert _pin_lines(_environment_pip_lines()) == _constraints()
    assert "python=3.11" in _environment()["dependencies"]


def test_make_environment_yml_and_pyproject_install_the_same_extras():
    extras = set(_project()["optional-dependencies"])
    makefile = (ROOT / "Makefile").read_text()
    installs = MAKE_INSTALL.findall(makefile)
    assert len(installs) == 1, "the Makefile must install with: pip install --quiet -c constraints.txt ..."
    assert set(installs[0].split(",")) == extras
    editable = [line for line in _environment_pip_lines() if line.startswith("-e")]
    assert editable == [f"-e .[{installs[0]}]"]


def test_makefile_runs_offline():
    assert "export HF_HUB_OFFLINE := 1" in (ROOT / "Makefile").read_text()


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def _make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), flags=re.M))


def test_readme_commands_are_make_targets_and_ci_runs_the_test_one():
    commands = _readme_commands()
    assert set(commands) == {"make lab", "make course", "make test", "make check"}, commands
    assert {command.removeprefix("make ") for command in commands} <= _make_targets()
    ci_lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert ci_lines == ["make test"]
