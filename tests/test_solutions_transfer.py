"""Transfer: each reference solution writes the library calls its exercise teaches.

A learner must leave able to do it without this course. So a solution calls transformers / trl /
peft itself for what the exercise teaches, and takes from `course_utils` only data, scenes, evaluation,
plots, the checks, or a helper the lesson introduced as "what you just wrote" in an earlier cell.
"""

import ast
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "course_utils" / "solutions"

# (lesson, exercise): (library calls the solution must make, course helpers it must not use)
TEACHES = {
    ("01_vlm_usage", "one_image"): ({"apply_chat_template", "generate", "batch_decode"}, {"chat", "ask"}),
    ("01_vlm_usage", "left_padded_batch"): (
        {"apply_chat_template", "generate", "batch_decode"},
        {"ask_batch", "prepare_inputs", "build_messages", "generate_answers"},
    ),
    ("02_vlm_finetuning", "sft_charts"): (
        {"SFTConfig", "SFTTrainer", "LoraConfig", "train"},
        {"finetune", "sft_recipe", "load_vlm", "prepare_model", "VisionSFTCollator"},
    ),
    ("02_vlm_finetuning", "new_columns"): (
        {"SFTConfig", "SFTTrainer", "train"},
        {"finetune", "sft_recipe", "load_vlm"},
    ),
    ("02_vlm_finetuning", "dpo"): (
        {"DPOConfig", "DPOTrainer", "train"},
        {"train_dpo", "dpo_config", "load_vlm", "lora_config"},
    ),
    # the reward functions are the learner's: no course helper scores an answer for them
    ("03_vlm_grpo", "rewards"): (
        {"findall", "fullmatch", "relaxed_match"},
        {"lenient_reward", "call_reward"},
    ),
    ("03_vlm_grpo", "grpo_charts"): ({"GRPOConfig", "GRPOTrainer", "train"}, {"load_vlm", "sample_answers"}),
    ("03_vlm_grpo", "reward_hacking"): ({"GRPOTrainer", "train"}, {"load_vlm"}),
}
# What a solution may take from course_utils: data and scenes, evaluation and plots, the helpers
# a lesson introduces after the learner wrote them (lesson 1: `chat` / `ask` after one_image), and `tr`
# (its printed labels in the learner's language, as the lesson's own cells print theirs).
ALLOWED_COURSE_NAMES = {
    "01_vlm_usage": {
        "make_scene",
        "make_test_video",
        "random_colors",
        "sample_frames",
        "frame_grid",
        "chat",
        "ask",
        "tr",
    },
    "02_vlm_finetuning": {
        "format_dataset",
        "format_vqa_row",
        "evaluate",
        "make_preference_rows",
        "reward_accuracy",
        "tr",
    },
    "03_vlm_grpo": {"evaluate", "exact_match", "relaxed_match", "tr"},
}


def course_names(lesson: str) -> dict[str, str]:
    """{name: module} for every name the English lesson imports from course_utils."""
    notebook = nbformat.read(str(ROOT / "notebooks" / "en" / f"{lesson}.ipynb"), as_version=4)
    names = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = TransformerManager().transform_cell(cell.source)  # `!git ...`, `%pip ...` as Python
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course_utils"):
                names.update({alias.asname or alias.name: node.module for alias in node.names})
    return names


def used_names(source: str) -> set[str]:
    """Names and attributes a piece of code reads or calls (`x`, `processor.batch_decode` -> both)."""
    tree = ast.parse(source)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            found.update(alias.asname or alias.name for alias in node.names)
    return found


def called_names(source: str) -> set[str]:
    """Functions a piece of code calls by name or as an attribute (`f(...)`, `x.f(...)` -> `f`)."""
    calls = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            function = node.func
            calls.add(function.id if isinstance(function, ast.Name) else getattr(function, "attr", ""))
    return calls


def imported_from_course(source: str) -> set[str]:
    return {
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course_utils")
        for alias in node.names
    }


@pytest.mark.parametrize(
    ("lesson", "exercise"), sorted(TEACHES), ids=[f"{lesson}:{name}" for lesson, name in sorted(TEACHES)]
)
def test_solution_writes_the_library_calls_it_teaches(lesson, exercise):
    source = (SOLUTIONS / lesson / f"{exercise}.py").read_text(encoding="utf-8")
    required, forbidden = TEACHES[lesson, exercise]
    calls = called_names(source)
    assert required <= calls, f"{lesson}/{exercise}.py does not call {sorted(required - calls)}"
    assert not calls & forbidden, f"{lesson}/{exercise}.py calls course helpers {sorted(calls & forbidden)}"


@pytest.mark.parametrize("lesson", sorted(ALLOWED_COURSE_NAMES))
def test_solutions_take_only_data_evaluation_and_saved_helpers_from_the_course(lesson):
    imported = course_names(lesson)
    assert imported, f"no course_utils imports found in {lesson}"
    for path in sorted((SOLUTIONS / lesson).glob("*.py")):
        source = path.read_text(encoding="utf-8")
        from_course = (used_names(source) & set(imported)) | imported_from_course(source)
        from_course -= {"ex"}  # the checks
        extra = from_course - ALLOWED_COURSE_NAMES[lesson]
        assert not extra, f"{path.relative_to(ROOT)} takes {sorted(extra)} from course_utils"


def test_the_transfer_test_catches_a_course_shortcut():
    shortcut = "answer = chat(model, processor, messages)\n"
    calls = called_names(shortcut)
    assert calls & TEACHES[("01_vlm_usage", "one_image")][1] == {"chat"}
    assert not TEACHES[("01_vlm_usage", "one_image")][0] <= calls
