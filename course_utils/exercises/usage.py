"""Exercises of lesson 1 (using VLMs): 🐢 one image, 🐕 a left-padded batch, 🦁 a video as frames.

In the notebook: `from course_utils.exercises import usage as ex`, `ex.setup(model, processor)`,
then `ex.one_image.check(messages, answer)`, `ex.left_padded_batch.check(answer_all)`,
`ex.video_frames.check(sampled, video_messages, video_answer, num_frames=NUM_FRAMES)`.
"""

from __future__ import annotations

import random
import re
from collections import Counter

import numpy as np

from course_utils.exercises.core import (
    Exercise,
    Failure,
    Lesson,
    failure_for,
    message,
    type_name,
    verbatim,
    wrong_type,
)
from course_utils.generation import (
    DEFAULT_MAX_NEW_TOKENS,
    ask,
    chat,
    encode_conversations,
    generate_answers,
)
from course_utils.images import ImageLoadError, load_image, same_pixels
from course_utils.messages import (
    MessageError,
    build_messages,
    format_timestamp,
    validate_messages,
    whole_second,
)
from course_utils.scenes import make_scene
from course_utils.video_synth import colour_shown, frame_index_shown

LESSON = Lesson("01_vlm_usage")
setup = LESSON.setup

ONE_IMAGE_NO_GENERATION_PROMPT = message(
    "one_image.no_generation_prompt",
    "the model answered with a new turn (`Assistant:` ...) instead of an answer: "
    "the prompt did not end in `Assistant:`. Pass `add_generation_prompt=True` to "
    "`apply_chat_template`.",
)

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
# Fresh pairs for left_padded_batch: questions of different lengths so that the batch really needs padding.
BATCH_QUESTIONS = (
    "Count the shapes.",
    "What kind of shape do you see?",
    "What color is the shape?",
    "Describe the picture.",
    "Which shape is in the picture?",
)
BATCH_SEED = 4242


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
        raise wrong_type(
            "messages",
            messages,
            message("type.messages", "a list of turns (dicts with 'role' and 'content')"),
        )
    try:
        validate_messages(messages)
    except MessageError as error:
        raise Failure(
            message("core.invalid_messages", "the messages are not a valid conversation: {error}"),
            error=str(error),
        ) from None
    return list(messages)


def _check_answer(name: str, answer, questions, expected: str) -> None:
    if not isinstance(answer, str):
        raise wrong_type(name, answer, message("type.str", "a string"))
    if not answer.strip():
        raise Failure(
            message(
                "core.answer_empty",
                "`{name}` is an empty string. It should hold the text the model generated.",
            ),
            name=name,
        )
    found = prompt_fragment(answer, questions)
    if found:
        raise Failure(
            message(
                "core.answer_has_prompt",
                "`{name}` contains part of the prompt ({found!r}). An answer holds only the "
                "newly generated tokens: `chat(model, processor, messages)` cuts the prompt "
                "off for you.",
            ),
            name=name,
            found=found,
        )
    if answer.strip() != expected.strip():
        raise Failure(
            message(
                "core.answer_mismatch",
                "`{name}` ({got!r}) is not what the model says for these messages "
                "({expected!r}). Pass exactly these messages to `chat`, and re-run the cell "
                "after changing them.",
            ),
            name=name,
            got=answer,
            expected=expected,
        )


def _model_answer(lesson: Lesson, messages) -> str:
    model, processor = lesson.require_model()
    try:
        return chat(model, processor, messages)
    except Exception as error:
        raise failure_for(
            error,
            message(
                "core.model_failed",
                "the model could not process your messages (`{error_type}`: {error}).",
            ),
        ) from None


# ----------------------------------------------------------------------------- 🐢 one_image


class OneImage(Exercise):
    """Messages for one picture and one question, and the model's answer from `chat`."""

    name, tier = "one_image", "🐢"
    value_names = ("messages", "answer")
    passed = message(
        "one_image.passed",
        "one user turn with your picture and question, and `answer` is exactly the "
        "model's new text: {answer!r}.",
    )
    hints = (
        verbatim(
            "one_image.hint.1",
            "A conversation is a list of turns; here one: `{'role': 'user', 'content': "
            "[...]}` with an image part and a text part. Then five steps: "
            "`processor.apply_chat_template(messages, add_generation_prompt=True, "
            "tokenize=True, return_dict=True, return_tensors='pt')`, `.to(model.device, "
            "dtype=model.dtype)`, `model.generate(...)`, keep the new tokens, "
            "`processor.batch_decode(...)`.",
        ),
        verbatim(
            "one_image.hint.2",
            "`inputs = processor.apply_chat_template(messages, add_generation_prompt=True, "
            "tokenize=True, return_dict=True, return_tensors='pt').to(model.device, "
            "dtype=model.dtype)`; `output = model.generate(**inputs, max_new_tokens=32, "
            "do_sample=False)`; `answer = processor.batch_decode(output[:, "
            "inputs['input_ids'].shape[1]:], skip_special_tokens=True)[0].strip()`.",
        ),
    )

    def verify(self, messages, answer) -> dict:
        messages = _check_messages(messages)
        if messages[-1]["role"] == "assistant":
            raise Failure(
                message(
                    "one_image.ends_with_assistant",
                    "the last turn is an assistant turn. The model writes the assistant turn "
                    "itself: end the conversation with your user turn and let `model.generate` "
                    "write the answer.",
                )
            )
        users = [turn for turn in messages if turn["role"] == "user"]
        if len(users) != 1:
            raise Failure(
                message(
                    "one_image.user_turns",
                    "expected exactly one user turn, found {count}. Put the picture and the "
                    "question together in a single `{{'role': 'user', ...}}` turn.",
                ),
                count=len(users),
            )
        parts = users[0]["content"]
        images = [part for part in parts if part["type"] == "image"]
        texts = [part for part in parts if part["type"] == "text"]
        if len(images) != 1 or any(part["type"] == "video" for part in parts):
            raise Failure(
                message(
                    "one_image.image_count",
                    "the user turn has {count} image parts; this exercise needs exactly one: "
                    "`{{'type': 'image', 'image': picture}}`.",
                ),
                count=len(images),
            )
        try:
            load_image(images[0]["image"])
        except ImageLoadError as error:
            raise Failure(
                message(
                    "one_image.bad_image",
                    "the image part does not hold a picture the processor can open: {error}",
                ),
                error=str(error),
            ) from None
        if len(texts) != 1:
            raise Failure(
                message(
                    "one_image.question_count",
                    "the user turn has {count} text parts; write exactly one question: `{{'type': "
                    "'text', 'text': 'What color is the shape?'}}`.",
                ),
                count=len(texts),
            )
        question = texts[0]["text"]
        if not question.strip():
            raise Failure(
                message(
                    "one_image.empty_question",
                    "the question text is empty. Ask something, e.g. 'What color is the shape?'.",
                )
            )
        self._check_generation(answer, question)
        expected = _model_answer(self.lesson, messages)
        if isinstance(answer, str) and answer.strip() != expected.strip():
            # Without `add_generation_prompt=True` the model answers something else, or nothing.
            if answer.strip() == self._without_cue(messages):
                raise Failure(ONE_IMAGE_NO_GENERATION_PROMPT)
        _check_answer("answer", answer, [question], expected)
        return {"answer": answer}

    def _without_cue(self, messages) -> str | None:
        """What the model says when the prompt does not end in `Assistant:` (no generation prompt)."""
        model, processor = self.lesson.require_model()
        try:
            batch = encode_conversations(
                processor, [messages], add_generation_prompt=False, padding_side="left"
            )
            inputs = batch.to(model.device, dtype=model.dtype)  # casts only the pixels
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
            raise Failure(ONE_IMAGE_NO_GENERATION_PROMPT)
        found = prompt_fragment(text, [question])
        if found in ("User:", "<|im_start|>", question.strip()) or text.startswith("<|im_start|>"):
            raise Failure(
                message(
                    "one_image.prompt_not_cut",
                    "`answer` starts with the prompt ({found!r}): `generate` returns the prompt "
                    "followed by the new tokens. Keep only the new ones before decoding: "
                    "`output[:, inputs['input_ids'].shape[1]:]`.",
                ),
                found=found or "<|im_start|>",
            )
        if "<end_of_utterance>" in text:
            raise Failure(
                message(
                    "one_image.special_tokens",
                    "`answer` holds special tokens such as `<end_of_utterance>`. Decode with "
                    "`processor.batch_decode(new_tokens, skip_special_tokens=True)`.",
                )
            )


# ----------------------------------------------------------------------------- 🐕 left_padded_batch


def batch_pairs(count: int = 4, seed: int = BATCH_SEED) -> list[tuple]:
    """Fresh `(image, question)` pairs with prompts of different lengths."""
    rng = random.Random(seed)
    return [(make_scene(rng).image, BATCH_QUESTIONS[i % len(BATCH_QUESTIONS)]) for i in range(count)]


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


class LeftPaddedBatch(Exercise):
    """`answer_all(model, processor, pairs)`: one left-padded batch, new tokens only, in order."""

    name, tier = "left_padded_batch", "🐕"
    value_names = ("answer_all",)
    passed = message(
        "left_padded_batch.passed",
        "{count} answers from {calls} batched `generate` call(s), left-padded, "
        "identical to one-by-one answers and in input order.",
    )
    hints = (
        verbatim(
            "left_padded_batch.hint.1",
            "Turn every pair into a conversation (one user turn with the image and the "
            "question), then call `processor.apply_chat_template` once on the whole list "
            "with `processor_kwargs={'padding': True, 'padding_side': 'left'}`: one "
            "left-padded batch for a single `model.generate(...)` call.",
        ),
        verbatim(
            "left_padded_batch.hint.2",
            "`inputs = processor.apply_chat_template(conversations, "
            "add_generation_prompt=True, tokenize=True, return_dict=True, "
            "return_tensors='pt', processor_kwargs={'padding': True, 'padding_side': "
            "'left'}).to(model.device, dtype=model.dtype)`; `output = "
            "model.generate(**inputs, max_new_tokens=32, do_sample=False)`; decode "
            "`output[:, inputs['input_ids'].shape[1]:]` with `processor.batch_decode(..., "
            "skip_special_tokens=True)` and `.strip()` each answer.",
        ),
    )

    def verify(self, answer_all, count: int = 4) -> dict:
        self.require_callable(
            answer_all,
            "answer_all",
            message("type.function", "a function `answer_all(model, processor, pairs)`"),
        )
        model, processor = self.lesson.require_model()
        pairs = batch_pairs(count)
        with _GenerateSpy(model) as spy:
            result = self.call_learner(answer_all, model, processor, pairs)
        if not isinstance(result, list):
            raise wrong_type(
                "answer_all(...)",
                result,
                message("type.list_of_str", "a list of strings, one answer per pair"),
            )
        for index, item in enumerate(result):
            if not isinstance(item, str):
                raise Failure(
                    message(
                        "left_padded_batch.not_strings",
                        "item {index} of the result is a `{got}`, not a string. Decode the new tokens "
                        "to text with `processor.batch_decode(new_tokens, skip_special_tokens=True)`.",
                    ),
                    index=index,
                    got=type_name(item),
                )
        if len(result) != len(pairs):
            raise Failure(
                message(
                    "left_padded_batch.wrong_length",
                    "got {got} answers for {expected} pairs. Return exactly one answer per (image, "
                    "question) pair.",
                ),
                got=len(result),
                expected=len(pairs),
            )
        questions = [question for _, question in pairs]
        for index, item in enumerate(result):
            found = prompt_fragment(item, questions)
            if found:
                raise Failure(
                    message(
                        "left_padded_batch.contains_prompt",
                        "answer {index} ({answer!r}) contains the prompt ({found!r}). `generate` "
                        "returns prompt + new tokens: keep only `output[:, "
                        "inputs['input_ids'].shape[1]:]` before decoding.",
                    ),
                    index=index,
                    answer=item,
                    found=found,
                )
        if spy.right_padded_row is not None:
            raise Failure(
                message(
                    "left_padded_batch.right_padding",
                    "the batch was padded on the right (row {row} has padding after its prompt). "
                    "The model continues from the last position, so padding must go on the left: "
                    "`processor_kwargs={{'padding': True, 'padding_side': 'left'}}` in "
                    "`apply_chat_template`.",
                ),
                row=spy.right_padded_row,
            )
        expected = [ask(model, processor, image, question) for image, question in pairs]
        # On a GPU in half precision a batch may round differently from single prompts and change a
        # greedy answer; a correct left-padded batch then still equals the course's own batched run.
        conversations = [build_messages(question, images=image) for image, question in pairs]
        batched = generate_answers(model, processor, conversations)
        got = [item.strip() for item in result]
        if got not in (expected, batched):
            if Counter(got) in (Counter(expected), Counter(batched)):
                raise Failure(
                    message(
                        "left_padded_batch.wrong_order",
                        "the answers are right but in the wrong order. Return them in the order of "
                        "`pairs` (don't sort, group or reverse them).",
                    )
                )
            index = next(i for i, (a, b) in enumerate(zip(got, expected)) if a != b)
            raise Failure(
                message(
                    "left_padded_batch.differs",
                    "answer {index} differs from the one-by-one answer: got {got!r}, expected "
                    "{expected!r}. Batched answers must equal one-by-one ones: pad on the left, "
                    "decode greedily (`do_sample=False`) and keep only the new tokens.",
                ),
                index=index,
                got=got[index],
                expected=expected[index],
            )
        if len(pairs) > 1 and spy.calls >= len(pairs):
            raise Failure(
                message(
                    "left_padded_batch.not_batched",
                    "`model.generate` ran {calls} times for {count} pairs, i.e. one by one. Put "
                    "the pairs into one padded batch and call `generate` once.",
                ),
                calls=spy.calls,
                count=len(pairs),
            )
        return {"count": len(result), "calls": spy.calls}


# ----------------------------------------------------------------------------- 🦁 video_frames

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
        abs(value - timestamp) <= 0.51 or whole_second(value) == whole_second(timestamp)
        for value in times_in_text(text)
    )


def second_of_frame(frame, fps: float) -> int | None:
    """The second a synthetic video's frame comes from, read from its frame-index strip."""
    index = frame_index_shown(frame)
    if index < 0 or fps <= 0:
        return None
    return whole_second(index / fps)


class VideoFrames(Exercise):
    """A synthetic video sampled into timestamped frames, asked about with a v1 (image) prompt."""

    name, tier = "video_frames", "🦁"
    value_names = ("sampled", "video_messages", "video_answer")
    passed = message(
        "video_frames.passed",
        "{count} frames from {first:.1f} s to {last:.1f} s, each after its timestamp, "
        "the question last; the model says {answer!r}. The first frame shows "
        "`{first_colour}`, the last one `{last_colour}`.",
    )
    hints = (
        verbatim(
            "video_frames.hint.1",
            "`make_test_video(folder / 'clip.mp4', seconds=8, size=(160, 120), "
            "colors=random_colors(8, seed=1))`, then `sample_frames(path, "
            "num_frames=NUM_FRAMES)`. For each frame and its timestamp add a text part "
            "'Frame at MM:SS:' and then the image part; finish with the question 'Which "
            "colour comes last?'.",
        ),
        verbatim(
            "video_frames.hint.2",
            "`for frame, t in zip(sampled.frames, sampled.timestamps): parts += [{'type': "
            "'text', 'text': f'Frame at {int(t) // 60:02d}:{int(t) % 60:02d}:'}, {'type': "
            "'image', 'image': frame}]`; then `parts.append({'type': 'text', 'text': "
            "question})` and `chat(model, processor, [{'role': 'user', 'content': "
            "parts}])`. (`course_utils.messages.video_to_image_parts` builds the same parts.)",
        ),
    )

    def verify(self, sampled, messages, answer, num_frames: int = 6) -> dict:
        frames, timestamps = self._check_sampling(sampled, num_frames)
        messages = _check_messages(messages)
        if messages[-1]["role"] != "user":
            raise Failure(
                message(
                    "video_frames.last_not_user",
                    "the conversation must end with the user turn that holds the frames and the question.",
                )
            )
        if any(part["type"] == "video" for turn in messages for part in turn["content"]):
            raise Failure(
                message(
                    "video_frames.video_part",
                    "the messages hold a video part. SmolVLM v1 has no video input: give each "
                    "frame as an image part, preceded by a text part with its timestamp.",
                )
            )
        parts = messages[-1]["content"]
        image_positions = [i for i, part in enumerate(parts) if part["type"] == "image"]
        if len(image_positions) != len(frames):
            raise Failure(
                message(
                    "video_frames.image_count",
                    "the messages hold {got} images but you sampled {expected} frames: include "
                    "every sampled frame exactly once.",
                ),
                got=len(image_positions),
                expected=len(frames),
            )
        for index, (position, frame, stamp) in enumerate(zip(image_positions, frames, timestamps)):
            if not same_pixels(parts[position]["image"], frame):
                raise Failure(
                    message(
                        "video_frames.images_not_frames",
                        "image {index} in the messages is not frame {index} of `sampled`. Put the "
                        "sampled frames in, in order.",
                    ),
                    index=index,
                )
            before = parts[position - 1] if position > 0 else None
            if before is None or before["type"] != "text":
                raise Failure(
                    message(
                        "video_frames.missing_timestamp",
                        "image {index} is not preceded by a text part with its time. Put e.g. "
                        "`{{'type': 'text', 'text': 'Frame at {expected}:'}}` right before it.",
                    ),
                    index=index,
                    expected=format_timestamp(stamp),
                )
            if not _gives_time(before["text"], stamp):
                raise Failure(
                    message(
                        "video_frames.wrong_timestamp",
                        "the text before image {index} ({text!r}) does not give its time, {expected}.",
                    ),
                    index=index,
                    text=before["text"],
                    expected=format_timestamp(stamp),
                )
        last = parts[-1]
        if last["type"] != "text" or not last["text"].strip() or _ONLY_TIME.match(last["text"]):
            raise Failure(
                message(
                    "video_frames.question_not_last",
                    "the last part of the user turn must be your question (text), after all the frames.",
                )
            )
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
            raise wrong_type(
                "sampled", sampled, message("type.sampled", "the `SampledVideo` returned by `sample_frames`")
            )
        frames, timestamps = list(sampled.frames), [float(x) for x in sampled.timestamps]
        duration = float(sampled.duration)
        if len(frames) != num_frames:
            raise Failure(
                message(
                    "video_frames.frame_count",
                    "`sampled` has {got} frames; sample exactly {expected} (`sample_frames(path, "
                    "num_frames={expected})`).",
                ),
                got=len(frames),
                expected=num_frames,
            )
        if len(timestamps) != len(frames):
            raise Failure(
                message(
                    "video_frames.timestamps_length",
                    "`sampled` has {frames} frames but {timestamps} timestamps; every frame needs "
                    "its own time.",
                ),
                frames=len(frames),
                timestamps=len(timestamps),
            )
        for value in timestamps:
            if not 0 <= value <= duration + 1e-6:  # float error
                raise Failure(
                    message(
                        "video_frames.outside",
                        "timestamp {value:.2f} s lies outside the video (0 to {duration:.2f} s).",
                    ),
                    value=value,
                    duration=duration,
                )
        for previous, current in zip(timestamps, timestamps[1:]):
            if current <= previous:
                raise Failure(
                    message(
                        "video_frames.not_increasing",
                        "the timestamps do not increase ({previous:.2f} s, then {current:.2f} s). Keep "
                        "the frames in time order.",
                    ),
                    previous=previous,
                    current=current,
                )
        if len(timestamps) >= 2:
            covered = timestamps[-1] - timestamps[0]
            if covered < 0.5 * duration:
                raise Failure(
                    message(
                        "video_frames.not_covering",
                        "the frames cover only {covered:.1f} s of a {duration:.1f} s video. Spread "
                        "them over the whole video (`num_frames=`, or a low `fps`).",
                    ),
                    covered=covered,
                    duration=duration,
                )
            gaps = np.diff(timestamps)
            frame_time = 1 / sampled.native_fps if getattr(sampled, "native_fps", 0) else 0.1
            if gaps.max() - gaps.min() > 0.5 * gaps.mean() + 2 * frame_time:
                raise Failure(
                    message(
                        "video_frames.uneven",
                        "the frames are not evenly spaced: gaps range from {smallest:.2f} s to "
                        "{largest:.2f} s. `sample_frames(path, num_frames=N)` spreads them evenly.",
                    ),
                    smallest=float(gaps.min()),
                    largest=float(gaps.max()),
                )
        fps = float(getattr(sampled, "native_fps", 0) or 0)
        for index, (frame, stamp) in enumerate(zip(frames, timestamps)):
            shown = second_of_frame(frame, fps)
            if shown is not None and shown != whole_second(stamp):
                raise Failure(
                    message(
                        "video_frames.frame_mismatch",
                        "frame {index} shows second {shown}, but its timestamp says {timestamp:.2f} s. "
                        "Keep each frame together with its own timestamp (don't reorder or replace "
                        "frames).",
                    ),
                    index=index,
                    shown=shown,
                    timestamp=stamp,
                )
        return frames, timestamps


one_image = OneImage(LESSON)
left_padded_batch = LeftPaddedBatch(LESSON)
video_frames = VideoFrames(LESSON)
