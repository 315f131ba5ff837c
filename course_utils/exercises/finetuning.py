"""Exercises of lesson 2 (fine-tuning): 🐢 SFT on chart questions, 🐕 a dataset with other columns,
🦁 DPO built from the model's own mistakes.

In the notebook: `from course_utils.exercises import finetuning as ex`, `ex.setup(model, processor)`
(the untouched base model), then `ex.turtle.check(train_rows, sft_trainer, before, after)`,
`ex.dog.check(format_row, shape_before, shape_after)` and
`ex.lion.check(preference_rows, dpo_trainer, comparison, source=dpo_charts)`.
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
from course_utils.exercises.core import Exercise, Failure, Lesson, failure_for, type_name, wrong_type
from course_utils.generation import ask_batch
from course_utils.images import same_pixels
from course_utils.synthetic_data import chart_question_kind, make_shape_positions
from course_utils.training import IGNORE_INDEX, answer_spans, reward_accuracy

LESSON = Lesson("02_vlm_finetuning", catalogue_prefix="finetuning.")
setup = LESSON.setup

ROWS_TO_CHECK = 8  # formatted rows looked at by the structure checks
# "The model learned the task" holds for any model, tiny or real, at any test-set size: a gain over
# the base model on the same held-out questions that chance would rarely give (exact McNemar test),
# and a result that chance would rarely give to a model always answering the most frequent answer
# (the majority baseline), both at `evaluation.SIGNIFICANCE`. A real SmolVLM has seen ChartQA and
# starts far above zero; the tiny model's own figures keep their floors in the tests and benchmarks.
DOG_SEED = 7070  # fresh rows for the learner's `format_row`, unlike the lesson's own
DOG_ROWS = 6
LION_ROWS_ASKED = 48  # preference rows whose rejected answer is compared with the model's own
LION_AGREEMENT = 0.9  # share of the model's mistakes that must be the rejected answers
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
        raise Failure("lesson.base_modified")


def as_rows(value, name: str, limit: int | None = None) -> list[dict]:
    """The first `limit` rows of a `datasets.Dataset` or a list of dicts, as plain dicts."""
    if isinstance(value, datasets.Dataset):
        count = len(value) if limit is None else min(limit, len(value))
        rows = [value[index] for index in range(count)]
    elif isinstance(value, (list, tuple)):
        rows = list(value if limit is None else value[:limit])
    else:
        raise wrong_type(name, value, "type.rows")
    if not rows:
        raise Failure("rows.empty", name=name)
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise wrong_type(f"{name}[{index}]", row, "type.rows")
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
        raise Failure("rows.image_in_message", index=index)
    if not isinstance(images, (list, tuple)):
        raise Failure("rows.images_not_list", index=index, got=type_name(images))
    if not placeholders:
        raise Failure("rows.no_placeholder", index=index)
    if len(placeholders) != len(images):
        raise Failure("rows.image_count", index=index, placeholders=len(placeholders), images=len(images))
    for image in images:
        if not _is_picture(image):
            raise Failure("rows.not_a_picture", index=index, got=type_name(image))


def check_conversation_row(row: dict, index: int) -> tuple[str, str]:
    """A training row `{"messages", "images"}`: returns (question, answer) or raises a Failure."""
    missing = [key for key in ("messages", "images") if key not in row]
    if missing:
        raise Failure("rows.keys", index=index, keys=sorted(row), missing=missing)
    messages = row["messages"]
    if not isinstance(messages, (list, tuple)) or not all(isinstance(turn, dict) for turn in messages):
        raise Failure("rows.messages_not_turns", index=index, got=type_name(messages))
    roles = [turn.get("role") for turn in messages]
    users = [turn for turn in messages if turn.get("role") == "user"]
    if not users:
        raise Failure("rows.no_user_turn", index=index, roles=roles)
    check_image_parts(messages, row["images"], index)
    question = " ".join(text for text in _texts(users[-1]) if text.strip()).strip()
    if not question:
        raise Failure("rows.no_question", index=index)
    if "assistant" not in roles:
        raise Failure("rows.missing_answer", index=index)
    if roles[-1] != "assistant":
        raise Failure("rows.answer_not_last", index=index, roles=roles)
    answer = " ".join(_texts(messages[-1])).strip()
    if not answer:
        raise Failure("rows.empty_answer", index=index)
    return question, answer


def check_eval_result(value, name: str):
    if not all(hasattr(value, attribute) for attribute in ("exact", "n", "predictions", "targets")):
        raise wrong_type(name, value, "type.eval_result")
    return value


def check_improvement(before, after, names: tuple[str, str], exercise: str) -> None:
    """`after` evaluates another model on the same questions, and is better than `before` and than
    the majority baseline (always giving the most frequent answer) by more than chance would give."""
    check_eval_result(before, names[0])
    check_eval_result(after, names[1])
    if before.n != after.n or list(before.targets) != list(after.targets):
        raise Failure("rows.different_questions", before=names[0], after=names[1])
    if before is after or list(before.predictions) == list(after.predictions):
        raise Failure("rows.same_model", before=names[0], after=names[1])
    change = compare(before, after)
    if not change.significant:
        raise Failure(
            f"{exercise}.no_improvement",
            before=f"{before.exact:.0%}",
            after=f"{after.exact:.0%}",
            n=after.n,
            gain=f"{change.gain:+.0%}",
            low=f"{change.low:+.0%}",
            high=f"{change.high:+.0%}",
            p=f"{change.p_value:.2g}",
            alpha=SIGNIFICANCE,
        )
    answer, baseline = majority_baseline(after.targets)
    p_value = above_baseline(after)
    if p_value >= SIGNIFICANCE:
        raise Failure(
            "rows.below_baseline",
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
        raise wrong_type(name, trainer, "type.trainer")
    return [loss for _, loss in logged(history, "loss")]


# ----------------------------------------------------------------------------- 🐢 turtle


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
        return "turtle.no_labels", {}
    tokenizer = processor.tokenizer
    image_id = tokenizer.convert_tokens_to_ids("<image>")
    for row, (ids, row_labels) in enumerate(zip(input_ids.tolist(), labels.tolist())):
        kept = [(token, label) for token, label in zip(ids, row_labels) if label != IGNORE_INDEX]
        kept_images = sum(1 for token, _ in kept if token == image_id)
        if kept_images:
            return "turtle.images_in_loss", {"count": kept_images, "row": row}
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
            return "turtle.prompt_in_loss", {"count": outside, "row": row}
        if not kept:
            return "turtle.nothing_learned_from", {"row": row}
        decoded = tokenizer.decode([label for _, label in kept], skip_special_tokens=True).strip()
        if normalise_answer(answers[row]) not in normalise_answer(decoded):
            return "turtle.answer_not_in_loss", {"row": row, "kept": decoded, "answer": answers[row]}
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
            raise Failure("turtle.bf16_unsupported", device=device)
    max_length = getattr(args, "max_length", None)
    if max_length is not None and reference is not None:
        longest = int(reference["attention_mask"].sum(dim=1).max())
        if longest > max_length:
            raise Failure("turtle.truncates_images", max_length=max_length, longest=longest)


def accuracy_by_chart_kind(result) -> dict[str, float]:
    """Exact match per kind of chart question ({} when the questions are not the lesson's)."""
    try:
        return result.accuracy_by(chart_question_kind)
    except (AttributeError, ValueError):
        return {}


class Turtle(Exercise):
    """Chart rows formatted with the answer, LoRA fine-tuning, and accuracy before/after."""

    name, emoji = "turtle", "🐢"
    value_names = ("train_rows", "sft_trainer", "before", "after")

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
            raise Failure("turtle.not_trained")
        collator = getattr(sft_trainer, "data_collator", None)
        if not callable(collator):
            raise wrong_type("sft_trainer", sft_trainer, "type.trainer")
        try:
            batch = collator([dict(row) for row in rows[:2]])
        except Exception as error:
            raise failure_for(error, "turtle.collator_failed") from None
        problem = _label_problems(batch, processor, answers[:2], reference)
        if problem:
            raise Failure(problem[0], **problem[1])
        check_improvement(before, after, ("before", "after"), "turtle")
        return {
            "kinds": accuracy_by_chart_kind(after),
            "before": f"{before.exact:.0%}",
            "after": f"{after.exact:.0%}",
            "baseline": f"{majority_baseline(after.targets)[1]:.0%}",
            "steps": len(losses),
            "first": f"{losses[0]:.2f}",
            "last": f"{losses[-1]:.2f}",
        }


# ----------------------------------------------------------------------------- 🐕 dog


SHAPE_COLUMNS = {"image": "picture", "question": "question", "answer": "answer"}


def fresh_shape_rows(count: int = DOG_ROWS, seed: int = DOG_SEED) -> list[dict]:
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
    rows = as_rows(source, "source", DOG_ROWS)
    if set(SHAPE_COLUMNS.values()) <= set(rows[0]):
        return None
    image = next((column for column, value in rows[0].items() if isinstance(value, Image.Image)), None)
    question = _column_holding(rows, list(getattr(evaluated, "questions", [])), lambda a, b: a == b)
    answer = _column_holding(
        rows, list(getattr(evaluated, "targets", [])), lambda a, b: exact_match(str(a), b)
    )
    if not (image and question and answer):
        raise Failure("dog.unknown_columns", columns=", ".join(rows[0]))
    return rows, {"image": image, "question": question, "answer": answer}


class Dog(Exercise):
    """`format_row(row)` for a dataset with other column names, and accuracy before/after."""

    name, emoji = "dog", "🐕"
    value_names = ("format_row", "shape_before", "shape_after")

    def verify(self, format_row, shape_before, shape_after, source=None) -> dict:
        self.require_callable(format_row, "format_row", "type.format_row")
        check_eval_result(shape_after, "shape_after")
        found = source_columns(source, shape_after)
        rows, columns = found if found else (fresh_shape_rows(), SHAPE_COLUMNS)
        for index, row in enumerate(rows):
            self._check_row(format_row, row, index, columns)
        check_improvement(shape_before, shape_after, ("shape_before", "shape_after"), "dog")
        fields = {
            "before": f"{shape_before.exact:.0%}",
            "after": f"{shape_after.exact:.0%}",
            "baseline": f"{majority_baseline(shape_after.targets)[1]:.0%}",
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
                    "dog.wrong_column",
                    column=column,
                    columns=", ".join(row),
                    suggestion=renames.get(column, " / ".join(columns.values())),
                ) from None
            raise Failure("core.raised", error_type="KeyError", error=str(error)) from None
        except Exception as error:
            raise failure_for(error) from None
        if not isinstance(formatted, dict):
            raise wrong_type("format_row(row)", formatted, "type.formatted_row")
        question_text, answer_text = row[columns["question"]], normalise_answer(row[columns["answer"]])
        messages = formatted.get("messages")
        if "assistant" not in [turn.get("role") for turn in messages or [] if isinstance(turn, dict)]:
            users = [turn for turn in messages or [] if isinstance(turn, dict) and turn.get("role") == "user"]
            said = [normalise_answer(" ".join(_texts(turn))) for turn in users]
            if any(answer_text in text for text in said):
                raise Failure("dog.answer_in_user_turn", answer=row[columns["answer"]])
        question, answer = check_conversation_row(formatted, index)
        if str(question_text).strip() not in question:
            raise Failure("dog.question_missing", question=question_text, got=question)
        if normalise_answer(answer) != answer_text:
            raise Failure("dog.wrong_answer", got=answer, expected=row[columns["answer"]])
        images = formatted["images"]
        if len(images) != 1 or not same_pixels(images[0], row[columns["image"]]):
            raise Failure("dog.wrong_picture", count=len(images))


# ----------------------------------------------------------------------------- 🦁 lion


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


def stage_name(names: list[str], stage: str) -> str:
    """The comparison key naming `stage` ("before", "SFT" or "DPO"), e.g. "SFT (lora)"."""
    return next(name for name in names if any(word in str(name).lower() for word in STAGE_WORDS[stage]))


class Lion(Exercise):
    """DPO pairs from the model's own mistakes, reward accuracy, and a before / SFT / DPO comparison."""

    name, emoji = "lion", "🦁"
    value_names = ("preference_rows", "dpo_trainer", "comparison")

    def verify(self, preference_rows, dpo_trainer, comparison, source=None) -> dict:
        base_is_untouched(self.lesson)
        rows = as_rows(preference_rows, "preference_rows")
        truth = self._truth(source)
        pairs = [self._check_pair(row, index, truth) for index, row in enumerate(rows)]
        mistakes = self._check_mistakes(pairs[:LION_ROWS_ASKED])
        accuracy = self._reward_accuracy(dpo_trainer)
        names = self._check_comparison(comparison)
        before, sft, dpo = (comparison[stage_name(names, stage)] for stage in ("before", "SFT", "DPO"))
        labels = tuple(f"comparison[{stage_name(names, stage)!r}]" for stage in ("before", "DPO"))
        check_improvement(before, dpo, labels, "lion")
        return {
            "count": len(rows),
            "mistakes": mistakes,
            "asked": min(len(rows), LION_ROWS_ASKED),
            "reward": f"{accuracy:.0%}",
            "table": " · ".join(f"{name} {comparison[name].exact:.0%}" for name in names),
            "before": f"{before.exact:.0%}",
            "sft": f"{sft.exact:.0%}",
            "dpo": f"{dpo.exact:.0%}",
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
            raise Failure("lion.keys", index=index, keys=sorted(row), missing=missing)
        prompt = row["prompt"]
        if isinstance(prompt, str) or not isinstance(prompt, (list, tuple)):
            raise Failure("lion.prompt_not_turns", index=index, got=type_name(prompt))
        if any(isinstance(turn, dict) and turn.get("role") == "assistant" for turn in prompt[-1:]):
            raise Failure("lion.answer_in_prompt", index=index)
        check_image_parts(prompt, row["images"], index)
        question = " ".join(text for turn in prompt for text in _texts(turn) if text.strip()).strip()
        chosen, rejected = preference_answer_text(row["chosen"]), preference_answer_text(row["rejected"])
        if chosen is None or rejected is None:
            raise Failure("lion.answers_not_turns", index=index)
        if normalise_answer(chosen) == normalise_answer(rejected):
            raise Failure("lion.rejected_equals_chosen", index=index, answer=chosen)
        if truth is not None:
            expected = truth.get((picture_key(row["images"][0]), question))
            if expected is None:
                raise Failure("lion.unknown_row", index=index, question=question)
            if normalise_answer(chosen) != expected:
                raise Failure("lion.chosen_not_answer", index=index, chosen=chosen, expected=expected)
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
        if mistakes and agree < LION_AGREEMENT * mistakes:
            index, said, rejected = first_miss
            raise Failure(
                "lion.rejected_not_mistakes",
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
            raise wrong_type("dpo_trainer", trainer, "type.dpo_trainer")
        try:
            accuracy = reward_accuracy(history)
        except ValueError:
            raise Failure("lion.not_trained") from None
        if accuracy <= 0.5:
            raise Failure("lion.low_reward_accuracy", accuracy=f"{accuracy:.0%}")
        return accuracy

    @staticmethod
    def _check_comparison(comparison) -> list[str]:
        if not isinstance(comparison, dict):
            raise wrong_type("comparison", comparison, "type.comparison")
        for name, result in comparison.items():
            check_eval_result(result, f"comparison[{name!r}]")
        names = list(comparison)
        lowered = [str(name).lower() for name in names]
        absent = [
            label for label, words in STAGE_WORDS.items() if not any(w in n for n in lowered for w in words)
        ]
        if len(names) < 3 or absent:
            raise Failure("lion.comparison_incomplete", names=names, missing=", ".join(absent) or "?")
        first = comparison[names[0]]
        for name in names[1:]:
            result = comparison[name]
            if result.n != first.n or list(result.targets) != list(first.targets):
                raise Failure("rows.different_questions", before=names[0], after=name)
        dpo, before = stage_name(names, "DPO"), stage_name(names, "before")
        if list(comparison[dpo].predictions) == list(comparison[before].predictions):
            raise Failure("rows.same_model", before=before, after=dpo)
        return names


turtle = Turtle(LESSON)
dog = Dog(LESSON)
lion = Lion(LESSON)
EXERCISES = {exercise.name: exercise for exercise in (turtle, dog, lion)}
