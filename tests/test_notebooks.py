"""Every lesson notebook runs on the embedded tiny models: blank, solved, with planted wrong answers, nbval.

Checks record their outcomes in `$COURSE_RESULTS_FILE`; these tests read them back. Also: notebooks
are committed without outputs, have a tagged `parameters` cell, and README's Colab badges resolve.
"""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from lesson_runs import noisy_outputs, outcomes_by_exercise

from course_utils.exercises import LESSONS, lesson_module
from course_utils.exercises.core import LABELS
from course_utils.i18n import render
from tools.notebooks import (
    PARAMETERS_TAG,
    exercise_cells,
    exercise_summary,
    export_html,
    format_summary,
    lesson_name,
    parameter_values,
    planted_variants,
    planted_wrong_answers,
    run_notebook,
    solved_copy,
)
from tools.translations import message_keys as messages_of

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(ROOT.glob("notebooks/*/*.ipynb"))


def notebook_ids(paths) -> list[str]:
    """Test ids such as `en/01_vlm_usage.ipynb`."""
    return [str(path.relative_to(ROOT / "notebooks")) for path in paths]


# Blank, solved and planted-wrong runs of the English lessons; the other languages run blank and solved
# in tests/test_translated_lessons.py. Timings are printed here and measured in
# benchmarks/lesson_figures.py.
FULL_RUNS = sorted(ROOT.glob("notebooks/en/*.ipynb"))
FULL_IDS = notebook_ids(FULL_RUNS)
BLANK_RUNS = FULL_RUNS
BLANK_IDS = notebook_ids(BLANK_RUNS)
COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^/\s]+/[^/\s]+/blob/main/([^)\s]+)")
IDS = notebook_ids(NOTEBOOKS)
# The embedded tiny model's own floors for lesson 2 (gains in exact match, absolute). The checks ask
# only for a gain chance would rarely give, which holds for any model; the tiny model must do far more.
# Measured over 15 runs (5 seeds x 3 CPU capabilities, benchmarks/RESULTS.md): +60, +68 and +68 points
# at worst, so these floors keep a wide margin.
TINY_FLOORS = {
    "🐢 SFT gain": 0.30,
    "🐢 after − majority baseline": 0.30,
    "🐕 new dataset gain": 0.30,
    "🐕 after − majority baseline": 0.30,
    "🦁 DPO gain": 0.30,
}


# Lesson 3 on the tiny model: issue 25's targets (GRPO ≥ 40 points over the base model and the majority
# baseline; the hacked run ≥ 30 points below the fixed one), which every measured run clears by a wide
# margin (benchmarks/RESULTS.md, 5 seeds x 3 CPU capabilities).
TINY_FLOORS_3 = {
    "🐕 GRPO gain": 0.40,
    "🐕 after − majority baseline": 0.40,
    "🦁 fixed − hacked": 0.30,
}


def read(path):
    return nbformat.read(str(path), as_version=4)


def test_there_are_lesson_notebooks():
    assert NOTEBOOKS, "no notebooks/<language>/*.ipynb found"


# ----------------------------------------------------------------------------- static checks


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_committed_without_outputs(path):
    notebook = read(path)
    nbformat.validate(notebook)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"cell {index} of {path.name} has outputs: clear them before committing"
            assert cell.execution_count is None, f"cell {index} of {path.name} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_has_one_tagged_parameters_cell_of_plain_values(path):
    """Every choice in one cell of `NAME = value` lines, which papermill's `parameters` override."""
    notebook = read(path)
    tagged = [cell for cell in notebook.cells if PARAMETERS_TAG in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
    assert tagged[0].cell_type == "code"
    lines = ast.parse(tagged[0].source).body
    assert lines and all(isinstance(line, ast.Assign) for line in lines), tagged[0].source
    assert all(isinstance(line.value, ast.Constant) for line in lines), "a parameter is not a plain value"
    assert "MODEL" in {line.targets[0].id for line in lines}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_exercise_has_a_solution_a_check_and_a_planted_wrong_answer(path):
    """The lesson's exercise cells are exactly its registered exercises (`course_utils.exercises`)."""
    notebook = read(path)
    exercises = exercise_cells(notebook)
    registered = lesson_module(path.stem).LESSON.exercises if path.stem in LESSONS else {}
    assert set(exercises) == set(registered), f"{path.name}: exercise cells {set(exercises)}"
    solved = solved_copy(path)
    planted = planted_wrong_answers(path) if exercises else {}
    for name, index in exercises.items():
        assert re.search(rf"\bex\.{name}\.check\(", notebook.cells[index + 1].source), (
            f"the cell after exercise:{name} must call ex.{name}.check(...)"
        )
        assert solved.cells[index].source != notebook.cells[index].source
        compile(solved.cells[index].source, f"{name}.py", "exec")
        assert name in planted, f"add tests/planted/{lesson_name(path)}/{name}.py (a planted wrong answer)"
        assert planted[name][1] in messages_of(path.stem), f"{name}: no message {planted[name][1]!r}"


def test_readme_colab_badges_point_to_existing_notebooks():
    readmes = sorted(ROOT.glob("README*.md"))
    links = [(readme.name, target) for readme in readmes for target in COLAB_LINK.findall(readme.read_text())]
    assert links, "README.md has no Colab badge"
    missing = [f"{readme}: {target}" for readme, target in links if not (ROOT / target).is_file()]
    assert not missing, "Colab badges point to missing notebooks:\n" + "\n".join(missing)


# ----------------------------------------------------------------------------- execution


@pytest.fixture(scope="module")
def blank_runs(tmp_path_factory):
    """Each English lesson executed as committed (papermill), once for the module."""
    folder = tmp_path_factory.mktemp("blank")
    return {path: run_notebook(path, folder / path.name) for path in BLANK_RUNS}


@pytest.mark.slow
@pytest.mark.parametrize("path", BLANK_RUNS, ids=BLANK_IDS)
def test_blank_notebook_runs_and_leaves_every_exercise_not_attempted(path, blank_runs):
    run = blank_runs[path]
    exercises = set(exercise_cells(read(path)))
    print(f"{path.name} (blank): {run.seconds:.1f} s")
    assert outcomes_by_exercise(run) == {name: ("not_attempted", "core.not_attempted") for name in exercises}
    # the feedback speaks the notebook's language
    language = path.parent.name
    shown = "\n".join(
        str(output.get("data", {}).get("text/markdown", "")) + str(output.get("text", ""))
        for cell in read(run.output).cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    expected = render(LABELS["not_attempted"], language=language)
    assert shown.count(expected) >= len(exercises), f"{language}: no {expected!r} in the outputs"


@pytest.mark.slow
@pytest.mark.parametrize("path", FULL_RUNS, ids=FULL_IDS)
def test_solved_notebook_passes_every_exercise(path, tmp_path):
    run = run_notebook(path, tmp_path / "solved.ipynb", solved=True)
    exercises = set(exercise_cells(read(path)))
    print(f"{path.name} (solved): {run.seconds:.1f} s")
    assert outcomes_by_exercise(run) == {name: ("passed", f"{name}.passed") for name in exercises}
    if path.stem == "02_vlm_finetuning":
        from benchmarks.lesson_figures import figures_of

        figures = figures_of(run.outcomes)
        figures["🐢 SFT gain"] = figures["🐢 SFT after"] - figures["🐢 SFT before"]
        figures["🐕 new dataset gain"] = figures["🐕 new dataset after"] - figures["🐕 new dataset before"]
        below = {name: figures[name] for name, floor in TINY_FLOORS.items() if figures[name] < floor}
        assert not below, f"the tiny model learned less than its floors {TINY_FLOORS}: {below}"
        check_lesson_2_claims(read(tmp_path / "solved.ipynb"))
    if path.stem == "03_vlm_grpo":
        from benchmarks.lesson_figures import figures_of_3

        figures = figures_of_3(run.outcomes)
        below = {name: figures[name] for name, floor in TINY_FLOORS_3.items() if figures[name] < floor}
        assert not below, f"GRPO taught the tiny model less than its floors {TINY_FLOORS_3}: {below}"
        check_lesson_3_claims(read(tmp_path / "solved.ipynb"), figures)
    noise = noisy_outputs(read(tmp_path / "solved.ipynb"))  # the solved lesson trains: the trainer's bars
    assert not noise, f"{path.name} (solved) printed noise a learner should not see:\n" + "\n".join(noise)


def printed_text(executed) -> str:
    """Everything the executed notebook's code cells printed or displayed as text."""
    parts = []
    for cell in executed.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            parts.append(output.get("text", "") + output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def check_lesson_2_claims(executed) -> None:
    """The numbers lesson 2's prose states, against what the solved lesson prints (claims as tests)."""
    english = "\n".join(
        cell.source
        for cell in read(ROOT / "notebooks" / "en" / "02_vlm_finetuning.ipynb").cells
        if cell.cell_type == "markdown"
    )
    english = " ".join(english.split())  # one line: a claim may wrap anywhere
    printed = printed_text(executed)
    # "LoRA trains ... at rank 32, 17% of the parameters peft counts on the tiny model (section 5)"
    trainable = float(re.search(r"trainable%: ([\d.]+)", printed).group(1))
    claimed = int(re.search(r"(\d+)% of the parameters peft counts", english).group(1))
    assert round(trainable) == claimed, (trainable, claimed)
    # section 5: where the adapters sit (SigLIP's q/k/v too, none in the connector), adding up to peft's count
    placed = dict(
        re.findall(r"LoRA parameters in model\.(vision_model|connector|text_model)\D+([\d,]+)", printed)
    )
    placed = {part: int(count.replace(",", "")) for part, count in placed.items()}
    total = int(re.search(r"trainable params: ([\d,]+)", printed).group(1).replace(",", ""))
    assert placed["vision_model"] > 0 and placed["connector"] == 0 and sum(placed.values()) == total, placed
    # section 3: "the first two lines below agree: 5 x 16 image tokens + 14 markers = 94"
    assert len(re.findall(r":\s+94 tokens per chart", printed)) == 2 and "= 94" in english
    # section 4: "pixel_values has five axes"
    assert len(re.search(r"'pixel_values': \(([\d, ]+)\)", printed).group(1).split(",")) == 5
    # section 5: the loss "levels off ... near 1.3"; overfitting: the validation loss "turns up"
    overfit = re.search(
        r"validation loss: lowest ([\d.]+) at step (\d+), ([\d.]+) at the end; "
        r"training loss at the end: ([\d.]+)",
        printed,
    )
    lowest, lowest_step, last, training = (float(value) for value in overfit.groups())
    assert "near 1.3" in english and 1.2 <= training <= 1.4, training
    steps = parameter_values(ROOT / "notebooks" / "en" / "02_vlm_finetuning.ipynb")["OVERFIT_STEPS"]
    assert "turns up" in english and last - lowest >= 0.05 and lowest_step < steps, overfit.group(0)
    # section 4 shows the right padding of the shorter row
    padding = int(re.search(r"(\d+) padding tokens on the right", printed).group(1))
    assert padding > 0 and "(padding: attention 0)" in printed
    # section 5: the tiny model's recipe fits
    assert "→ fits on" in printed
    # 🦁: "`logps/chosen` ... rises to about −5", rejected far below, DPO "about three quarters"
    chosen = float(re.search(r"logps/chosen\s+(-?[\d.]+)", printed).group(1))
    rejected = float(re.search(r"logps/rejected\s+(-?[\d.]+)", printed).group(1))
    assert "rises to about −5" in english and -8.0 < chosen < -2.5, chosen
    assert rejected < chosen - 10, (chosen, rejected)
    dpo = float(re.search(r"\nDPO\s+([\d.]+)%", printed).group(1)) / 100
    assert "quarters" in english and 0.6 <= dpo <= 0.9, dpo
    # "the merged model answers as the trained one" (LoRA, the lesson's default)
    trained = re.search(r"trained \(in the trainer\): (\[.*\])", printed).group(1)
    merged = re.search(r"reloaded and merged:\s+(\[.*\])", printed).group(1)
    assert trained == merged and "saved adapter_model.safetensors" in printed, (trained, merged)


def check_lesson_3_claims(executed, figures: dict) -> None:
    """What lesson 3's prose says of the outputs beside it, against the solved lesson's outputs."""
    english = " ".join(
        " ".join(
            cell.source
            for cell in read(ROOT / "notebooks" / "en" / "03_vlm_grpo.ipynb").cells
            if cell.cell_type == "markdown"
        ).split()
    )
    printed = printed_text(executed)
    # section 2: "Asked for its single most likely answer ... the model hedges. But sample ... and the
    # right number is often among them"
    greedy, count, sampled = (
        int(value)
        for value in re.search(
            r"greedy answer right: (\d+) of (\d+) · at least one of \d+ samples right: (\d+)", printed
        ).groups()
    )
    assert "the model hedges" in english and greedy <= count // 2 and sampled >= greedy + count // 4, printed
    # the intro: its hedges count the bars and read out every one ("3 bars: 4, 2, 1")
    assert re.search(r"\b\d bars: \d(, \d)+", printed), "no hedge printed"
    # section 4's curves: "as the model learns, whole groups become right ... the share of equal groups
    # climbs back"
    first_equal, last_equal = (
        float(value) / 100
        for value in re.search(
            r"all equal: (\d+)% over the first \d+ steps, (\d+)% over the last", printed
        ).groups()
    )
    assert "climbs back" in english and last_equal >= first_equal + 0.25, (first_equal, last_equal)
    # section 5: "The reward is high from the first step ... The held-out exact match falls"
    first, last = (
        float(v) for v in re.search(r"first and last steps: ([\d.]+) → ([\d.]+)", printed).groups()
    )
    assert "high from the first step" in english and first >= 0.8 and last >= 0.8, (first, last)
    assert "exact match falls" in english and figures["🦁 hacked run"] < figures["🐕 GRPO before"], figures


@pytest.mark.slow
@pytest.mark.parametrize("path", FULL_RUNS, ids=FULL_IDS)
def test_planted_wrong_answers_fail_with_their_message(path, tmp_path):
    planted = planted_wrong_answers(path)
    if not exercise_cells(read(path)):
        pytest.skip(f"{path.name} has no exercises")
    overrides = {name: source for name, (source, _) in planted.items()}
    run = run_notebook(path, tmp_path / "wrong.ipynb", overrides=overrides)
    expected = {name: ("failed", code) for name, (_, code) in planted.items()}
    assert {name: result for name, result in outcomes_by_exercise(run).items() if name in planted} == expected


VARIANTS = [
    (path, name) for path in NOTEBOOKS if path.parent.name == "en" for name in sorted(planted_variants(path))
]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "variant"), VARIANTS, ids=[f"{p.stem}:{v}" for p, v in VARIANTS])
def test_every_known_mistake_fails_with_its_own_message(path, variant, tmp_path):
    """`tests/planted/<lesson>/<exercise>--<mistake>.py`: each further known mistake, run on its own."""
    exercise, source, code = planted_variants(path)[variant]
    run = run_notebook(path, tmp_path / "variant.ipynb", overrides={exercise: source}, stop_after=exercise)
    assert outcomes_by_exercise(run)[exercise] == ("failed", code)


def test_known_mistakes_are_planted():
    """The mistakes learners of the anchors make again and again each have a planted wrong answer."""
    english = [path for path in NOTEBOOKS if path.parent.name == "en"]
    codes = {(path.stem, code) for path in english for _, _, code in planted_variants(path).values()}
    codes |= {(path.stem, code) for path in english for _, code in planted_wrong_answers(path).values()}
    expected = {
        ("01_vlm_usage", "one_image.prompt_not_cut"),  # the prompt decoded with the answer
        ("01_vlm_usage", "one_image.no_generation_prompt"),  # no `Assistant:` cue at the end
        ("01_vlm_usage", "left_padded_batch.right_padding"),  # right padding at generation
        ("02_vlm_finetuning", "sft_charts.images_in_loss"),  # the prompt and image tokens in the loss
        ("02_vlm_finetuning", "rows.missing_answer"),  # the answer missing from the training text
        ("02_vlm_finetuning", "sft_charts.truncates_images"),  # max_length cutting into image tokens
        ("03_vlm_grpo", "rewards.wrong_reward"),  # a reward that pays a list holding the answer
        ("03_vlm_grpo", "grpo_charts.no_correctness_reward"),  # the format reward alone
        ("03_vlm_grpo", "grpo_charts.no_signal"),  # equal samples: every group's rewards equal
        ("03_vlm_grpo", "reward_hacking.still_hackable"),  # a "fix" that still pays the hedges
    }
    assert expected <= codes, sorted(expected - codes)


@pytest.mark.slow
@pytest.mark.parametrize("path", BLANK_RUNS, ids=BLANK_IDS)
def test_executed_lesson_shows_no_warning_and_nothing_on_stderr(path, blank_runs):
    noise = noisy_outputs(read(blank_runs[path].output))
    assert not noise, f"{path.name} printed noise a learner should not see:\n" + "\n".join(noise)


def test_noisy_outputs_finds_warnings_and_stderr():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="all good\n"),
        nbformat.v4.new_output("stream", name="stderr", text="\rbatches: 10%|#"),
        nbformat.v4.new_output("display_data", data={"text/plain": "FutureWarning: x is deprecated"}),
        nbformat.v4.new_output("display_data", data={"text/plain": "batches:  0%|   | 0/7 [00:00<?, ?it/s]"}),
        nbformat.v4.new_output("display_data", data={"text/plain": "batches: 100%|###| 7/7 [00:03<00:00]"}),
        nbformat.v4.new_output("display_data", data={"text/html": "<progress></progress> [ 9/240 00:01]"}),
        nbformat.v4.new_output("display_data", data={"text/html": "<table><th>Step</th><th>Training Loss"}),
    ]
    found = noisy_outputs(notebook)
    # stderr, 'Warning' and 'deprecated', the bar at 0/7, the trainer's bar at 9/240, the loss table
    assert len(found) == 6 and "stderr" in found[0], found
    assert "0/7" in found[3] and "9/240" in found[4] and "table of losses" in found[5], found
    assert not any("all good" in line or "7/7" in line for line in found)


@pytest.mark.slow
def test_executed_notebook_shows_pictures_and_exports_to_html(blank_runs, tmp_path):
    path = ROOT / "notebooks" / "en" / "01_vlm_usage.ipynb"
    run = blank_runs[path]
    executed = read(run.output)
    images = [
        output
        for cell in executed.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert len(images) >= 4  # scenes, the tokens-per-image figure, several images, the frame grid
    unrendered = [
        index
        for index, cell in enumerate(executed.cells)
        for output in cell.get("outputs", [])
        if output.get("data", {}).get("text/plain", "").startswith("<Figure size")
        and "image/png" not in output["data"]
    ]
    assert not unrendered, f"figures shown as text only (no picture) in cells {unrendered}"
    html = export_html(run.output, tmp_path / "lesson.html").read_text()
    assert "data:image/png;base64" in html and "Lesson 1" in html


def test_exercise_summary_keeps_the_latest_outcome_per_exercise(tmp_path):
    results = tmp_path / "results.jsonl"
    rows = [
        {
            "lesson": "01_vlm_usage",
            "exercise": "one_image",
            "outcome": "failed",
            "code": "one_image.user_turns",
        },
        {
            "lesson": "01_vlm_usage",
            "exercise": "left_padded_batch",
            "outcome": "not_attempted",
            "code": "core.not_attempted",
        },
        {"lesson": "01_vlm_usage", "exercise": "one_image", "outcome": "passed", "code": "one_image.passed"},
    ]
    results.write_text("".join(json.dumps(row) + "\n" for row in rows))
    summary = exercise_summary(results)
    assert [(row["exercise"], row["outcome"]) for row in summary] == [
        ("one_image", "passed"),
        ("left_padded_batch", "not_attempted"),
    ]
    table = format_summary(summary)
    assert table.splitlines()[0].split() == ["lesson", "exercise", "outcome", "code"]
    assert "one_image" in table and "not_attempted" in table


@pytest.mark.slow
def test_nbval_lax_runs_an_english_notebook(tmp_path):
    """`pytest --nbval-lax notebooks/en/01_vlm_usage.ipynb`, as a maintainer may run any lesson (every
    lesson runs blank through papermill above; the other languages share these code cells)."""
    results = tmp_path / "results.jsonl"
    env = {**os.environ, "COURSE_RESULTS_FILE": str(results), "HF_HUB_OFFLINE": "1"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval-lax",
        "-p",
        "no:cacheprovider",
        "-q",
        "notebooks/en/01_vlm_usage.ipynb",
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert {row["outcome"] for row in exercise_summary(results)} == {"not_attempted"}


@pytest.mark.slow
def test_course_build_writes_html_and_summarises_every_exercise(tmp_path, monkeypatch, capsys):
    """`make course`: lessons executed into a relative build folder, one summary row per exercise."""
    import tools.notebooks

    lessons = tools.notebooks.lesson_notebooks("en")[:1]  # every lesson runs blank above
    monkeypatch.setattr(tools.notebooks, "lesson_notebooks", lambda language: lessons)
    monkeypatch.chdir(tmp_path)
    assert tools.notebooks.build("out") == 0
    for notebook in lessons:
        assert (tmp_path / "out" / "en" / notebook.name).with_suffix(".html").is_file()
    printed = capsys.readouterr().out
    rows = [line for line in printed.splitlines() if "not_attempted" in line]
    expected = sum(len(lesson_module(path.stem).LESSON.exercises) for path in lessons)
    assert expected and len(rows) == expected, printed


@pytest.mark.slow
def test_lesson_2_interrupts_its_script_run_and_resumes_it_from_a_checkpoint(blank_runs):
    """Section 8 of lesson 2: `python -m course_utils.run_sft`, stopped after a checkpoint, resumed."""
    path = ROOT / "notebooks" / "en" / "02_vlm_finetuning.ipynb"
    printed = printed_text(read(blank_runs[path].output))
    stopped = re.search(
        r"first session stopped \(exit code (-?\d+)[^)]*\), final model saved: (\w+)", printed
    )
    assert stopped, "lesson 2 does not show the interrupted first session"
    assert stopped.group(2) == "False", "the first session finished before it was interrupted"
    resumed = re.search(r"resumed from checkpoint-(\d+), finished at step (\d+) of (\d+)", printed)
    assert resumed, "lesson 2 does not show a run resumed from a checkpoint"
    step, final, total = map(int, resumed.groups())
    assert 0 < step < final == total
    assert f"Resuming from checkpoint-{step} (step {step} of {total})." in printed
