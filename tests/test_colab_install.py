"""Colab's install, simulated: the setup cell's `%pip install` must keep the torch that is already there.

Colab ships its own CUDA build of torch (and a matching torchvision). The test makes a fresh virtual
environment, preinstalls a torch other than our pin, runs exactly the install command of lesson 1's
setup cell against a copy of this checkout (in place of the git clone), and checks that torch is
unchanged and that the lesson's imports and the tiny model work. Slow: pip installs the dependencies.
"""

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_utils.links import COLAB_CHECKOUT

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "en" / "01_vlm_usage.ipynb"
PREINSTALLED_TORCH = "2.13.0"  # not our pin (2.14.1); a CPU build that pip takes from this machine's disk
PIP_TIMEOUT_S = 1200
# What a learner's lesson runs first; without torchvision, SmolVLM2 (tiny-video) must say what to install.
LESSON_CHECK = """
import importlib.metadata as metadata, json, random
import course_utils.loading, course_utils.exercises.usage
from course_utils.generation import ask
from course_utils.loading import ModelLoadError, load_vlm
from course_utils.scenes import make_scene

model, processor = load_vlm("tiny")
answer = ask(model, processor, make_scene(random.Random(0)).image, "What color is the shape?")
try:
    load_vlm("tiny-video")
    video = "loaded"
except ModelLoadError as error:
    video = str(error)
try:
    torchvision = metadata.version("torchvision")
except metadata.PackageNotFoundError:
    torchvision = None
from course_utils.exercises.core import solution_source  # the solutions ship as package data
solutions = [solution_source("01_vlm_usage", name) for name in course_utils.exercises.usage.LESSON.exercises]
print(json.dumps({"torch": metadata.version("torch"), "torchvision": torchvision,
                  "answer": answer, "video": video, "solutions": [bool(code) for code in solutions]}))
"""


def setup_install_command(notebook: Path) -> list[str]:
    """The arguments of the `%pip install` line of the notebook's Colab setup cell."""
    cell = next(cell for cell in nbformat.read(str(notebook), as_version=4).cells if cell.cell_type == "code")
    lines = [line.strip() for line in cell.source.splitlines() if line.strip().startswith("%pip ")]
    assert len(lines) == 1, f"the setup cell of {notebook.name} needs exactly one %pip line, found {lines}"
    return shlex.split(lines[0])[1:]


def copy_checkout(target: Path) -> Path:
    """The files of this checkout that git would clone, plus uncommitted changes (not ignored files)."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def run(command: list, **options) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, **options)
    output = done.stdout[-3000:] + done.stderr[-3000:]
    assert done.returncode == 0, f"{shlex.join(map(str, command))} failed:\n{output}"
    return done


def test_setup_cell_installs_with_pip_and_nothing_else():
    arguments = setup_install_command(LESSON)
    assert arguments[:2] == ["install", "--quiet"] and COLAB_CHECKOUT in arguments
    assert not any(argument.startswith(("torch", "-c", "--constraint", "-r")) for argument in arguments)


@pytest.mark.slow
def test_setup_cell_install_keeps_the_preinstalled_torch(tmp_path):
    venv = tmp_path / "colab"
    run([sys.executable, "-m", "venv", venv])  # no --system-site-packages: nothing of ours leaks in
    python = str(venv / "bin" / "python")
    try:
        run([python, "-m", "pip", "install", "--quiet", f"torch=={PREINSTALLED_TORCH}"])
        version = "import importlib.metadata as m; print(m.version('torch'))"
        before = run([python, "-c", version]).stdout.strip()
        assert before.startswith(PREINSTALLED_TORCH)

        checkout = copy_checkout(tmp_path / "smolvlm-course")
        arguments = [word.replace(COLAB_CHECKOUT, str(checkout)) for word in setup_install_command(LESSON)]
        run([python, "-m", "pip", *arguments])  # what IPython's %pip runs: this Python's pip

        env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        report = json.loads(run([python, "-c", LESSON_CHECK], cwd=tmp_path, env=env).stdout.splitlines()[-1])
    finally:
        shutil.rmtree(venv, ignore_errors=True)  # about 1.5 GB
    print(f"simulated Colab: {report}")
    assert report["torch"] == before, f"the install replaced torch {before} with {report['torch']}"
    assert report["torchvision"] is None, "torchvision is an extra: the setup cell must not install it"
    assert report["answer"], "the tiny model gave no answer"
    assert report["solutions"] == [True, True, True], "the installed package lacks the lesson's solutions"
    assert "torchvision" in report["video"], report["video"]
