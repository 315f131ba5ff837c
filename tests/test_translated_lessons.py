"""Every lesson in Spanish, Chinese and Japanese, run blank and solved: no English message in sight.

The translated notebooks carry the English code cells byte for byte (tests/test_translations.py), so
what a language changes is what the lesson shows: the prose, the checks' feedback, printed lines,
tables, figures and widgets. Each run must show none of the English of the course's messages — the
package's, the lesson's `tr(...)` lines and its exercises' — in its text outputs, its figures (drawn as
SVG too, with their text kept as text) or its widgets' state. The model's prompts and answers, code,
identifiers and library output are not messages. (The English lessons run in tests/test_notebooks.py,
with the default parameters, and their figures are checked there; here lessons 2 and 3 train for fewer
steps, enough for every check to pass — measured under the default, AVX2 and AVX-512 kernels — in less
time.)
"""

import functools
from pathlib import Path

import nbformat
import pytest
from lesson_runs import noisy_outputs, outcomes_by_exercise

from course_utils.exercises.core import LABELS
from course_utils.i18n import render
from tools.notebooks import exercise_cells, parameter_values, run_notebook
from tools.translations import english_left, lesson_english

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = sorted(path for path in ROOT.glob("notebooks/*/*.ipynb") if path.parent.name != "en")
IDS = [f"{path.parent.name}/{path.name}" for path in TRANSLATED]
FEWER_STEPS = {
    "02_vlm_finetuning": {
        "STEPS": 120,
        "SHAPE_STEPS": 80,
        "DPO_STEPS": 60,
        "OVERFIT_STEPS": 32,
        "N_TRAIN": 800,
        "N_DPO": 200,
    },
    "03_vlm_grpo": {"STEPS": 40, "N_TEST": 100},
}


def read(path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


@pytest.fixture(scope="module")
def figure_text(tmp_path_factory) -> dict[str, str]:
    """Kernel settings under which every figure is also shown as SVG with its text kept as text."""
    folder = tmp_path_factory.mktemp("ipython")
    (folder / "profile_default").mkdir()
    (folder / "profile_default" / "ipython_kernel_config.py").write_text(
        'c.InlineBackend.figure_formats = {"png", "svg"}\nc.InlineBackend.rc = {"svg.fonttype": "none"}\n'
    )
    return {"IPYTHONDIR": str(folder)}


@pytest.fixture(scope="module")
def blank_runs(tmp_path_factory, figure_text):
    """Each translated lesson executed as committed (papermill), once for the module."""
    folder = tmp_path_factory.mktemp("translated")
    return {
        path: run_notebook(
            path,
            folder / f"{path.parent.name}_{path.name}",
            parameters=FEWER_STEPS.get(path.stem),
            env=figure_text,
        )
        for path in TRANSLATED
    }


@functools.cache
def english_of(lesson: str) -> dict[str, set[str]]:
    return lesson_english(lesson)


def english_shown(executed, path) -> list[str]:
    return english_left(executed, english_of(path.stem)[path.parent.name])


def test_every_translated_lesson_is_run_and_its_shorter_training_names_real_parameters():
    assert {path.parent.name for path in TRANSLATED} == {"es", "zh", "ja"}
    assert {path.name for path in TRANSLATED} == {path.name for path in ROOT.glob("notebooks/en/*.ipynb")}
    for lesson, values in FEWER_STEPS.items():
        defaults = parameter_values(ROOT / "notebooks" / "en" / f"{lesson}.ipynb")
        assert all(name in defaults and value < defaults[name] for name, value in values.items()), defaults


@pytest.mark.parametrize("path", TRANSLATED, ids=IDS)
def test_blank_lesson_speaks_its_language_only(path, blank_runs):
    run = blank_runs[path]
    print(f"{path.parent.name}/{path.name} (blank): {run.seconds:.1f} s")
    exercises = set(exercise_cells(read(path)))
    assert outcomes_by_exercise(run) == {name: ("not_attempted", "core.not_attempted") for name in exercises}
    executed = read(run.output)
    shown = "\n".join(
        str(output.get("data", {}).get("text/markdown", ""))
        for cell in executed.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    expected = render(LABELS["not_attempted"], language=path.parent.name)
    assert shown.count(expected) >= len(exercises), f"no {expected!r} in the outputs"
    left = english_shown(executed, path)
    assert not left, f"{path.parent.name}/{path.name} (blank) shows English:\n" + "\n".join(left[:30])
    noise = noisy_outputs(executed)
    assert not noise, f"{path.name} printed noise a learner should not see:\n" + "\n".join(noise)


@pytest.mark.parametrize("path", TRANSLATED, ids=IDS)
def test_solved_lesson_passes_and_speaks_its_language_only(path, tmp_path, figure_text):
    parameters = FEWER_STEPS.get(path.stem)
    run = run_notebook(path, tmp_path / "solved.ipynb", parameters=parameters, solved=True, env=figure_text)
    print(f"{path.parent.name}/{path.name} (solved): {run.seconds:.1f} s")
    exercises = set(exercise_cells(read(path)))
    assert outcomes_by_exercise(run) == {name: ("passed", f"{name}.passed") for name in exercises}
    executed = read(tmp_path / "solved.ipynb")
    left = english_shown(executed, path)
    assert not left, f"{path.parent.name}/{path.name} (solved) shows English:\n" + "\n".join(left[:30])
    noise = noisy_outputs(executed)
    assert not noise, f"{path.name} (solved) printed noise a learner should not see:\n" + "\n".join(noise)
