"""Exercises of lesson 1 (using VLMs): 🐢 one image, 🐕 a left-padded batch, 🦁 a video as frames.

In the notebook: `from course_utils.exercises import usage as ex`, `ex.setup(model, processor)`,
then `ex.turtle.check(messages, answer)`, `ex.dog.check(answer_all)`,
`ex.lion.check(sampled, video_messages, video_answer, num_frames=NUM_FRAMES)`.
"""

from __future__ import annotations

import random
import re
from collections import Counter

import numpy as np

from course_utils.exercises.core import Exercise, Failure, Lesson, failure_for, type_name, wrong_type
from course_utils.generation import (
    DEFAULT_MAX_NEW_TOKENS,
    ask,
    chat,
    encode_conversations,
    generate_answers,
    move_to,
)
from course_utils.images import ImageLoadError, load_image, same_pixels
from course_utils.messages import MessageError, build_messages, validate_messages
from course_utils.scenes import make_scene
from course_utils.video import TICK, clock
from course_utils.video_synth import colour_shown, frame_index_shown

LESSON = Lesson("01_vlm_usage")
setup = LESSON.setup

# Text that belongs to the prompt and never to an answer made of new tokens only.
PROMPT_MARKERS = (
    "User:",
    "Assistant:",
    "<image>",
    "<end_of_utterance>",
    "<|im_start|>",
    "<fake_token_around_image>",
    "<global-img>",
)
# Fresh pairs for 🐕: questions of different lengths so that the batch really needs padding.
DOG_QUESTIONS = (
    "Count the shapes.",
    "What kind of shape do you see?",
    "What color is the shape?",
    "Describe the picture.",
    "Which shape is in the picture?",
)
DOG_SEED = 4242


def prompt_fragment(answer: str, questions=()) -> str | None:
    """The piece of the prompt found in `answer` (a chat marker or a question), or None."""
    for marker in PROMPT_MARKERS:
        if marker in answer:
            return marker
    for question in questions:
        if len(question.strip()) >= 8 and question.strip() in answer:
            return question.strip()
    return None


def _check_messages(messages) -> list[dict]:
    if isinstance(messages, (str, dict)) or not isinstance(messages, (list, tuple)):
        raise wrong_type("messages", messages, "type.messages")
    try:
        validate_messages(messages)
    except MessageError as error:
        raise Failure("core.invalid_messages", error=str(error)) from None
    return list(messages)


def _check_answer(name: str, answer, questions, expected: str) -> None:
    if not isinstance(answer, str):
        raise wrong_type(name, answer, "type.str")
    if not answer.strip():
        raise Failure("core.answer_empty", name=name)
    found = prompt_fragment(answer, questions)
    if found:
        raise Failure("core.answer_has_prompt", name=name, found=found)
    if answer.strip() != expected.strip():
        raise Failure("core.answer_mismatch", name=name, got=answer, expected=expected)


def _model_answer(lesson: Lesson, messages) -> str:
    model, processor = lesson.require_model()
    try:
        return chat(model, processor, messages)
    except Exception as error:
        raise failure_for(error, "core.model_failed") from None


# ----------------------------------------------------------------------------- 🐢 turtle


class Turtle(Exercise):
    """Messages for one picture and one question, and the model's answer from `chat`."""

    name, emoji = "turtle", "🐢"
    value_names = ("messages", "answer")

    def verify(self, messages, answer) -> dict:
        messages = _check_messages(messages)
        if messages[-1]["role"] == "assistant":
            raise Failure("turtle.ends_with_assistant")
        users = [turn for turn in messages if turn["role"] == "user"]
        if len(users) != 1:
            raise Failure("turtle.user_turns", count=len(users))
        parts = users[0]["content"]
        images = [part for part in parts if part["type"] == "image"]
        texts = [part for part in parts if part["type"] == "text"]
        if len(images) != 1 or any(part["type"] == "video" for part in parts):
            raise Failure("turtle.image_count", count=len(images))
        try:
            load_image(images[0]["image"])
        except ImageLoadError as error:
            raise Failure("turtle.bad_image", error=str(error)) from None
        if len(texts) != 1:
            raise Failure("turtle.question_count", count=len(texts))
        question = texts[0]["text"]
        if not question.strip():
            raise Failure("turtle.empty_question")
        self._check_generation(answer, question)
        expected = _model_answer(self.lesson, messages)
        if isinstance(answer, str) and answer.strip() != expected.strip():
            # Without `add_generation_prompt=True` the model answers something else, or nothing.
            if answer.strip() == self._without_cue(messages):
                raise Failure("turtle.no_generation_prompt")
        _check_answer("answer", answer, [question], expected)
        return {"answer": answer}

    def _without_cue(self, messages) -> str | None:
        """What the model says when the prompt does not end in `Assistant:` (no generation prompt)."""
        model, processor = self.lesson.require_model()
        try:
            batch = encode_conversations(
                processor, [messages], add_generation_prompt=False, padding_side="left"
            )
            inputs = move_to(batch, model.device, model.dtype)
            output = model.generate(**inputs, max_new_tokens=DEFAULT_MAX_NEW_TOKENS, do_sample=False)
        except Exception:
            return None
        new_tokens = output[:, inputs["input_ids"].shape[1] :]
        return processor.batch_decode(new_tokens, skip_special_tokens=True)[0].strip()

    @staticmethod
    def _check_generation(answer, question: str) -> None:
        """The generation loop's own mistakes, named before the answer is compared with the model's."""
        if not isinstance(answer, str):
            return
        text = answer.strip()
        if text.startswith("Assistant:") or "\nAssistant:" in text and "User:" not in text:
            raise Failure("turtle.no_generation_prompt")
        found = prompt_fragment(text, [question])
        if found in ("User:", "<|im_start|>", question.strip()) or text.startswith("<|im_start|>"):
            raise Failure("turtle.prompt_not_cut", found=found or "<|im_start|>")
        if "<end_of_utterance>" in text:
            raise Failure("turtle.special_tokens")


# ----------------------------------------------------------------------------- 🐕 dog


def dog_pairs(count: int = 4, seed: int = DOG_SEED) -> list[tuple]:
    """Fresh `(image, question)` pairs with prompts of different lengths."""
    rng = random.Random(seed)
    return [(make_scene(rng).image, DOG_QUESTIONS[i % len(DOG_QUESTIONS)]) for i in range(count)]


class _GenerateSpy:
    """Counts `model.generate` calls and notes right-padded batches while the learner's code runs."""

    def __init__(self, model) -> None:
        self.model, self.calls, self.right_padded_row = model, 0, None
        self.original = model.generate

    def __enter__(self):
        def generate(*args, **kwargs):
            self.calls += 1
            mask = kwargs.get("attention_mask")
            if mask is not None and self.right_padded_row is None:
                self.right_padded_row = _right_padded_row(mask)
            return self.original(*args, **kwargs)

        self.model.generate = generate
        return self

    def __exit__(self, *exc) -> None:
        if "generate" in vars(self.model):
            del self.model.generate


def _right_padded_row(mask) -> int | None:
    """The first row whose attention mask has padding (0) after a real token (1), else None."""
    rows = np.asarray(mask.detach().cpu() if hasattr(mask, "detach") else mask)
    if rows.ndim != 2:
        return None
    for index, row in enumerate(rows):
        ones = np.flatnonzero(row)
        if len(ones) and ones[-1] < len(row) - 1:
            return index
    return None


class Dog(Exercise):
    """`answer_all(model, processor, pairs)`: one left-padded batch, new tokens only, in order."""

    name, emoji = "dog", "🐕"
    value_names = ("answer_all",)

    def verify(self, answer_all, count: int = 4) -> dict:
        self.require_callable(answer_all, "answer_all")
        model, processor = self.lesson.require_model()
        pairs = dog_pairs(count)
        with _GenerateSpy(model) as spy:
            result = self.call_learner(answer_all, model, processor, pairs)
        if not isinstance(result, list):
            raise wrong_type("answer_all(...)", result, "type.list_of_str")
        for index, item in enumerate(result):
            if not isinstance(item, str):
                raise Failure("dog.not_strings", index=index, got=type_name(item))
        if len(result) != len(pairs):
            raise Failure("dog.wrong_length", got=len(result), expected=len(pairs))
        questions = [question for _, question in pairs]
        for index, item in enumerate(result):
            found = prompt_fragment(item, questions)
            if found:
                raise Failure("dog.contains_prompt", index=index, answer=item, found=found)
        if spy.right_padded_row is not None:
            raise Failure("dog.right_padding", row=spy.right_padded_row)
        expected = [ask(model, processor, image, question) for image, question in pairs]
        # On a GPU in half precision a batch may round differently from single prompts and change a
        # greedy answer; a correct left-padded batch then still equals the course's own batched run.
        conversations = [build_messages(question, images=image) for image, question in pairs]
        batched = generate_answers(model, processor, conversations)
        got = [item.strip() for item in result]
        if got not in (expected, batched):
            if Counter(got) in (Counter(expected), Counter(batched)):
                raise Failure("dog.wrong_order")
            index = next(i for i, (a, b) in enumerate(zip(got, expected)) if a != b)
            raise Failure("dog.differs", index=index, got=got[index], expected=expected[index])
        if len(pairs) > 1 and spy.calls >= len(pairs):
            raise Failure("dog.not_batched", calls=spy.calls, count=len(pairs))
        return {"count": len(result), "calls": spy.calls}


# ----------------------------------------------------------------------------- 🦁 lion

_CLOCK = re.compile(r"(\d+):(\d+(?:\.\d+)?)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ONLY_TIME = re.compile(r"^\s*(frame)?\s*(at|from)?\s*[\d:.\s]+(s|sec|seconds)?\s*:?\s*$", re.IGNORECASE)


def times_in_text(text: str) -> list[float]:
    """Times (seconds) written in `text`: 'MM:SS', 'MM:SS.s' or plain numbers such as '3.2 s'."""
    times = [int(minutes) * 60 + float(seconds) for minutes, seconds in _CLOCK.findall(text)]
    rest = _CLOCK.sub(" ", text)
    return times + [float(number) for number in _NUMBER.findall(rest)]


def _gives_time(text: str, timestamp: float) -> bool:
    return any(
        abs(value - timestamp) <= 0.51 or int(value + TICK) == int(timestamp + TICK)
        for value in times_in_text(text)
    )


def second_of_frame(frame, fps: float) -> int | None:
    """The second a synthetic video's frame comes from, read from its frame-index strip."""
    index = frame_index_shown(frame)
    if index < 0 or fps <= 0:
        return None
    return int(index / fps + TICK)


class Lion(Exercise):
    """A synthetic video sampled into timestamped frames, asked about with a v1 (image) prompt."""

    name, emoji = "lion", "🦁"
    value_names = ("sampled", "video_messages", "video_answer")

    def verify(self, sampled, messages, answer, num_frames: int = 6) -> dict:
        frames, timestamps = self._check_sampling(sampled, num_frames)
        messages = _check_messages(messages)
        if messages[-1]["role"] != "user":
            raise Failure("lion.last_not_user")
        if any(part["type"] == "video" for turn in messages for part in turn["content"]):
            raise Failure("lion.video_part")
        parts = messages[-1]["content"]
        image_positions = [i for i, part in enumerate(parts) if part["type"] == "image"]
        if len(image_positions) != len(frames):
            raise Failure("lion.image_count", got=len(image_positions), expected=len(frames))
        for index, (position, frame, stamp) in enumerate(zip(image_positions, frames, timestamps)):
            if not same_pixels(parts[position]["image"], frame):
                raise Failure("lion.images_not_frames", index=index)
            before = parts[position - 1] if position > 0 else None
            if before is None or before["type"] != "text":
                raise Failure("lion.missing_timestamp", index=index, expected=clock(stamp))
            if not _gives_time(before["text"], stamp):
                raise Failure("lion.wrong_timestamp", index=index, text=before["text"], expected=clock(stamp))
        last = parts[-1]
        if last["type"] != "text" or not last["text"].strip() or _ONLY_TIME.match(last["text"]):
            raise Failure("lion.question_not_last")
        _check_answer("video_answer", answer, [last["text"]], _model_answer(self.lesson, messages))
        return {
            "count": len(frames),
            "first": timestamps[0],
            "last": timestamps[-1],
            "answer": answer,
            "first_colour": colour_shown(frames[0]),
            "last_colour": colour_shown(frames[-1]),
        }

    def _check_sampling(self, sampled, num_frames: int) -> tuple[list, list[float]]:
        if not all(hasattr(sampled, name) for name in ("frames", "timestamps", "duration")):
            raise wrong_type("sampled", sampled, "type.sampled")
        frames, timestamps = list(sampled.frames), [float(x) for x in sampled.timestamps]
        duration = float(sampled.duration)
        if len(frames) != num_frames:
            raise Failure("lion.frame_count", got=len(frames), expected=num_frames)
        if len(timestamps) != len(frames):
            raise Failure("lion.timestamps_length", frames=len(frames), timestamps=len(timestamps))
        for value in timestamps:
            if not 0 <= value <= duration + TICK:
                raise Failure("lion.outside", value=value, duration=duration)
        for previous, current in zip(timestamps, timestamps[1:]):
            if current <= previous:
                raise Failure("lion.not_increasing", previous=previous, current=current)
        if len(timestamps) >= 2:
            covered = timestamps[-1] - timestamps[0]
            if covered < 0.5 * duration:
                raise Failure("lion.not_covering", covered=covered, duration=duration)
            gaps = np.diff(timestamps)
            frame_time = 1 / sampled.native_fps if getattr(sampled, "native_fps", 0) else 0.1
            if gaps.max() - gaps.min() > 0.5 * gaps.mean() + 2 * frame_time:
                raise Failure("lion.uneven", smallest=float(gaps.min()), largest=float(gaps.max()))
        fps = float(getattr(sampled, "native_fps", 0) or 0)
        for index, (frame, stamp) in enumerate(zip(frames, timestamps)):
            shown = second_of_frame(frame, fps)
            if shown is not None and shown != int(stamp + TICK):
                raise Failure("lion.frame_mismatch", index=index, shown=shown, timestamp=stamp)
        return frames, timestamps


turtle = Turtle(LESSON)
dog = Dog(LESSON)
lion = Lion(LESSON)
EXERCISES = {exercise.name: exercise for exercise in (turtle, dog, lion)}
