"""Lesson 2 checks on the embedded model: right answers pass, realistic wrong ones fail with the right hint.

Cheap by design: rows, collators, trainers' logs and evaluation results are built by hand (the real
training runs are covered by the solved notebook in tests/test_notebooks.py).
"""

from pathlib import Path
from types import SimpleNamespace

import pytest
from exercise_outcomes import outcome_of

from course_utils import i18n
from course_utils.evaluation import EvalResult
from course_utils.exercises import core
from course_utils.exercises import finetuning as ex
from course_utils.formatting import format_dataset
from course_utils.generation import ask_batch
from course_utils.masking import VisionSFTCollator
from course_utils.preferences import make_preference_rows
from course_utils.synthetic_data import QUICK_CHART_KINDS, make_chartqa_splits

SOLUTIONS = Path(__file__).resolve().parents[1] / "course_utils" / "solutions" / "02_vlm_finetuning"


@pytest.fixture(scope="module")
def charts():
    return make_chartqa_splits(24, 8, kinds=QUICK_CHART_KINDS)


@pytest.fixture(scope="module")
def train_rows(charts):
    return format_dataset(charts["train"])


# Hand-made results repeat their four questions: the checks ask for a gain chance would rarely give
# (exact McNemar test), which four questions can never show (two-sided p >= 1/8).
REPEAT = 6


def result(exact, predictions, targets=("1", "2", "3", "2")):
    return EvalResult(exact, exact, len(targets) * REPEAT, list(predictions) * REPEAT, list(targets) * REPEAT)


def accuracy_pair(before_right: int, after_right: int, n: int = 100):
    """Two evaluations of the same `n` questions: the first `before_right` (`after_right`) right."""
    targets = [str(index % 7) for index in range(n)]

    def answers(right):
        return [target if index < right else "no" for index, target in enumerate(targets)]

    before, after = answers(before_right), answers(after_right)
    return (
        EvalResult(before_right / n, before_right / n, n, before, targets),
        EvalResult(after_right / n, after_right / n, n, after, targets),
    )


BEFORE = result(0.25, ["red", "2", "circle", "4"])
AFTER = result(1.0, ["1", "2", "3", "2"])


def trainer(collator, losses=(2.0, 0.5), rewards=None):
    history = [{"loss": loss, "step": step} for step, loss in enumerate(losses, 1)]
    for step, accuracy in enumerate(rewards or (), 1):
        history.append({"rewards/accuracies": accuracy, "step": step})
    return SimpleNamespace(state=SimpleNamespace(log_history=history), data_collator=collator)


def user_image_question(question, image_part=None):
    return {"role": "user", "content": [image_part or {"type": "image"}, {"type": "text", "text": question}]}


def assistant(answer):
    return {"role": "assistant", "content": [{"type": "text", "text": answer}]}


# ----------------------------------------------------------------------------- 🐢 sft_charts


def test_sft_charts_passes_formatted_rows_the_answer_only_collator_and_a_clear_gain(lesson, train_rows):
    _, processor = lesson
    good = trainer(VisionSFTCollator(processor))
    assert outcome_of(ex.sft_charts, train_rows, good, BEFORE, AFTER) == ("passed", "sft_charts.passed")
    # a list of rows is as good as a Dataset
    rows = [train_rows[index] for index in range(4)]
    assert outcome_of(ex.sft_charts, rows, good, BEFORE, AFTER) == ("passed", "sft_charts.passed")
    message = ex.sft_charts.last_outcome.message
    assert "25% → 100%" in message and "50%" in message, message  # before → after, and the baseline


def test_sft_charts_starter_is_not_attempted(lesson):
    assert outcome_of(ex.sft_charts, None, None, None, None) == ("not_attempted", "core.not_attempted")


def test_sft_charts_rows_without_the_answer_fail(lesson, charts):
    # The widely copied smol-course recipe: the user turn only, no assistant turn.
    _, processor = lesson
    rows = [
        {"messages": [user_image_question(row["query"])], "images": [row["image"]]}
        for row in (charts["train"][index] for index in range(3))
    ]
    status, code = outcome_of(ex.sft_charts, rows, trainer(VisionSFTCollator(processor)), BEFORE, AFTER)
    assert (status, code) == ("failed", "rows.missing_answer")
    assert "never sees the answer" in ex.sft_charts.last_outcome.message


def test_sft_charts_pictures_inside_the_messages_or_miscounted_fail(lesson, charts):
    _, processor = lesson
    row = charts["train"][0]
    inside = [
        {
            "messages": [
                user_image_question(row["query"], {"type": "image", "image": row["image"]}),
                assistant("2"),
            ],
            "images": [row["image"]],
        }
    ]
    collator = trainer(VisionSFTCollator(processor))
    assert outcome_of(ex.sft_charts, inside, collator, BEFORE, AFTER) == ("failed", "rows.image_in_message")
    two = [{"messages": [user_image_question(row["query"]), assistant("2")], "images": [row["image"]] * 2}]
    assert outcome_of(ex.sft_charts, two, collator, BEFORE, AFTER) == ("failed", "rows.image_count")
    blind = [
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": row["query"]}]},
                assistant("2"),
            ],
            "images": [],
        }
    ]
    assert outcome_of(ex.sft_charts, blind, collator, BEFORE, AFTER) == ("failed", "rows.no_placeholder")
    assert outcome_of(ex.sft_charts, "rows", collator, BEFORE, AFTER) == ("failed", "core.wrong_type")


class PaddingOnlyCollator(VisionSFTCollator):
    """What trl's default collator does: labels are the input ids, only padding masked."""

    def __call__(self, examples):
        batch = super().__call__(examples)
        labels = batch["input_ids"].clone()
        labels[batch["attention_mask"] == 0] = -100
        batch["labels"] = labels
        return batch


class ImagesMaskedOnlyCollator(PaddingOnlyCollator):
    """Masks padding and image tokens, but leaves the user's question in the loss."""

    def __call__(self, examples):
        batch = super().__call__(examples)
        image_id = self.processor.tokenizer.convert_tokens_to_ids("<image>")
        batch["labels"][batch["input_ids"] == image_id] = -100
        return batch


def test_sft_charts_collators_that_leave_the_prompt_in_the_loss_fail(lesson, train_rows):
    _, processor = lesson
    checks = [
        (PaddingOnlyCollator(processor), "sft_charts.images_in_loss"),
        (ImagesMaskedOnlyCollator(processor), "sft_charts.prompt_in_loss"),
    ]
    for collator, code in checks:
        assert outcome_of(ex.sft_charts, train_rows, trainer(collator), BEFORE, AFTER) == ("failed", code)
    everything_masked = trainer(lambda rows: {**VisionSFTCollator(processor)(rows), "labels": None})
    assert outcome_of(ex.sft_charts, train_rows, everything_masked, BEFORE, AFTER) == (
        "failed",
        "sft_charts.no_labels",
    )
    assert outcome_of(
        ex.sft_charts, train_rows, trainer(VisionSFTCollator(processor), losses=()), BEFORE, AFTER
    ) == (
        "failed",
        "sft_charts.not_trained",
    )


def test_sft_charts_accuracy_must_rise_on_the_same_questions(lesson, train_rows):
    _, processor = lesson
    good = trainer(VisionSFTCollator(processor))
    # `after` measured on the base model again: the same predictions
    assert outcome_of(ex.sft_charts, train_rows, good, BEFORE, BEFORE) == ("failed", "rows.same_model")
    # too few steps: it changed, but hardly improved
    barely = result(0.25, ["1", "1", "1", "4"])
    assert outcome_of(ex.sft_charts, train_rows, good, BEFORE, barely) == (
        "failed",
        "sft_charts.no_improvement",
    )
    other_questions = result(1.0, ["1", "2", "3"], targets=("1", "2", "3"))
    assert outcome_of(ex.sft_charts, train_rows, good, BEFORE, other_questions) == (
        "failed",
        "rows.different_questions",
    )
    assert outcome_of(ex.sft_charts, train_rows, good, BEFORE, 0.9) == ("failed", "core.wrong_type")


def test_sft_charts_passes_a_real_gain_and_fails_one_chance_could_give(lesson, train_rows):
    """The criterion holds for any model: a real SmolVLM starts far above zero on ChartQA."""
    _, processor = lesson
    good = trainer(VisionSFTCollator(processor))
    assert outcome_of(ex.sft_charts, train_rows, good, *accuracy_pair(55, 75)) == (
        "passed",
        "sft_charts.passed",
    )
    assert outcome_of(ex.sft_charts, train_rows, good, *accuracy_pair(55, 58)) == (
        "failed",
        "sft_charts.no_improvement",
    )
    ex.sft_charts.check(train_rows, good, *accuracy_pair(55, 58))
    message = ex.sft_charts.last_outcome.message
    assert "55% → 58%" in message and "100" in message and "p = 0.25" in message, message


def test_sft_charts_a_model_that_always_gives_the_majority_answer_fails(lesson, train_rows):
    _, processor = lesson
    before = result(0.0, ["red", "circle", "red", "blue"])
    prior_only = result(0.5, ["2", "2", "2", "2"])  # targets 1, 2, 3, 2: "2" is right half the time
    outcome = ex.sft_charts.check(train_rows, trainer(VisionSFTCollator(processor)), before, prior_only)
    assert (outcome.status, outcome.code) == ("failed", "rows.below_baseline")
    assert "'2'" in outcome.message and "50%" in outcome.message


def test_sft_charts_training_the_lessons_model_in_place_fails(lesson, train_rows):
    from peft import LoraConfig, inject_adapter_in_model

    model, processor = lesson
    config = LoraConfig(r=2, target_modules=["q_proj"])
    copy = __import__("copy").deepcopy(model)
    lesson_with_adapters = core.Lesson("02_vlm_finetuning")
    lesson_with_adapters.setup(inject_adapter_in_model(config, copy), processor)
    sft_charts = ex.SftCharts(lesson_with_adapters)
    outcome = sft_charts.check(train_rows, trainer(VisionSFTCollator(processor)), BEFORE, AFTER)
    assert (outcome.status, outcome.code) == ("failed", "lesson.base_modified")


# ----------------------------------------------------------------------------- 🐕 new_columns


def format_row(row):
    return {
        "messages": [user_image_question(row["question"]), assistant(row["answer"])],
        "images": [row["picture"]],
    }


SHAPE_TARGETS = ("top left", "top right", "bottom left", "top left")
SHAPE_BEFORE = result(0.0, ["red", "circle", "red", "4"], targets=SHAPE_TARGETS)
SHAPE_AFTER = result(1.0, ["top left", "top right", "bottom left", "top left"], targets=SHAPE_TARGETS)


def test_new_columns_passes_a_formatter_for_the_new_columns(lesson):
    assert outcome_of(ex.new_columns, format_row, SHAPE_BEFORE, SHAPE_AFTER) == (
        "passed",
        "new_columns.passed",
    )


def test_new_columns_starter_stub_is_not_attempted(lesson):
    def stub(row):
        """One shape-position row."""
        ...

    assert outcome_of(ex.new_columns, stub, None, None) == ("not_attempted", "core.not_attempted")


@pytest.mark.parametrize(
    "formatter, code",
    [
        (  # ChartQA's column names on the new dataset
            lambda row: {
                "messages": [user_image_question(row["query"]), assistant(row["label"])],
                "images": [row["image"]],
            },
            "new_columns.wrong_column",
        ),
        (  # the smol-course bug: no assistant turn
            lambda row: {"messages": [user_image_question(row["question"])], "images": [row["picture"]]},
            "rows.missing_answer",
        ),
        (  # the answer written into the user turn
            lambda row: {
                "messages": [user_image_question(f"{row['question']} {row['answer']}")],
                "images": [row["picture"]],
            },
            "new_columns.answer_in_user_turn",
        ),
        (  # the picture inside the message, as when chatting
            lambda row: {
                "messages": [
                    user_image_question(row["question"], {"type": "image", "image": row["picture"]}),
                    assistant(row["answer"]),
                ],
                "images": [row["picture"]],
            },
            "rows.image_in_message",
        ),
        (lambda row: {**format_row(row), "images": row["picture"]}, "rows.images_not_list"),
        (
            lambda row: {
                "messages": [user_image_question("Where is it?"), assistant(row["answer"])],
                "images": [row["picture"]],
            },
            "new_columns.question_missing",
        ),
        (
            lambda row: {
                "messages": [user_image_question(row["question"]), assistant("top left")],
                "images": [row["picture"]],
            },
            "new_columns.wrong_answer",
        ),
        (lambda row: format_row(row)["messages"], "core.wrong_type"),
        (lambda row: 1 / 0, "core.raised"),
    ],
)
def test_new_columns_wrong_formatters_fail_with_specific_feedback(lesson, formatter, code):
    assert outcome_of(ex.new_columns, formatter, SHAPE_BEFORE, SHAPE_AFTER) == ("failed", code)


def test_new_columns_wrong_column_names_the_right_one(lesson):
    ex.new_columns.check(lambda row: {"images": [row["image"]]}, SHAPE_BEFORE, SHAPE_AFTER)
    assert "'picture'" in ex.new_columns.last_outcome.message


def test_new_columns_always_naming_one_corner_is_not_learning_positions(lesson):
    one_corner = result(0.5, ["top left"] * 4, targets=SHAPE_TARGETS)
    assert outcome_of(ex.new_columns, format_row, SHAPE_BEFORE, one_corner) == (
        "failed",
        "rows.below_baseline",
    )
    # answers in the new words but not the right corners: no credit either (the old, lenient check)
    words = result(0.0, ["b left", "b left", "b left", "b left"], targets=SHAPE_TARGETS)
    assert outcome_of(ex.new_columns, format_row, SHAPE_BEFORE, words) == (
        "failed",
        "new_columns.no_improvement",
    )


def test_new_columns_accuracy_must_rise(lesson):
    assert outcome_of(ex.new_columns, format_row, SHAPE_BEFORE, SHAPE_BEFORE) == ("failed", "rows.same_model")
    slightly = result(0.0, ["blue", "circle", "red", "4"], targets=SHAPE_TARGETS)
    assert outcome_of(ex.new_columns, format_row, SHAPE_BEFORE, slightly) == (
        "failed",
        "new_columns.no_improvement",
    )


# ----------------------------------------------------------------------------- 🦁 dpo


@pytest.fixture(scope="module")
def preference(lesson, charts):
    model, processor = lesson
    source = charts["train"].select(range(12))
    rows, _ = make_preference_rows(model, processor, source, progress=False)
    said = ask_batch(
        model, processor, [(row["image"], row["query"]) for row in source], max_new_tokens=8, progress=False
    )
    return source, rows, said


COMPARISON = {"before": BEFORE, "SFT": AFTER, "DPO": result(0.75, ["1", "2", "3", "3"])}
DPO_TRAINER = trainer(None, rewards=(0.5, 0.75, 1.0, 1.0))


def test_dpo_passes_pairs_from_the_models_mistakes(lesson, preference):
    source, rows, _ = preference
    assert outcome_of(ex.dpo, rows, DPO_TRAINER, COMPARISON, source=source) == ("passed", "dpo.passed")


def test_dpo_starter_is_not_attempted(lesson):
    assert outcome_of(ex.dpo, None, None, None) == ("not_attempted", "core.not_attempted")


def test_dpo_swapped_or_equal_answers_fail(lesson, preference):
    source, rows, _ = preference
    swapped = [{**row, "chosen": row["rejected"], "rejected": row["chosen"]} for row in rows]
    assert outcome_of(ex.dpo, swapped, DPO_TRAINER, COMPARISON, source=source) == (
        "failed",
        "dpo.chosen_not_answer",
    )
    same = [{**row, "rejected": row["chosen"]} for row in rows]
    assert outcome_of(ex.dpo, same, DPO_TRAINER, COMPARISON, source=source) == (
        "failed",
        "dpo.rejected_equals_chosen",
    )


def test_dpo_rejected_answers_must_be_the_models_own_mistakes(lesson, preference):
    source, rows, said = preference
    # By hand: "the answer plus one" as the rejected answer, ignoring what the model really said.
    made_up = [
        {**row, "rejected": [assistant(str(int(row["chosen"][0]["content"][0]["text"]) + 1))]} for row in rows
    ]
    assert any(
        answer.strip() and answer.strip() != str(int(r["chosen"][0]["content"][0]["text"]) + 1)
        for answer, r in zip(said, rows)
    )
    assert outcome_of(ex.dpo, made_up, DPO_TRAINER, COMPARISON, source=source) == (
        "failed",
        "dpo.rejected_not_mistakes",
    )


def test_dpo_prompt_needs_an_image_placeholder(lesson, preference):
    source, rows, _ = preference
    no_image = [
        {**row, "prompt": [{"role": "user", "content": row["prompt"][0]["content"][1:]}]} for row in rows
    ]
    assert outcome_of(ex.dpo, no_image, DPO_TRAINER, COMPARISON, source=source) == (
        "failed",
        "rows.no_placeholder",
    )
    as_text = [{**row, "prompt": row["prompt"][0]["content"][1]["text"]} for row in rows]
    assert outcome_of(ex.dpo, as_text, DPO_TRAINER, COMPARISON, source=source) == (
        "failed",
        "dpo.prompt_not_turns",
    )


def test_dpo_reward_accuracy_and_comparison(lesson, preference):
    source, rows, _ = preference
    coin = trainer(None, rewards=(0.5, 0.4, 0.5))
    assert outcome_of(ex.dpo, rows, coin, COMPARISON, source=source) == (
        "failed",
        "dpo.low_reward_accuracy",
    )
    assert outcome_of(ex.dpo, rows, trainer(None), COMPARISON, source=source) == (
        "failed",
        "dpo.not_trained",
    )
    no_sft = {"before": BEFORE, "DPO": COMPARISON["DPO"]}
    assert outcome_of(ex.dpo, rows, DPO_TRAINER, no_sft, source=source) == (
        "failed",
        "dpo.comparison_incomplete",
    )
    dpo_is_base = {**COMPARISON, "DPO": BEFORE}
    assert outcome_of(ex.dpo, rows, DPO_TRAINER, dpo_is_base, source=source) == ("failed", "rows.same_model")
    worse = {**COMPARISON, "DPO": result(0.0, ["4", "4", "4", "4"])}
    assert outcome_of(ex.dpo, rows, DPO_TRAINER, worse, source=source) == ("failed", "dpo.no_improvement")


def test_lesson_two_messages_do_not_reuse_lesson_ones(lesson, capsys):
    ex.sft_charts.hint(2)
    assert "SFTTrainer" in capsys.readouterr().out
    ex.new_columns.solution()
    assert (SOLUTIONS / "new_columns.py").read_text().strip() in capsys.readouterr().out
    from course_utils.exercises import usage

    usage.one_image.hint(2)
    assert "batch_decode" in capsys.readouterr().out


def test_feedback_follows_the_language(lesson, train_rows):
    _, processor = lesson
    try:
        i18n.set_language("ja")
        ex.sft_charts.check(train_rows, trainer(VisionSFTCollator(processor)), BEFORE, BEFORE)
        assert (
            "まだです" in ex.sft_charts.last_outcome.message
            and "同じモデル" in ex.sft_charts.last_outcome.message
        )
    finally:
        i18n.set_language("en")


# ----------------------------------------------------------------------------- 🐢 with trl's own objects


def trl_trainer(processor, rows, tmp_path, **arguments):
    """A real trl SFTTrainer on a fresh tiny model (never trained here), given a logged loss."""
    from peft import LoraConfig
    from transformers import AutoModelForImageTextToText
    from trl import SFTConfig, SFTTrainer

    from course_utils.loading import model_path

    settings = dict(output_dir=str(tmp_path), report_to="none", use_cpu=True, max_length=None)
    settings.update(arguments)
    built = SFTTrainer(
        model=AutoModelForImageTextToText.from_pretrained(model_path("tiny")),
        args=SFTConfig(**settings),
        train_dataset=rows,
        processing_class=processor,
        peft_config=LoraConfig(r=4, target_modules=["q_proj"], task_type="CAUSAL_LM"),
    )
    built.state.log_history = [{"loss": 2.0, "step": 1}, {"loss": 0.5, "step": 2}]
    return built


def test_sft_charts_passes_trls_answer_only_trainer_and_names_its_default_labels(
    lesson, train_rows, tmp_path
):
    _, processor = lesson
    answer_only = trl_trainer(processor, train_rows, tmp_path / "a", assistant_only_loss=True)
    assert outcome_of(ex.sft_charts, train_rows, answer_only, BEFORE, AFTER) == (
        "passed",
        "sft_charts.passed",
    )
    whole_text = trl_trainer(processor, train_rows, tmp_path / "b")  # trl's default: padding masked only
    assert outcome_of(ex.sft_charts, train_rows, whole_text, BEFORE, AFTER) == (
        "failed",
        "sft_charts.images_in_loss",
    )


def test_sft_charts_grades_labels_against_trls_answer_mask(lesson, train_rows):
    """A collator that keeps the `Assistant:` cue in the loss is caught by trl's mask, not by ours."""
    _, processor = lesson
    reference = ex.trl_answer_masks(processor, [train_rows[0], train_rows[1]])

    def one_token_early(rows):
        batch = ex.trl_answer_masks(processor, rows)
        labels = batch["labels"].clone()
        for row in range(labels.shape[0]):
            first = int((labels[row] != -100).nonzero()[0])
            labels[row, first - 1] = batch["input_ids"][row, first - 1]
        return {**batch, "labels": labels}

    kept = processor.decode(reference["labels"][0][reference["labels"][0] != -100])
    assert kept.strip().startswith(train_rows[0]["messages"][-1]["content"][0]["text"]), kept
    early = trainer(one_token_early)
    assert outcome_of(ex.sft_charts, train_rows, early, BEFORE, AFTER) == (
        "failed",
        "sft_charts.prompt_in_loss",
    )


def test_sft_charts_names_bf16_without_hardware_support_and_truncation(
    lesson, train_rows, tmp_path, monkeypatch
):
    _, processor = lesson
    truncating = trl_trainer(processor, train_rows, tmp_path / "b", assistant_only_loss=True, max_length=12)
    outcome = outcome_of(ex.sft_charts, train_rows, truncating, BEFORE, AFTER)
    assert outcome == ("failed", "sft_charts.truncates_images")
    assert "max_length=None" in ex.sft_charts.last_outcome.message
    roomy = trl_trainer(processor, train_rows, tmp_path / "c", assistant_only_loss=True, max_length=4096)
    assert outcome_of(ex.sft_charts, train_rows, roomy, BEFORE, AFTER) == ("passed", "sft_charts.passed")
    # trl's SFTConfig turns bf16 on by default; where the hardware has it natively that is fine ...
    in_bf16 = trl_trainer(processor, train_rows, tmp_path / "a", assistant_only_loss=True, bf16=True)
    monkeypatch.setattr(ex, "native_bf16", lambda: (True, "this GPU"))
    assert outcome_of(ex.sft_charts, train_rows, in_bf16, BEFORE, AFTER) == ("passed", "sft_charts.passed")
    # ... and named where it is not (a T4 cannot be lent to CPU CI: the hardware answer is replaced)
    monkeypatch.setattr(ex, "native_bf16", lambda: (False, "Tesla T4"))
    assert outcome_of(ex.sft_charts, train_rows, in_bf16, BEFORE, AFTER) == (
        "failed",
        "sft_charts.bf16_unsupported",
    )
    assert (
        "Tesla T4" in ex.sft_charts.last_outcome.message and "fp16=True" in ex.sft_charts.last_outcome.message
    )
    in_fp32 = trl_trainer(processor, train_rows, tmp_path / "d", assistant_only_loss=True, bf16=False)
    assert outcome_of(ex.sft_charts, train_rows, in_fp32, BEFORE, AFTER) == ("passed", "sft_charts.passed")


# ----------------------------------------------------------------------------- 🐕 a dataset from the Hub


@pytest.fixture(scope="module")
def radiology_like():
    """Rows with VQA-RAD's schema (image, question, answer): grayscale pictures, yes/no and words."""
    import datasets
    from PIL import Image

    questions = ["is the heart enlarged?", "which lobe?", "is there fluid?", "what organ?"] * 6
    answers = ["yes", "right lower lobe", "no", "liver"] * 6
    pictures = [Image.new("L", (300 + index, 240), color=index * 9) for index in range(len(questions))]
    features = datasets.Features(
        {"image": datasets.Image(), "question": datasets.Value("string"), "answer": datasets.Value("string")}
    )
    data = datasets.Dataset.from_dict({"image": pictures, "question": questions, "answer": answers}, features)
    before = EvalResult(0.0, 0.0, len(data), ["maybe"] * len(data), answers, questions)
    after = EvalResult(1.0, 1.0, len(data), list(answers), answers, questions)
    return data, before, after


def format_hub_row(row):
    return {
        "messages": [user_image_question(row["question"]), assistant(row["answer"])],
        "images": [row["image"]],
    }


def test_new_columns_checks_the_learners_formatter_on_rows_of_their_hub_dataset(lesson, radiology_like):
    data, before, after = radiology_like
    assert outcome_of(ex.new_columns, format_hub_row, before, after, source=data) == (
        "passed",
        "new_columns.passed",
    )
    # the offline formatter reads `picture`: the check names the Hub dataset's column instead
    assert outcome_of(ex.new_columns, format_row, before, after, source=data) == (
        "failed",
        "new_columns.wrong_column",
    )
    assert "'image'" in ex.new_columns.last_outcome.message
    # a source the evaluation was not run on: its columns cannot be matched
    other = data.map(lambda row: {"question": row["question"] + " (again)"})
    outcome = outcome_of(ex.new_columns, format_hub_row, before, after, source=other)
    assert outcome == ("failed", "new_columns.unknown_columns")
