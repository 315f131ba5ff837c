"""Both lessons, solved, on the SmolVLM-256M real shape (random weights), on CPU.

The code a Colab learner runs on `HuggingFaceTB/SmolVLM-256M-Instruct` and
`SmolVLM2-256M-Video-Instruct`: the real image tiling (512 px tiles, 64 tokens each), the real 49k
vocabulary and widths, through every cell of both lessons. Random weights learn nothing in a few
steps, so the learning checks of lesson 2 fail; every structural check must still pass.
"""

import nbformat
import pytest

from tools.notebooks import ROOT, exercise_cells, run_notebook

pytestmark = pytest.mark.slow

SHAPE, VIDEO_SHAPE = "SmolVLM-256M", "SmolVLM2-256M"
LESSONS = ROOT / "notebooks" / "en"
# Feasible on 2 CPU cores: image splitting off (each picture is one 512 px tile, 64 tokens, instead
# of 17: seconds a question, not minutes), few pictures and frames (2 of each: batches still
# pad, videos still span their length). Every cell and every code path of the lesson still runs.
USAGE_ENV = {
    "COURSE_IMAGE_SPLITTING": "0",
    "COURSE_NUM_FRAMES": "2",
    "COURSE_BATCH_QUESTIONS": "2",
    "COURSE_TIMED_PAIRS": "2",
}
# One step of each training, the smallest data the lesson's cells use (6 held-out questions are
# listed before/after, 4 training pictures drawn), splitting off (the default), one DPO pair (chosen
# and rejected still make a padded batch of two), two rows per SFT step (a padded batch).
FINETUNING_ENV = {
    "COURSE_IMAGE_SPLITTING": "0",
    "COURSE_STEPS": "1",
    "COURSE_SHAPE_STEPS": "1",
    "COURSE_DPO_STEPS": "1",
    "COURSE_N_TRAIN": "4",
    "COURSE_N_TEST": "6",
    "COURSE_N_DPO": "1",
    "COURSE_BATCH_SIZE": "2",
}
# Where lesson 2's checks may fail with random weights: only after the data, the labels, the
# trainer and the preference pairs passed, at the comparison of the accuracies (or the reward).
LEARNING_CODES = {
    "turtle": {"turtle.passed", "turtle.no_improvement", "rows.below_baseline", "rows.same_model"},
    "dog": {"dog.passed", "dog.no_improvement", "rows.below_baseline", "rows.same_model"},
    "lion": {"lion.passed", "lion.no_improvement", "lion.low_reward_accuracy", "rows.same_model"},
}


@pytest.fixture(scope="module")
def real_shape_folders(tmp_path_factory):
    """The SmolVLM-256M and SmolVLM2-256M folders, random weights, built on the CPU (seconds)."""
    from tools.real_shapes import build_real_shape

    folder = tmp_path_factory.mktemp("real_shapes")
    return {name: build_real_shape(name, folder / name) for name in (SHAPE, VIDEO_SHAPE)}


def run_lesson(name: str, env: dict, out_dir):
    path = LESSONS / f"{name}.ipynb"
    run = run_notebook(path, out_dir / path.name, solved=True, env=env, timeout=600, raise_on_error=False)
    print(f"{name} at the {SHAPE} shape: {run.seconds:.0f} s")
    assert run.error is None, run.error
    executed = nbformat.read(str(run.output), as_version=4)
    errors = [
        index
        for index, cell in enumerate(executed.cells)
        if cell.cell_type == "code" and any(out.output_type == "error" for out in cell.outputs)
    ]
    assert not errors, f"cells {errors} of {name} show an error"
    outcomes = {row["exercise"]: (row["outcome"], row["code"]) for row in run.outcomes}
    print(f"{name} outcomes: {outcomes}")
    assert set(outcomes) == set(exercise_cells(nbformat.read(str(path), as_version=4))), outcomes
    return outcomes


def test_usage_lesson_at_the_256m_shape(real_shape_folders, tmp_path):
    env = {
        **USAGE_ENV,
        "COURSE_MODEL": str(real_shape_folders[SHAPE]),
        "COURSE_VIDEO_MODEL": str(real_shape_folders[VIDEO_SHAPE]),
    }
    outcomes = run_lesson("01_vlm_usage", env, tmp_path)
    # Lesson 1's checks judge structure (messages, left padding, timestamps, frames) and compare the
    # learner's answers with what the model says: they hold for any weights, random ones included
    # (build_real_shape lets the random model write only tokens the tokenizer can decode: text).
    assert outcomes == {name: ("passed", f"{name}.passed") for name in ("turtle", "dog", "lion")}


def test_finetuning_lesson_at_the_256m_shape(real_shape_folders, tmp_path):
    env = {**FINETUNING_ENV, "COURSE_MODEL": str(real_shape_folders[SHAPE])}
    outcomes = run_lesson("02_vlm_finetuning", env, tmp_path)
    for name, (outcome, code) in outcomes.items():
        assert outcome in ("passed", "failed"), (name, outcome, code)
        assert code in LEARNING_CODES[name], (name, outcome, code)
