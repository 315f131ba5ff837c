"""Exercises of lesson 2 (fine-tuning): 🐢 SFT on chart questions, 🐕 a dataset with other columns,
🦁 DPO built from the model's own mistakes.

In the notebook: `from course_utils.exercises import finetuning as ex`, `ex.setup(model, processor)`
(the untouched base model), then `ex.sft_charts.check(train_rows, sft_trainer, before, after)`,
`ex.new_columns.check(format_row, shape_before, shape_after, source=shapes_test)` and
`ex.dpo.check(preference_rows, dpo_trainer, comparison, source=dpo_charts)`.
"""

from __future__ import annotations

import hashlib

import datasets
from PIL import Image

from course_utils.evaluation import (
    SIGNIFICANCE,
    above_baseline,
    compare,
    exact_match,
    logged,
    majority_baseline,
    normalise_answer,
)
from course_utils.exercises.core import (
    Exercise,
    Failure,
    Lesson,
    Message,
    failure_for,
    message,
    type_name,
    verbatim,
    wrong_type,
)
from course_utils.generation import ask_batch
from course_utils.i18n import tr
from course_utils.images import same_pixels
from course_utils.masking import IGNORE_INDEX, answer_spans
from course_utils.preferences import reward_accuracy
from course_utils.synthetic_data import chart_question_kind, make_shape_positions

LESSON = Lesson("02_vlm_finetuning")
setup = LESSON.setup

TYPE_ROWS = message("type.rows", "a `datasets.Dataset` or a list of row dicts")
TYPE_TRAINER = message("type.trainer", "a trained trl `SFTTrainer` (call `.train()` on it first)")
ROWS_DIFFERENT_QUESTIONS = message(
    "rows.different_questions",
    "`{before}` and `{after}` were not measured on the same questions. Evaluate "
    "both models on the same held-out split.",
)
ROWS_SAME_MODEL = message(
    "rows.same_model",
    "`{before}` and `{after}` have exactly the same predictions: did you evaluate "
    "the same model twice? Evaluate the trained model, e.g. "
    "`evaluate(trainer.model, processor, ...)`.",
)

ROWS_TO_CHECK = 8  # formatted rows looked at by the structure checks
# "The model learned the task" holds for any model, tiny or real, at any test-set size: a gain over
# the base model on the same held-out questions that chance would rarely give (exact McNemar test),
# and a result that chance would rarely give to a model always answering the most frequent answer
# (the majority baseline), both at `evaluation.SIGNIFICANCE`. A real SmolVLM has seen ChartQA and
# starts far above zero; the tiny model's own figures keep their floors in the tests and benchmarks.
NEW_COLUMNS_SEED = 7070  # fresh rows for the learner's `format_row`, unlike the lesson's own
NEW_COLUMNS_ROWS = 6
DPO_ROWS_ASKED = 48  # preference rows whose rejected answer is compared with the model's own
DPO_AGREEMENT = 0.9  # share of the model's mistakes that must be the rejected answers
# Columns a ChartQA-style formatter asks for, and the shape-position column holding the same thing.
COLUMN_RENAMES = {
    "image": "picture",
    "images": "picture",
    "img": "picture",
    "query": "question",
    "label": "answer",
    "labels": "answer",
}


# ----------------------------------------------------------------------------- shared checks


def base_is_untouched(lesson: Lesson) -> None:
    """The lesson's `model` must stay the base: LoRA adapters injected into it change every later cell."""
    model, _ = lesson.require_model()
    if any("lora_" in name for name, _ in model.named_modules()):
        raise Failure(
            message(
                "lesson.base_modified",
                "the lesson's `model` now carries LoRA adapters: it was trained in place (a "
                "trainer with `peft_config` wraps the model you pass). Keep `model` as the "
                "untouched base and give every trainer a fresh copy: "
                "`SFTTrainer(model=fresh_model(), ...)`. Re-run the notebook from the cell "
                "that loads the model.",
            )
        )


def as_rows(value, name: str, limit: int | None = None) -> list[dict]:
    """The first `limit` rows of a `datasets.Dataset` or a list of dicts, as plain dicts."""
    if isinstance(value, datasets.Dataset):
        count = len(value) if limit is None else min(limit, len(value))
        rows = [value[index] for index in range(count)]
    elif isinstance(value, (list, tuple)):
        rows = list(value if limit is None else value[:limit])
    else:
        raise wrong_type(name, value, TYPE_ROWS)
    if not rows:
        raise Failure(message("rows.empty", "`{name}` has no rows."), name=name)
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise wrong_type(f"{name}[{index}]", row, TYPE_ROWS)
    return rows


def _is_picture(value) -> bool:
    return isinstance(value, Image.Image)


def _parts(turn) -> list[dict]:
    content = turn.get("content") if isinstance(turn, dict) else None
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [part for part in (content or []) if isinstance(part, dict)]


def _texts(turn) -> list[str]:
    return [part.get("text") or "" for part in _parts(turn) if part.get("type") == "text"]


def _placeholders(turns) -> list[dict]:
    return [part for turn in turns for part in _parts(turn) if part.get("type") == "image"]


def check_image_parts(turns, images, index: int) -> None:
    """`{"type": "image"}` placeholders in the messages, pictures in `images`, one for one."""
    placeholders = _placeholders(turns)
    if any(_is_picture(part.get("image")) for part in placeholders):
        raise Failure(
            message(
                "rows.image_in_message",
                "row {index} puts the PIL picture inside the message. trl's vision trainers "
                "want a bare placeholder `{{'type': 'image'}}` in the message and the picture "
                "itself in the row's `images` list (a dataset column cannot store pictures "
                "inside the chat turns).",
            ),
            index=index,
        )
    if not isinstance(images, (list, tuple)):
        raise Failure(
            message(
                "rows.images_not_list",
                "row {index}: `images` is a `{got}`; make it a list of pictures, one per "
                "`{{'type': 'image'}}` placeholder, e.g. `[row['image']]`.",
            ),
            index=index,
            got=type_name(images),
        )
    if not placeholders:
        raise Failure(
            message(
                "rows.no_placeholder",
                "row {index} has no `{{'type': 'image'}}` placeholder in its messages, so the "
                "processor has nowhere to put the picture's tokens: the model would train "
                "blind. Put one before the question in the user turn.",
            ),
            index=index,
        )
    if len(placeholders) != len(images):
        raise Failure(
            message(
                "rows.image_count",
                "row {index} has {placeholders} image placeholder(s) but {images} picture(s) "
                "in `images`: the processor pairs them one for one.",
            ),
            index=index,
            placeholders=len(placeholders),
            images=len(images),
        )
    for image in images:
        if not _is_picture(image):
            raise Failure(
                message("rows.not_a_picture", "row {index}: `images` holds a `{got}`, not a PIL picture."),
                index=index,
                got=type_name(image),
            )


def check_conversation_row(row: dict, index: int) -> tuple[str, str]:
    """A training row `{"messages", "images"}`: returns (question, answer) or raises a Failure."""
    missing = [key for key in ("messages", "images") if key not in row]
    if missing:
        raise Failure(
            message(
                "rows.keys",
                "row {index} has the keys {keys}; it is missing {missing}. A training row is "
                "`{{'messages': [...], 'images': [...]}}` (the chat turns and the pictures), "
                "what trl's trainers expect.",
            ),
            index=index,
            keys=sorted(row),
            missing=missing,
        )
    messages = row["messages"]
    if not isinstance(messages, (list, tuple)) or not all(isinstance(turn, dict) for turn in messages):
        raise Failure(
            message(
                "rows.messages_not_turns",
                "row {index}: `messages` is a `{got}`; it should be a list of turns (dicts "
                "with 'role' and 'content').",
            ),
            index=index,
            got=type_name(messages),
        )
    roles = [turn.get("role") for turn in messages]
    users = [turn for turn in messages if turn.get("role") == "user"]
    if not users:
        raise Failure(
            message(
                "rows.no_user_turn",
                "row {index} has no user turn (roles: {roles}). The question and the image "
                "placeholder go in a `{{'role': 'user', ...}}` turn.",
            ),
            index=index,
            roles=roles,
        )
    check_image_parts(messages, row["images"], index)
    question = " ".join(text for text in _texts(users[-1]) if text.strip()).strip()
    if not question:
        raise Failure(
            message(
                "rows.no_question",
                "row {index}: the user turn has no question text. Add `{{'type': 'text', "
                "'text': question}}` after the image placeholder.",
            ),
            index=index,
        )
    if "assistant" not in roles:
        raise Failure(
            message(
                "rows.missing_answer",
                "row {index} has no assistant turn, so the model never sees the answer: with "
                "the loss on the answer only there is nothing to learn, and without masking it "
                "is trained on the prompt alone (the bug of the first smol-course VLM "
                "notebook). End each conversation with `{{'role': 'assistant', 'content': "
                "[{{'type': 'text', 'text': answer}}]}}`.",
            ),
            index=index,
        )
    if roles[-1] != "assistant":
        raise Failure(
            message(
                "rows.answer_not_last",
                "row {index} does not end with the assistant's answer (roles: {roles}). The "
                "answer is the target: it comes last.",
            ),
            index=index,
            roles=roles,
        )
    answer = " ".join(_texts(messages[-1])).strip()
    if not answer:
        raise Failure(
            message(
                "rows.empty_answer",
                "row {index}: the assistant turn has no text. It should hold the answer from the dataset.",
            ),
            index=index,
        )
    return question, answer


def check_eval_result(value, name: str):
    if not all(hasattr(value, attribute) for attribute in ("exact", "n", "predictions", "targets")):
        raise wrong_type(
            name, value, message("type.eval_result", "the `EvalResult` that `evaluate(...)` returns")
        )
    return value


def check_improvement(before, after, names: tuple[str, str], no_improvement: Message) -> None:
    """`after` evaluates another model on the same questions, and is better than `before` and than
    the majority baseline (always giving the most frequent answer) by more than chance would give."""
    check_eval_result(before, names[0])
    check_eval_result(after, names[1])
    if before.n != after.n or list(before.targets) != list(after.targets):
        raise Failure(ROWS_DIFFERENT_QUESTIONS, before=names[0], after=names[1])
    if before is after or list(before.predictions) == list(after.predictions):
        raise Failure(ROWS_SAME_MODEL, before=names[0], after=names[1])
    change = compare(before, after)
    if not change.significant:
        raise Failure(
            no_improvement,
            before=f"{before.exact:.0%}",
            after=f"{after.exact:.0%}",
            n=after.n,
            gain=f"{change.gain:+.0%}",
            low=f"{change.low:+.0%}",
            high=f"{change.high:+.0%}",
            p=f"{change.p_value:.2g}",
            alpha=SIGNIFICANCE,
        )
    check_above_baseline(after)


BELOW_BASELINE = message(
    "rows.below_baseline",
    "{after} of the held-out answers are right, but always answering {answer!r} "
    "scores {baseline}: the model may have learnt which answer is most frequent, "
    "not the task (a score this far above the baseline comes by chance with p = "
    "{p}; it should be below {alpha}). Train longer (more steps), check the "
    "learning rate, or evaluate on more questions.",
)


def check_above_baseline(after) -> None:
    """`after` beats always giving the most frequent answer by more than chance would give."""
    answer, baseline = majority_baseline(after.targets)
    p_value = above_baseline(after)
    if p_value >= SIGNIFICANCE:
        raise Failure(
            BELOW_BASELINE,
            after=f"{after.exact:.0%}",
            baseline=f"{baseline:.0%}",
            answer=answer,
            p=f"{p_value:.2g}",
            alpha=SIGNIFICANCE,
        )


def _losses(trainer, name: str) -> list[float]:
    state = getattr(trainer, "state", None)
    history = getattr(state, "log_history", None)
    if history is None:
        raise wrong_type(name, trainer, TYPE_TRAINER)
    return [loss for _, loss in logged(history, "loss")]


# ----------------------------------------------------------------------------- 🐢 sft_charts


def trl_answer_masks(processor, rows: list[dict]) -> dict:
    """The batch trl itself builds for `rows` with `assistant_only_loss=True`: the reference labels.

    trl swaps SmolVLM's chat template for its training variant (`{% generation %}` markers) and
    keeps exactly the tokens the assistant wrote; the 🐢 check grades the learner's labels against it.
    """
    from trl.chat_template_utils import get_training_chat_template
    from trl.trainer.sft_trainer import DataCollatorForVisionLanguageModeling

    collator = DataCollatorForVisionLanguageModeling(
        processor=processor,
        max_length=None,
        assistant_only_loss=True,
        chat_template=get_training_chat_template(processor),
    )
    return collator([dict(row) for row in rows])


def reference_batch(processor, rows: list[dict]) -> dict | None:
    """`trl_answer_masks` of `rows`, or None for a chat template trl does not know."""
    try:
        return trl_answer_masks(processor, rows)
    except Exception:
        return None


def _label_problems(batch, processor, answers: list[str], reference: dict | None) -> tuple[str, dict] | None:
    """What is wrong with a collated batch's labels (code, fields), or None when only answers count.

    Row by row, the kept tokens are compared with trl's own answer mask for the same rows
    (`reference`, from `reference_batch`); where there is none or the learner's collator tokenised
    differently, the prompt ends where `answer_spans` finds the first answer.
    """
    input_ids, labels = batch.get("input_ids"), batch.get("labels")
    if labels is None:
        return message(
            "sft_charts.no_labels",
            "the trainer's collator makes batches without `labels`, so there is no target. "
            "Leave `data_collator` out of `SFTTrainer(...)`: trl's own collator writes the "
            "labels (with `assistant_only_loss=True`, on the answer only).",
        ), {}
    tokenizer = processor.tokenizer
    image_id = tokenizer.convert_tokens_to_ids("<image>")
    for row, (ids, row_labels) in enumerate(zip(input_ids.tolist(), labels.tolist())):
        kept = [(token, label) for token, label in zip(ids, row_labels) if label != IGNORE_INDEX]
        kept_images = sum(1 for token, _ in kept if token == image_id)
        if kept_images:
            return message(
                "sft_charts.images_in_loss",
                "{count} image tokens of batch row {row} have labels: the model is trained to "
                "predict `<image>` placeholders. Keep the loss on the answer only: "
                "`SFTConfig(assistant_only_loss=True, ...)` (trl's default collator masks only "
                "the padding).",
            ), {"count": kept_images, "row": row}
        answer_mask = None
        if reference is not None:
            ref_ids, ref_labels = reference["input_ids"][row].tolist(), reference["labels"][row].tolist()
            real = [index for index, token in enumerate(ids) if token != tokenizer.pad_token_id]
            ref_real = [index for index, token in enumerate(ref_ids) if token != tokenizer.pad_token_id]
            if [ids[i] for i in real] == [ref_ids[i] for i in ref_real]:
                answer_mask = {
                    mine for mine, theirs in zip(real, ref_real) if ref_labels[theirs] != IGNORE_INDEX
                }
        if answer_mask is not None:
            outside = sum(
                1
                for index, label in enumerate(row_labels)
                if label != IGNORE_INDEX and index not in answer_mask
            )
        else:
            spans = answer_spans(ids, tokenizer)
            prompt_end = spans[0][0] if spans else len(ids)
            outside = sum(1 for label in row_labels[:prompt_end] if label != IGNORE_INDEX)
        if outside:
            return message(
                "sft_charts.prompt_in_loss",
                "{count} prompt tokens (user text before `Assistant:`) of batch row {row} have "
                "labels: the loss also teaches the model to write questions. Keep labels only "
                "on the answer: `SFTConfig(assistant_only_loss=True, ...)`.",
            ), {"count": outside, "row": row}
        if not kept:
            return message(
                "sft_charts.nothing_learned_from",
                "every label of batch row {row} is -100: no token counts in the loss, so "
                "training learns nothing. The answer tokens must keep their ids as labels.",
            ), {"row": row}
        decoded = tokenizer.decode([label for _, label in kept], skip_special_tokens=True).strip()
        if normalise_answer(answers[row]) not in normalise_answer(decoded):
            return message(
                "sft_charts.answer_not_in_loss",
                "the labels of batch row {row} keep {kept!r}, not the answer {answer!r}. The "
                "loss should cover the assistant's answer.",
            ), {"row": row, "kept": decoded, "answer": answers[row]}
    return None


def native_bf16() -> tuple[bool, str]:
    """(whether the training device computes bfloat16 natively, its name): an Ampere or newer GPU
    (a T4 has none: torch only emulates it), or a CPU with AVX512-BF16 (trl's SFTConfig turns bf16 on
    by default, and there it works)."""
    import torch

    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported(including_emulation=False), torch.cuda.get_device_name(0)
    return torch.cpu._is_avx512_bf16_supported(), "CPU"


def check_training_arguments(args, reference: dict | None) -> None:
    """The trainer's arguments: a number format the hardware has, and no truncation into image tokens
    (rows measured in `reference`, trl's untruncated batch of them, where trl knows the template)."""
    if getattr(args, "bf16", False):
        native, device = native_bf16()
        if not native:
            raise Failure(
                message(
                    "sft_charts.bf16_unsupported",
                    "the training arguments ask for `bf16=True`, but this machine ({device}) has "
                    "no native bfloat16 (it needs an Ampere or newer GPU; a T4 has none). Use "
                    "`fp16=True` on a T4 and neither on a CPU: `**precision` picks the right one.",
                ),
                device=device,
            )
    max_length = getattr(args, "max_length", None)
    if max_length is not None and reference is not None:
        longest = int(reference["attention_mask"].sum(dim=1).max())
        if longest > max_length:
            raise Failure(
                message(
                    "sft_charts.truncates_images",
                    "the training arguments truncate rows to `max_length={max_length}` tokens, but "
                    "a row is {longest} tokens long (its pictures included): trl would cut into "
                    'the image tokens ("Image features and image tokens do not match"). Set '
                    "`max_length=None` in the `SFTConfig`.",
                ),
                max_length=max_length,
                longest=longest,
            )


def accuracy_by_chart_kind(result) -> dict[str, float]:
    """Exact match per kind of chart question ({} when the questions are not the lesson's)."""
    try:
        return result.accuracy_by(chart_question_kind)
    except (AttributeError, ValueError):
        return {}


class SftCharts(Exercise):
    """Chart rows formatted with the answer, LoRA fine-tuning, and accuracy before/after."""

    name, tier = "sft_charts", "🐢"
    value_names = ("train_rows", "sft_trainer", "before", "after")
    passed = message(
        "sft_charts.passed",
        "rows with the answer as the assistant turn, a collator that keeps only the "
        "answer in the loss, {steps} logged losses ({first:.2f} → {last:.2f}), and held-out "
        "exact match {before:.0%} → {after:.0%}, well above the {baseline:.0%} of always giving "
        "the most frequent answer.",
    )
    hints = (
        verbatim(
            "sft_charts.hint.1",
            "Four steps: `format_dataset(charts['train'])` (rows with the answer as the "
            "assistant turn; the same for `charts['val']`), `evaluate(model, processor, "
            "charts['test'])` before training, an `SFTTrainer(model=fresh_model(), "
            "args=SFTConfig(...), train_dataset=train_rows, eval_dataset=val_rows, "
            "processing_class=processor, peft_config=LoraConfig(...))` trained with "
            "`.train()`, then `evaluate` the trainer's model. In the `SFTConfig`: "
            "`assistant_only_loss=True`, `max_length=None`, `**precision`.",
        ),
        verbatim(
            "sft_charts.hint.2",
            "`train_rows = format_dataset(charts['train'])`; `val_rows = "
            "format_dataset(charts['val'])`\n"
            "`before = evaluate(model, processor, charts['test'])`\n"
            "`sft_config = SFTConfig(output_dir=str(WORK_DIR / 'sft'), max_steps=STEPS, "
            "per_device_train_batch_size=BATCH_SIZE, learning_rate=LEARNING_RATE, "
            "lr_scheduler_type='cosine', warmup_steps=STEPS // 10, eval_strategy='steps', "
            "eval_steps=max(1, STEPS // 8), assistant_only_loss=True, max_length=None, "
            "activation_checkpointing=device == 'cuda', save_strategy='no', "
            "report_to='none', seed=SEED, **precision)`\n"
            "`sft_trainer = SFTTrainer(model=fresh_model(), args=sft_config, "
            "train_dataset=train_rows, eval_dataset=val_rows, processing_class=processor, "
            "peft_config=lora_config)`; `sft_trainer.train()`\n"
            "`after = evaluate(sft_trainer.model, processor, charts['test'])`",
        ),
    )
    no_improvement = message(
        "sft_charts.no_improvement",
        "held-out exact match went {before} → {after} on {n} questions, a gain of "
        "{gain} (95% interval {low} to {high}): chance alone gives a gain like this "
        "with p = {p}, and it should be below {alpha}. Too few steps (`STEPS`), a "
        "learning rate far from the recipe's, `after` measured on the base model — or "
        "too few held-out questions (`N_TEST`) to tell?",
    )

    def verify(self, train_rows, sft_trainer, before, after) -> dict:
        base_is_untouched(self.lesson)
        _, processor = self.lesson.require_model()
        rows = as_rows(train_rows, "train_rows", ROWS_TO_CHECK)
        answers = [check_conversation_row(row, index)[1] for index, row in enumerate(rows)]
        losses = _losses(sft_trainer, "sft_trainer")
        reference = reference_batch(processor, rows[:2])  # trl's own labels and lengths for two rows
        args = getattr(sft_trainer, "args", None)
        if args is not None:
            check_training_arguments(args, reference)
        if not losses:
            raise Failure(
                message(
                    "sft_charts.not_trained",
                    "`sft_trainer` has logged no training loss. Did the training run? Build the "
                    "`SFTTrainer`, then call `sft_trainer.train()`.",
                )
            )
        collator = getattr(sft_trainer, "data_collator", None)
        if not callable(collator):
            raise wrong_type("sft_trainer", sft_trainer, TYPE_TRAINER)
        try:
            batch = collator([dict(row) for row in rows[:2]])
        except Exception as error:
            raise failure_for(
                error,
                message(
                    "sft_charts.collator_failed",
                    "the trainer's collator could not batch two of your rows (`{error_type}`: {error}).",
                ),
            ) from None
        problem = _label_problems(batch, processor, answers[:2], reference)
        if problem:
            raise Failure(problem[0], **problem[1])
        check_improvement(before, after, ("before", "after"), self.no_improvement)
        return {
            "kinds": accuracy_by_chart_kind(after),
            "before": before.exact,
            "after": after.exact,
            "baseline": majority_baseline(after.targets)[1],
            "steps": len(losses),
            "first": losses[0],
            "last": losses[-1],
        }


# ----------------------------------------------------------------------------- 🐕 new_columns


SHAPE_COLUMNS = {"image": "picture", "question": "question", "answer": "answer"}


def fresh_shape_rows(count: int = NEW_COLUMNS_ROWS, seed: int = NEW_COLUMNS_SEED) -> list[dict]:
    """Rows of the shape-position schema (`picture`, `question`, `answer`) the learner has not seen."""
    dataset = make_shape_positions(count, seed=seed)
    return [dataset[index] for index in range(count)]


def _column_holding(rows: list[dict], values: list, same) -> str | None:
    """The column whose values, row by row, are `values` (as `same` compares them)."""
    for column in rows[0]:
        if all(same(row.get(column), value) for row, value in zip(rows, values)):
            return column
    return None


def source_columns(source, evaluated) -> tuple[list[dict], dict[str, str]] | None:
    """Rows of a learner's dataset from the Hub and which columns hold its picture, question and
    answer, read off the evaluation the learner ran on it (`evaluated`: its questions and targets).
    None when `source` is absent or the offline shape-position dataset (fresh rows are checked then)."""
    if source is None:
        return None
    rows = as_rows(source, "source", NEW_COLUMNS_ROWS)
    if set(SHAPE_COLUMNS.values()) <= set(rows[0]):
        return None
    image = next((column for column, value in rows[0].items() if isinstance(value, Image.Image)), None)
    question = _column_holding(rows, list(getattr(evaluated, "questions", [])), lambda a, b: a == b)
    answer = _column_holding(
        rows, list(getattr(evaluated, "targets", [])), lambda a, b: exact_match(str(a), b)
    )
    if not (image and question and answer):
        raise Failure(
            message(
                "new_columns.unknown_columns",
                "the check could not tell which columns of `source` (columns: {columns}) hold "
                "the picture, the question and the answer your evaluation used. Pass the "
                "held-out dataset you evaluated on (`source=shapes_test`), and evaluate with "
                "its column names (`image_key=`, `question_key=`, `answer_key=`).",
            ),
            columns=", ".join(rows[0]),
        )
    return rows, {"image": image, "question": question, "answer": answer}


class NewColumns(Exercise):
    """`format_row(row)` for a dataset with other column names, and accuracy before/after."""

    name, tier = "new_columns", "🐕"
    value_names = ("format_row", "shape_before", "shape_after")
    passed = message(
        "new_columns.passed",
        "`format_row` turned {count} fresh rows into image placeholder + question → "
        "answer conversations with their pictures, and held-out exact match went "
        "{before:.0%} → {after:.0%}, well above the {baseline:.0%} of always naming the most "
        "frequent corner.",
    )
    hints = (
        verbatim(
            "new_columns.hint.1",
            "Read the columns first (`shapes_train.features`): offline the picture is in "
            "`row['picture']` (in VQA-RAD: `row['image']`; `picture_column` holds the "
            "column's name either way), the question in `row['question']`, the answer in "
            "`row['answer']`. Return the same structure as `format_vqa_row`: a user turn "
            "with `{'type': 'image'}` and the question, an assistant turn with the answer, "
            "and `images=[picture]`.",
        ),
        verbatim(
            "new_columns.hint.2",
            "`return {'messages': [{'role': 'user', 'content': [{'type': 'image'}, "
            "{'type': 'text', 'text': row['question']}]}, {'role': 'assistant', 'content': "
            "[{'type': 'text', 'text': row['answer']}]}], 'images': "
            "[row[picture_column]]}`; then train an `SFTTrainer` (as in 🐢, "
            "`max_steps=SHAPE_STEPS`) on a fresh model with "
            "`train_dataset=Dataset.from_list([format_row(row) for row in shapes_train])` "
            "and `evaluate(..., image_key=picture_column, question_key='question', "
            "answer_key='answer')` before and after.",
        ),
    )
    no_improvement = message(
        "new_columns.no_improvement",
        "held-out exact match went {before} → {after} on {n} questions, a gain of "
        "{gain} (95% interval {low} to {high}): chance alone gives a gain like this "
        "with p = {p}, and it should be below {alpha}. Did you train a fresh model on "
        "the formatted rows for `SHAPE_STEPS`, and evaluate the trained model with the "
        "dataset's column names (`image_key=`, `question_key=`, `answer_key=`)?",
    )

    def verify(self, format_row, shape_before, shape_after, source=None) -> dict:
        self.require_callable(
            format_row,
            "format_row",
            message(
                "type.format_row",
                "a function `format_row(row)` returning `{{'messages': [...], 'images': [...]}}`",
            ),
        )
        check_eval_result(shape_after, "shape_after")
        found = source_columns(source, shape_after)
        rows, columns = found if found else (fresh_shape_rows(), SHAPE_COLUMNS)
        for index, row in enumerate(rows):
            self._check_row(format_row, row, index, columns)
        check_improvement(shape_before, shape_after, ("shape_before", "shape_after"), self.no_improvement)
        fields = {
            "before": shape_before.exact,
            "after": shape_after.exact,
            "baseline": majority_baseline(shape_after.targets)[1],
        }
        return {"count": len(rows), **fields}

    def _check_row(self, format_row, row: dict, index: int, columns: dict[str, str]) -> None:
        try:
            formatted = format_row(dict(row))
        except KeyError as error:
            column = error.args[0] if error.args else "?"
            if column not in row:
                renames = {
                    **COLUMN_RENAMES,
                    **{name: columns["image"] for name in ("image", "images", "img", "picture")},
                }
                renames.update(
                    {"query": columns["question"], "label": columns["answer"], "labels": columns["answer"]}
                )
                raise Failure(
                    message(
                        "new_columns.wrong_column",
                        "`format_row` asked the row for column {column!r}, but this dataset's columns "
                        "are {columns}: here it is called {suggestion!r}. A new dataset means new "
                        "column names.",
                    ),
                    column=column,
                    columns=", ".join(row),
                    suggestion=renames.get(column, " / ".join(columns.values())),
                ) from None
            raise failure_for(error) from None
        except Exception as error:
            raise failure_for(error) from None
        if not isinstance(formatted, dict):
            raise wrong_type(
                "format_row(row)",
                formatted,
                message("type.formatted_row", "a dict `{{'messages': [...], 'images': [...]}}`"),
            )
        question_text, answer_text = row[columns["question"]], normalise_answer(row[columns["answer"]])
        messages = formatted.get("messages")
        if "assistant" not in [turn.get("role") for turn in messages or [] if isinstance(turn, dict)]:
            users = [turn for turn in messages or [] if isinstance(turn, dict) and turn.get("role") == "user"]
            said = [normalise_answer(" ".join(_texts(turn))) for turn in users]
            if any(answer_text in text for text in said):
                raise Failure(
                    message(
                        "new_columns.answer_in_user_turn",
                        "the answer {answer!r} is in the user turn and there is no assistant turn: the "
                        "model would read the answer instead of learning to say it. Put the answer in "
                        "its own `{{'role': 'assistant', ...}}` turn at the end.",
                    ),
                    answer=row[columns["answer"]],
                )
        question, answer = check_conversation_row(formatted, index)
        if str(question_text).strip() not in question:
            raise Failure(
                message(
                    "new_columns.question_missing",
                    "the user turn should hold the row's question {question!r}; it holds {got!r}.",
                ),
                question=question_text,
                got=question,
            )
        if normalise_answer(answer) != answer_text:
            raise Failure(
                message(
                    "new_columns.wrong_answer",
                    "the assistant turn says {got!r}, but the row's answer is {expected!r}.",
                ),
                got=answer,
                expected=row[columns["answer"]],
            )
        images = formatted["images"]
        if len(images) != 1 or not same_pixels(images[0], row[columns["image"]]):
            raise Failure(
                message(
                    "new_columns.wrong_picture",
                    "`images` should hold exactly the row's `picture` (it holds {count} "
                    "picture(s), not that one).",
                ),
                count=len(images),
            )


# ----------------------------------------------------------------------------- 🦁 dpo


def picture_key(image) -> str:
    """A digest of a picture's pixels, to find a preference row's source question."""
    picture = image.convert("RGB")
    return hashlib.sha1(picture.tobytes() + repr(picture.size).encode()).hexdigest()


def preference_answer_text(value) -> str | None:
    """The text of a chosen/rejected answer: a string, or a conversation ending with the assistant."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and value and isinstance(value[-1], dict):
        if value[-1].get("role") == "assistant":
            return " ".join(_texts(value[-1])).strip()
    return None


STAGE_WORDS = {"before": ("before", "base"), "SFT": ("sft", "lora", "after"), "DPO": ("dpo",)}


def stage_words(stage: str) -> tuple[str, ...]:
    """What a comparison key naming `stage` contains: English words, or for "before" the lesson's own
    label in the learner's language (`tr("before")`, as the lesson's tables print it)."""
    return STAGE_WORDS[stage] + ((tr("before").lower(),) if stage == "before" else ())


def stage_name(names: list[str], stage: str) -> str:
    """The comparison key naming `stage` ("before", "SFT" or "DPO"), e.g. "SFT (lora)"."""
    return next(name for name in names if any(word in str(name).lower() for word in stage_words(stage)))


class Dpo(Exercise):
    """DPO pairs from the model's own mistakes, reward accuracy, and a before / SFT / DPO comparison."""

    name, tier = "dpo", "🦁"
    value_names = ("preference_rows", "dpo_trainer", "comparison")
    passed = message(
        "dpo.passed",
        "{count} preference pairs: chosen = the right answer, rejected = the base "
        "model's own answer (asked again, the base model got {mistakes} of the first "
        "{asked} questions wrong, and its answer is the rejected one); reward accuracy "
        "{reward:.0%} on the training pairs (a training-batch figure: it reaches 100% as "
        "soon as the model tells the two answers apart, so the held-out comparison is "
        "what counts); and the comparison {table}.",
    )
    hints = (
        verbatim(
            "dpo.hint.1",
            "`make_preference_rows(model, processor, dpo_charts)` asks the base model "
            "every question and returns (rows, share of mistakes): chosen = the label, "
            "rejected = the model's own wrong answer (or a plausible wrong one where it "
            "was right). Train a fresh model with `DPOTrainer(model=fresh_model(), "
            "args=DPOConfig(...), train_dataset=Dataset.from_list(preference_rows), "
            "processing_class=processor, peft_config=LoraConfig(...))` and `.train()`, "
            "read `reward_accuracy(...)` from its `state.log_history`, and evaluate it on "
            "`charts['test']`.",
        ),
        verbatim(
            "dpo.hint.2",
            "`preference_rows, mistake_share = make_preference_rows(model, processor, "
            "dpo_charts)`\n"
            "`dpo_config = DPOConfig(output_dir=str(WORK_DIR / 'dpo'), "
            "max_steps=DPO_STEPS, per_device_train_batch_size=8, "
            "learning_rate=dpo_recipe.dpo_learning_rate, beta=0.1, loss_type=['sigmoid', "
            "'sft'], loss_weights=[1.0, DPO_SFT_WEIGHT], max_length=None, "
            "activation_checkpointing=device == 'cuda', save_strategy='no', "
            "report_to='none', seed=SEED, **precision)`\n"
            "`dpo_trainer = DPOTrainer(model=fresh_model(), args=dpo_config, "
            "train_dataset=Dataset.from_list(preference_rows), processing_class=processor, "
            "peft_config=LoraConfig(r=16, lora_alpha=32, "
            "target_modules=lora_config.target_modules, task_type='CAUSAL_LM'))`; "
            "`dpo_trainer.train()`\n"
            "`dpo_after = evaluate(dpo_trainer.model, processor, charts['test'])`\n"
            "`comparison = {'before': before, 'SFT': after, 'DPO': dpo_after}`",
        ),
    )
    no_improvement = message(
        "dpo.no_improvement",
        "held-out exact match went {before} → {after} with DPO on {n} questions, a "
        "gain of {gain} (95% interval {low} to {high}): chance alone gives a gain like "
        "this with p = {p}, and it should be below {alpha}. Enough `DPO_STEPS`? The "
        "SFT term on (`loss_type=['sigmoid', 'sft']`, `loss_weights=[1.0, "
        "DPO_SFT_WEIGHT]` in the `DPOConfig`; plain DPO mostly pushes the rejected "
        "answers down)? Chosen = the right answer and rejected = the mistake, not the "
        'other way round? And `comparison["DPO"]` measured on the trained model '
        "(`dpo_trainer.model`)?",
    )

    def verify(self, preference_rows, dpo_trainer, comparison, source=None) -> dict:
        base_is_untouched(self.lesson)
        rows = as_rows(preference_rows, "preference_rows")
        truth = self._truth(source)
        pairs = [self._check_pair(row, index, truth) for index, row in enumerate(rows)]
        mistakes = self._check_mistakes(pairs[:DPO_ROWS_ASKED])
        accuracy = self._reward_accuracy(dpo_trainer)
        names = self._check_comparison(comparison)
        before, sft, dpo = (comparison[stage_name(names, stage)] for stage in ("before", "SFT", "DPO"))
        labels = tuple(f"comparison[{stage_name(names, stage)!r}]" for stage in ("before", "DPO"))
        check_improvement(before, dpo, labels, self.no_improvement)
        return {
            "count": len(rows),
            "mistakes": mistakes,
            "asked": min(len(rows), DPO_ROWS_ASKED),
            "reward": accuracy,
            "table": " · ".join(f"{name} {comparison[name].exact:.0%}" for name in names),
            "before": before.exact,
            "sft": sft.exact,
            "dpo": dpo.exact,
        }

    @staticmethod
    def _truth(source) -> dict | None:
        if source is None:
            return None
        rows = as_rows(source, "source")
        return {
            (picture_key(row["image"]), row["query"].strip()): normalise_answer(row["label"]) for row in rows
        }

    @staticmethod
    def _check_pair(row: dict, index: int, truth: dict | None) -> tuple:
        missing = [key for key in ("prompt", "chosen", "rejected", "images") if key not in row]
        if missing:
            raise Failure(
                message(
                    "dpo.keys",
                    "preference row {index} has the keys {keys}; it is missing {missing}. trl's "
                    "DPO rows are `{{'images', 'prompt', 'chosen', 'rejected'}}`.",
                ),
                index=index,
                keys=sorted(row),
                missing=missing,
            )
        prompt = row["prompt"]
        if isinstance(prompt, str) or not isinstance(prompt, (list, tuple)):
            raise Failure(
                message(
                    "dpo.prompt_not_turns",
                    "preference row {index}: `prompt` is a `{got}`; for a vision model it is a "
                    "list of turns whose user turn holds a `{{'type': 'image'}}` placeholder and "
                    "the question.",
                ),
                index=index,
                got=type_name(prompt),
            )
        if any(isinstance(turn, dict) and turn.get("role") == "assistant" for turn in prompt[-1:]):
            raise Failure(
                message(
                    "dpo.answer_in_prompt",
                    "preference row {index}: the prompt ends with an assistant turn. The answers "
                    "belong in `chosen` and `rejected`, the prompt stops at the user's question.",
                ),
                index=index,
            )
        check_image_parts(prompt, row["images"], index)
        question = " ".join(text for turn in prompt for text in _texts(turn) if text.strip()).strip()
        chosen, rejected = preference_answer_text(row["chosen"]), preference_answer_text(row["rejected"])
        if chosen is None or rejected is None:
            raise Failure(
                message(
                    "dpo.answers_not_turns",
                    "preference row {index}: `chosen` and `rejected` should each be an assistant "
                    "turn, `[{{'role': 'assistant', 'content': [{{'type': 'text', 'text': "
                    "...}}]}}]` (or a string).",
                ),
                index=index,
            )
        if normalise_answer(chosen) == normalise_answer(rejected):
            raise Failure(
                message(
                    "dpo.rejected_equals_chosen",
                    "preference row {index}: chosen and rejected are the same answer ({answer!r}), "
                    "so the pair teaches nothing. Where the model was right, reject a plausible "
                    "wrong answer.",
                ),
                index=index,
                answer=chosen,
            )
        if truth is not None:
            expected = truth.get((picture_key(row["images"][0]), question))
            if expected is None:
                raise Failure(
                    message(
                        "dpo.unknown_row",
                        "preference row {index} (question {question!r}) is not one of the `dpo_charts` "
                        "questions. Build the pairs from `dpo_charts`.",
                    ),
                    index=index,
                    question=question,
                )
            if normalise_answer(chosen) != expected:
                raise Failure(
                    message(
                        "dpo.chosen_not_answer",
                        "preference row {index}: chosen is {chosen!r} but the right answer is "
                        "{expected!r}. Chosen is the answer you want (the label), rejected the one you "
                        "do not: swapped?",
                    ),
                    index=index,
                    chosen=chosen,
                    expected=expected,
                )
        return row["images"][0], question, chosen, rejected

    def _check_mistakes(self, pairs: list[tuple]) -> int:
        """Where the base model answers wrongly, the rejected answer must be what it said."""
        model, processor = self.lesson.require_model()
        predictions = ask_batch(
            model,
            processor,
            [(image, question) for image, question, _, _ in pairs],
            max_new_tokens=8,
            progress=False,
        )
        mistakes, agree, first_miss = 0, 0, None
        for index, ((_, _, chosen, rejected), said) in enumerate(zip(pairs, predictions)):
            if not said or exact_match(said, chosen):
                continue
            mistakes += 1
            if exact_match(said, rejected):
                agree += 1
            elif first_miss is None:
                first_miss = (index, said, rejected)
        if mistakes and agree < DPO_AGREEMENT * mistakes:
            index, said, rejected = first_miss
            raise Failure(
                message(
                    "dpo.rejected_not_mistakes",
                    "the rejected answers are not the model's own mistakes: on row {index} the "
                    "model says {said!r} (wrong) but rejected is {rejected!r} ({agree} of "
                    "{mistakes} mistakes match). Ask the base `model` and reject what it really "
                    "says where it is wrong: `make_preference_rows` does that.",
                ),
                index=index,
                said=said,
                rejected=rejected,
                agree=agree,
                mistakes=mistakes,
            )
        return mistakes

    @staticmethod
    def _reward_accuracy(trainer) -> float:
        state = getattr(trainer, "state", None)
        history = getattr(state, "log_history", None)
        if history is None:
            raise wrong_type(
                "dpo_trainer",
                trainer,
                message("type.dpo_trainer", "a trained trl `DPOTrainer` (call `.train()` on it first)"),
            )
        try:
            accuracy = reward_accuracy(history)
        except ValueError:
            raise Failure(
                message(
                    "dpo.not_trained",
                    "`dpo_trainer` has logged no `rewards/accuracies`: did DPO training run? Build "
                    "the `DPOTrainer`, then call `dpo_trainer.train()`.",
                )
            ) from None
        if accuracy <= 0.5:
            raise Failure(
                message(
                    "dpo.low_reward_accuracy",
                    "reward accuracy is {accuracy}: the trained model does not yet prefer the "
                    "chosen answers over the rejected ones more often than a coin. More "
                    "`DPO_STEPS`, or check that chosen and rejected are not swapped.",
                ),
                accuracy=f"{accuracy:.0%}",
            )
        return accuracy

    @staticmethod
    def _check_comparison(comparison) -> list[str]:
        if not isinstance(comparison, dict):
            raise wrong_type(
                "comparison",
                comparison,
                message(
                    "type.comparison",
                    "a dict of `EvalResult`s such as `{{'before': ..., 'SFT': ..., 'DPO': ...}}`",
                ),
            )
        for name, result in comparison.items():
            check_eval_result(result, f"comparison[{name!r}]")
        names = list(comparison)
        lowered = [str(name).lower() for name in names]
        absent = [
            label for label in STAGE_WORDS if not any(w in n for n in lowered for w in stage_words(label))
        ]
        if len(names) < 3 or absent:
            raise Failure(
                message(
                    "dpo.comparison_incomplete",
                    "`comparison` has {names}; it needs the base model, SFT and DPO on the same "
                    "questions (missing: {missing}), e.g. `{{'before': before, 'SFT': after, "
                    "'DPO': dpo_after}}`.",
                ),
                names=names,
                missing=", ".join(absent) or "?",
            )
        first = comparison[names[0]]
        for name in names[1:]:
            result = comparison[name]
            if result.n != first.n or list(result.targets) != list(first.targets):
                raise Failure(ROWS_DIFFERENT_QUESTIONS, before=names[0], after=name)
        dpo, before = stage_name(names, "DPO"), stage_name(names, "before")
        if list(comparison[dpo].predictions) == list(comparison[before].predictions):
            raise Failure(ROWS_SAME_MODEL, before=before, after=dpo)
        return names


sft_charts = SftCharts(LESSON)
new_columns = NewColumns(LESSON)
dpo = Dpo(LESSON)
