"""Every lesson, solved, exactly as in Colab: Hub ids, real shapes, Hub datasets, QLoRA — offline.

A Hugging Face cache in a temporary `HF_HOME` holds, under their Hub ids, the SmolVLM-256M and
SmolVLM2-256M real shapes (random weights: the real image tiling, 512 px tiles of 64 tokens, the real
49k vocabulary and widths) and small datasets with the schemas of `HuggingFaceM4/ChartQA` and
`flaviagiammarino/vqa-rad` (grayscale pictures, as VQA-RAD's radiographs). With `HF_HUB_OFFLINE=1`,
`from_pretrained` and `load_dataset` resolve the lessons' Colab parameters through that cache exactly
as they resolve them online. Random weights learn nothing in a few steps, so the learning checks of
lesson 2 may fail; every structural check must pass.
"""

import nbformat
import pytest

from course_utils.exercises import lesson_module
from tools.notebooks import ROOT, exercise_cells, run_notebook
from tools.real_shapes import REAL_SHAPES

pytestmark = pytest.mark.slow

SHAPE, VIDEO_SHAPE = "SmolVLM-256M", "SmolVLM2-256M"
LESSONS = ROOT / "notebooks" / "en"
# Feasible on 2 CPU cores: image splitting off (each picture is one 512 px tile, 64 tokens, instead
# of 17: seconds a question, not minutes), few pictures and frames (2 of each: batches still
# pad, videos still span their length). Every cell and every code path of the lesson still runs.
USAGE_PARAMETERS = {"IMAGE_SPLITTING": False, "NUM_FRAMES": 2, "BATCH_QUESTIONS": 2, "TIMED_PAIRS": 2}
# The Colab parameters of lesson 2 (its parameters cell): Hub model and datasets, QLoRA.
# Then one step of each training, the smallest data the lesson's cells use (6 held-out questions are
# listed before/after, 4 training pictures drawn), one DPO pair (chosen and rejected still make a
# padded batch of two), two rows per SFT step (a padded batch).
CHARTQA, VQA_RAD = "HuggingFaceM4/ChartQA", "flaviagiammarino/vqa-rad"
FINETUNING_PARAMETERS = {
    "MODEL": REAL_SHAPES[SHAPE]["hub_id"],
    "DATASET": CHARTQA,
    "NEW_DATASET": VQA_RAD,
    "METHOD": "qlora",
    # Colab's `IMAGE_SPLITTING, TILES = True, 2` costs 5 tiles of SigLIP per picture: minutes a step on
    # 2 CPU cores with 4-bit weights. One view here; `set_token_budget(tiles=...)` has its own tests.
    "IMAGE_SPLITTING": False,
    "STEPS": 1,
    "SHAPE_STEPS": 1,
    "DPO_STEPS": 1,
    "N_TRAIN": 4,
    "N_TEST": 6,
    "N_VAL": 4,
    "OVERFIT_STEPS": 1,
    "N_DPO": 1,
    "BATCH_SIZE": 2,
}
# Where lesson 2's checks may fail with random weights: only after the data, the labels, the
# trainer and the preference pairs passed, at the comparison of the accuracies (or the reward).
LEARNING_CODES = {
    "sft_charts": {
        "sft_charts.passed",
        "sft_charts.no_improvement",
        "rows.below_baseline",
        "rows.same_model",
    },
    "new_columns": {
        "new_columns.passed",
        "new_columns.no_improvement",
        "rows.below_baseline",
        "rows.same_model",
    },
    "dpo": {"dpo.passed", "dpo.no_improvement", "dpo.low_reward_accuracy", "rows.same_model"},
}


@pytest.fixture(scope="module")
def hub_home(tmp_path_factory):
    """A Hugging Face cache holding the real shapes and the datasets under their Hub ids (seconds)."""
    import datasets
    from PIL import Image

    from course_utils.synthetic_data import make_chartqa_splits, make_shape_positions
    from tools.hub_cache import lay_out_dataset, lay_out_model
    from tools.real_shapes import build_real_shape

    home = tmp_path_factory.mktemp("hf_home")
    for name in (SHAPE, VIDEO_SHAPE):
        # A real SmolVLM ends its answers after a few words; random weights never end theirs.
        folder = build_real_shape(name, tmp_path_factory.mktemp("real_shapes") / name, short_answers=True)
        lay_out_model(home, REAL_SHAPES[name]["hub_id"], folder)
    lay_out_dataset(home, CHARTQA, make_chartqa_splits(12, 8, seed=5, n_validation=6))  # train, val, test
    shapes = make_shape_positions(20, seed=6).rename_column("picture", "image")
    shapes = shapes.cast_column("image", datasets.Image()).map(
        lambda row: {"image": row["image"].convert("L")}
    )
    assert isinstance(shapes[0]["image"], Image.Image) and shapes[0]["image"].mode == "L"
    lay_out_dataset(
        home, VQA_RAD, datasets.DatasetDict(train=shapes.select(range(12)), test=shapes.select(range(12, 20)))
    )
    return home


def run_lesson(name: str, parameters: dict, env: dict, out_dir):
    path = LESSONS / f"{name}.ipynb"
    run = run_notebook(
        path,
        out_dir / path.name,
        solved=True,
        parameters=parameters,
        env=env,
        timeout=600,
        raise_on_error=False,
    )
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


def test_usage_lesson_with_the_colab_hub_ids(hub_home, tmp_path):
    parameters = {
        **USAGE_PARAMETERS,
        "MODEL": REAL_SHAPES[SHAPE]["hub_id"],
        "VIDEO_MODEL": REAL_SHAPES[VIDEO_SHAPE]["hub_id"],
    }
    env = {"HF_HOME": str(hub_home), "HF_HUB_OFFLINE": "1"}
    outcomes = run_lesson("01_vlm_usage", parameters, env, tmp_path)
    # Lesson 1's checks judge structure (messages, left padding, timestamps, frames) and compare the
    # learner's answers with what the model says: they hold for any weights, random ones included
    # (build_real_shape lets the random model write only tokens the tokenizer can decode: text, and
    # with `short_answers` it stops after the first word).
    expected = {name: ("passed", f"{name}.passed") for name in lesson_module("01_vlm_usage").LESSON.exercises}
    assert outcomes == expected


def test_finetuning_lesson_with_the_colab_parameters(hub_home, tmp_path):
    env = {"HF_HOME": str(hub_home), "HF_HUB_OFFLINE": "1"}
    outcomes = run_lesson("02_vlm_finetuning", FINETUNING_PARAMETERS, env, tmp_path)
    for name, (outcome, code) in outcomes.items():
        assert outcome in ("passed", "failed"), (name, outcome, code)
        assert code in LEARNING_CODES[name], (name, outcome, code)


# Lesson 3's Colab parameters (its parameters cell), then the smallest run: one GRPO step of two
# questions with two sampled answers each (a group still compares two answers), short answers.
GRPO_PARAMETERS = {
    "MODEL": REAL_SHAPES[SHAPE]["hub_id"],
    "DATASET": CHARTQA,
    "N_TRAIN": 4,
    "N_TEST": 6,
    "STEPS": 1,
    "QUESTIONS": 2,
    "GROUP": 2,
    "MAX_COMPLETION": 4,
    "LEARNING_RATE": 1e-5,
}
# Random weights never state the right number: 🐕 and 🦁 may fail, but only where learning is judged
# (every group's rewards equal, no gain, no hack among the random answers); 🐢 judges the learner's
# reward functions alone and must pass.
GRPO_LEARNING_CODES = {
    "rewards": {"rewards.passed"},
    "grpo_charts": {
        "grpo_charts.passed",
        "grpo_charts.no_signal",
        "grpo_charts.no_improvement",
        "rows.below_baseline",
        "rows.same_model",
    },
    "reward_hacking": {
        "reward_hacking.passed",
        "reward_hacking.too_few_hacks",
        "reward_hacking.no_improvement",
        "rows.below_baseline",
        "rows.same_model",
    },
}


def test_grpo_lesson_with_the_colab_parameters(hub_home, tmp_path):
    env = {"HF_HOME": str(hub_home), "HF_HUB_OFFLINE": "1"}
    outcomes = run_lesson("03_vlm_grpo", GRPO_PARAMETERS, env, tmp_path)
    for name, (outcome, code) in outcomes.items():
        assert outcome in ("passed", "failed"), (name, outcome, code)
        assert code in GRPO_LEARNING_CODES[name], (name, outcome, code)
