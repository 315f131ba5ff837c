"""Lesson 1 checks on the embedded model: right answers pass, realistic wrong ones fail with the right hint.

Also the framework around them: not attempted, no tracebacks, results file, hints, solutions, i18n.
"""

import dataclasses
import json
import random
import warnings
from pathlib import Path

import pytest
import torch
from exercise_outcomes import outcome_of

from course_utils import i18n
from course_utils.exercises import core
from course_utils.exercises import usage as ex
from course_utils.generation import ask, chat, prepare_inputs
from course_utils.i18n import tr
from course_utils.messages import build_messages
from course_utils.scenes import make_scene, make_scene_questions
from course_utils.video import sample_frames
from course_utils.video_synth import make_test_video, random_colors

SOLUTIONS = Path(__file__).resolve().parents[1] / "course_utils" / "solutions" / "01_vlm_usage"
SCENE, QUESTION, _, _ = make_scene_questions(1, seed=99)[0]
PICTURE = SCENE.image


def user_turn(*parts):
    return {"role": "user", "content": list(parts)}


def image(picture=PICTURE):
    return {"type": "image", "image": picture}


def text(value):
    return {"type": "text", "text": value}


# ----------------------------------------------------------------------------- 🐢 one_image


@pytest.fixture(scope="module")
def one_image_right(lesson):
    model, processor = lesson
    messages = [user_turn(image(), text("What color is the shape?"))]
    return messages, chat(model, processor, messages)


def test_one_image_passes_the_solution_shape(one_image_right):
    messages, answer = one_image_right
    assert outcome_of(ex.one_image, messages, answer) == ("passed", "one_image.passed")
    # a system prompt is allowed, and `build_messages` builds the same structure
    model, processor = ex.LESSON.model, ex.LESSON.processor
    with_system = build_messages("What shape is it?", images=PICTURE, system="Answer briefly.")
    assert ex.one_image.check(with_system, chat(model, processor, with_system)).passed


def test_one_image_starter_is_not_attempted(lesson):
    assert outcome_of(ex.one_image, None, None) == ("not_attempted", "core.not_attempted")
    assert outcome_of(ex.one_image, ..., ...) == ("not_attempted", "core.not_attempted")


@pytest.mark.parametrize(
    "make_messages, code",
    [
        (lambda: "What color is the shape?", "core.wrong_type"),  # a string, not a conversation
        (lambda: user_turn(image(), text("What color?")), "core.wrong_type"),  # one turn, not a list
        (  # the answer written into the prompt: the model has nothing left to say
            lambda: [
                user_turn(image(), text("What color?")),
                {"role": "assistant", "content": [text("red")]},
            ],
            "one_image.ends_with_assistant",
        ),
        (
            lambda: [user_turn({"type": "image"}, text("What color?"))],
            "core.invalid_messages",
        ),  # no picture
        (lambda: [{"role": "user", "content": "What color is the shape?"}], "core.invalid_messages"),
        (lambda: [user_turn(image("a red circle"), text("What color?"))], "one_image.bad_image"),
        (lambda: [user_turn(image(), image(), text("What color?"))], "one_image.image_count"),
        (lambda: [user_turn(text("What color is the shape?"))], "one_image.image_count"),
        (lambda: [user_turn(image(), text("  "))], "one_image.empty_question"),
        (lambda: [user_turn(image(), text("Hi."), text("What color?"))], "one_image.question_count"),
        (lambda: [user_turn(image(), text("Color?")), user_turn(text("Shape?"))], "one_image.user_turns"),
    ],
)
def test_one_image_wrong_messages_fail_with_specific_feedback(one_image_right, make_messages, code):
    _, answer = one_image_right
    assert outcome_of(ex.one_image, make_messages(), answer) == ("failed", code)


def test_one_image_answer_with_the_prompt_fails(lesson, one_image_right):
    model, processor = lesson
    messages, answer = one_image_right
    # Decoding the whole generated sequence instead of the new tokens only.
    inputs = prepare_inputs(processor, [messages]).to(model.device, dtype=model.dtype)
    output = model.generate(**inputs, max_new_tokens=8, do_sample=False)
    whole = processor.batch_decode(output, skip_special_tokens=True)[0]
    assert outcome_of(ex.one_image, messages, whole) == ("failed", "one_image.prompt_not_cut")
    echoed = f"What color is the shape? {answer}"
    assert outcome_of(ex.one_image, messages, echoed) == ("failed", "one_image.prompt_not_cut")
    with_marker = f"{answer}<end_of_utterance>"
    assert outcome_of(ex.one_image, messages, with_marker) == ("failed", "one_image.special_tokens")


def test_one_image_answer_must_be_the_models_new_text(one_image_right):
    messages, answer = one_image_right
    assert outcome_of(ex.one_image, messages, answer + " and more") == ("failed", "core.answer_mismatch")
    # An empty answer is what the model writes when the prompt lacks the `Assistant:` cue (if it does).
    silent_without_cue = ex.one_image._without_cue(messages) == ""
    empty = "one_image.no_generation_prompt" if silent_without_cue else "core.answer_empty"
    assert outcome_of(ex.one_image, messages, "") == ("failed", empty)
    assert outcome_of(ex.one_image, messages, [answer]) == ("failed", "core.wrong_type")
    assert outcome_of(ex.one_image, messages, None) == ("failed", "core.incomplete")


def test_one_image_messages_the_model_cannot_process_fail_without_raising(lesson):
    messages = [{"role": "assistant", "content": [text("Hello")]}, user_turn(image(), text("Color?"))]
    messages.append(user_turn(text("again")))
    status, code = outcome_of(ex.one_image, messages, "red")
    assert status == "failed" and code == "one_image.user_turns"


# ----------------------------------------------------------------------------- 🐕 left_padded_batch


def batched_answers(model, processor, pairs, padding_side="left", full=False, max_new_tokens=32):
    conversations = [build_messages(question, images=picture) for picture, question in pairs]
    inputs = prepare_inputs(processor, conversations).to(model.device, dtype=model.dtype)
    if padding_side == "right":
        from course_utils.messages import split_media

        texts, images = [], []
        for messages in conversations:
            template, pictures, _ = split_media(messages, video_as_frames=True)
            texts.append(processor.apply_chat_template(template, add_generation_prompt=True, tokenize=False))
            images.append(pictures)
        raw = processor(text=texts, images=images, return_tensors="pt", padding=True, padding_side="right")
        inputs = raw.to(model.device, dtype=model.dtype)
    output = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    kept = output if full else output[:, inputs["input_ids"].shape[1] :]
    return [answer.strip() for answer in processor.batch_decode(kept, skip_special_tokens=True)]


def test_left_padded_batch_passes_a_left_padded_batch(lesson):
    status, code = outcome_of(ex.left_padded_batch, batched_answers)
    assert (status, code) == ("passed", "left_padded_batch.passed")
    assert ex.left_padded_batch.last_outcome.fields["calls"] == 1


def test_left_padded_batch_passes_the_reference_solution(lesson):
    model, processor = lesson
    source = (SOLUTIONS / "left_padded_batch.py").read_text()
    # the whole solution cell, run with the names the notebook's earlier cells define
    batch_pairs = [(make_scene(random.Random(seed)).image, "Count the shapes.") for seed in range(2)]
    namespace = {
        "torch": torch,
        "model": model,
        "processor": processor,
        "ask": ask,
        "batch_pairs": batch_pairs,
        "tr": tr,
    }
    exec(compile(source, "left_padded_batch.py", "exec"), namespace)
    assert outcome_of(ex.left_padded_batch, namespace["answer_all"]) == ("passed", "left_padded_batch.passed")


def test_left_padded_batch_starter_stub_is_not_attempted(lesson):
    def answer_all(model, processor, pairs):
        """Answers to (image, question) pairs."""
        ...

    assert outcome_of(ex.left_padded_batch, answer_all) == ("not_attempted", "core.not_attempted")
    assert outcome_of(ex.left_padded_batch, None) == ("not_attempted", "core.not_attempted")


@pytest.mark.parametrize(
    "answer_all, code",
    [
        (
            lambda m, p, pairs: batched_answers(m, p, pairs, full=True),
            "left_padded_batch.contains_prompt",
        ),  # sliced wrong
        (lambda m, p, pairs: batched_answers(m, p, pairs)[::-1], "left_padded_batch.wrong_order"),
        (lambda m, p, pairs: batched_answers(m, p, pairs)[:-1], "left_padded_batch.wrong_length"),
        (lambda m, p, pairs: batched_answers(m, p, pairs * 2), "left_padded_batch.wrong_length"),
        (
            lambda m, p, pairs: batched_answers(m, p, pairs, padding_side="right"),
            "left_padded_batch.right_padding",
        ),
        (lambda m, p, pairs: batched_answers(m, p, pairs, max_new_tokens=1), "left_padded_batch.differs"),
        (lambda m, p, pairs: [ask(m, p, image, q) for image, q in pairs], "left_padded_batch.not_batched"),
        (lambda m, p, pairs: "\n".join(batched_answers(m, p, pairs)), "core.wrong_type"),  # not a list
        (lambda m, p, pairs: [len(a) for a in batched_answers(m, p, pairs)], "left_padded_batch.not_strings"),
        (lambda m, p, pairs: p(text=[q for _, q in pairs]), "core.wrong_type"),  # returns a BatchFeature
        (lambda m, p, pairs: m.generate(pairs), "core.raised"),  # the learner's code raises
        ("answer_all", "core.wrong_type"),  # not a function
    ],
)
def test_left_padded_batch_wrong_functions_fail_with_specific_feedback(lesson, answer_all, code):
    assert outcome_of(ex.left_padded_batch, answer_all) == ("failed", code)


def test_left_padded_batch_restores_generate_even_when_the_learner_raises(lesson):
    model, _ = lesson

    def broken(m, p, pairs):
        raise RuntimeError("boom")

    assert outcome_of(ex.left_padded_batch, broken) == ("failed", "core.raised")
    assert "generate" not in vars(model)
    assert "boom" in ex.left_padded_batch.last_outcome.message


# ----------------------------------------------------------------------------- 🦁 video_frames


@pytest.fixture(scope="module")
def clip_video(tmp_path_factory):
    return make_test_video(tmp_path_factory.mktemp("clip") / "clip.mp4", seconds=8, size=(160, 120))


@pytest.fixture(scope="module")
def sampled_clip(clip_video):
    return sample_frames(clip_video.path, num_frames=6)


def timestamped_parts(sampled, label=lambda t: f"Frame at {int(t) // 60:02d}:{int(t) % 60:02d}:"):
    parts = []
    for frame, timestamp in zip(sampled.frames, sampled.timestamps):
        parts += [text(label(timestamp)), image(frame)]
    return parts


def video_question(parts):
    return [user_turn(*parts, text("What changes over time?"))]


MODEL_ANSWER = object()


def frames_check(sampled, messages, answer=MODEL_ANSWER):
    if answer is MODEL_ANSWER:
        model, processor = ex.LESSON.model, ex.LESSON.processor
        answer = chat(model, processor, messages)
    return outcome_of(ex.video_frames, sampled, messages, answer, num_frames=6)


def test_video_frames_passes_timestamped_frames(lesson, sampled_clip):
    assert frames_check(sampled_clip, video_question(timestamped_parts(sampled_clip))) == (
        "passed",
        "video_frames.passed",
    )
    # other ways of writing the time are fine too
    seconds = video_question(timestamped_parts(sampled_clip, label=lambda t: f"{t:.1f} s"))
    assert frames_check(sampled_clip, seconds) == ("passed", "video_frames.passed")


def test_video_frames_passes_the_reference_solution(lesson, tmp_path):
    model, processor = lesson
    namespace = {
        "make_test_video": make_test_video,
        "random_colors": random_colors,
        "sample_frames": sample_frames,
        "chat": chat,
        "model": model,
        "processor": processor,
        "WORK_DIR": tmp_path,
        "NUM_FRAMES": 6,
        "tr": tr,
    }
    exec(compile((SOLUTIONS / "video_frames.py").read_text(), "video_frames.py", "exec"), namespace)
    values = namespace["sampled"], namespace["video_messages"], namespace["video_answer"]
    assert outcome_of(ex.video_frames, *values, num_frames=6) == ("passed", "video_frames.passed")
    # a random colour order: the check still matches frames to times, and names the real colours
    colors = namespace["test_video"].color_names
    message = ex.video_frames.last_outcome.message
    assert f"first frame shows `{colors[0]}`" in message and f"last one `{colors[-1]}`" in message


def test_video_frames_starter_is_not_attempted(lesson):
    assert outcome_of(ex.video_frames, None, None, None, num_frames=6) == (
        "not_attempted",
        "core.not_attempted",
    )


def test_video_frames_wrong_sampling_fails_with_specific_feedback(lesson, clip_video, sampled_clip):
    right = video_question(timestamped_parts(sampled_clip))
    # the first 6 frames at the native rate: evenly spaced, but only the first half second
    start = sample_frames(clip_video.path, fps=10, end=0.6)
    assert frames_check(start, video_question(timestamped_parts(start)))[1] == "video_frames.not_covering"
    # too many frames
    eight = sample_frames(clip_video.path, num_frames=8)
    assert frames_check(eight, video_question(timestamped_parts(eight))) == (
        "failed",
        "video_frames.frame_count",
    )
    # frames reversed but their timestamps kept: no frame shows its time any more
    reversed_frames = dataclasses.replace(sampled_clip, frames=sampled_clip.frames[::-1])
    assert frames_check(reversed_frames, right, "red") == ("failed", "video_frames.frame_mismatch")
    # timestamps made up as "one frame per second"
    invented = dataclasses.replace(sampled_clip, timestamps=[float(i) for i in range(6)])
    assert frames_check(invented, right, "red") == ("failed", "video_frames.frame_mismatch")
    # timestamps sorted the wrong way round
    backwards = dataclasses.replace(sampled_clip, timestamps=sampled_clip.timestamps[::-1])
    assert frames_check(backwards, right, "red") == ("failed", "video_frames.not_increasing")
    # frames bunched at the start and the end
    bunched = sample_frames(clip_video.path, fps=10, end=0.3)
    uneven = dataclasses.replace(
        sampled_clip,
        frames=bunched.frames + sampled_clip.frames[-3:],
        timestamps=bunched.timestamps + sampled_clip.timestamps[-3:],
    )
    assert frames_check(uneven, right, "red") == ("failed", "video_frames.uneven")
    assert frames_check("video_frames.mp4", right, "red") == ("failed", "core.wrong_type")


def test_video_frames_wrong_messages_fail_with_specific_feedback(lesson, sampled_clip):
    frames, times = sampled_clip.frames, sampled_clip.timestamps
    question = text("What changes over time?")
    only_images = [user_turn(*[image(frame) for frame in frames], question)]
    assert frames_check(sampled_clip, only_images, "red") == (
        "failed",
        "video_frames.missing_timestamp",
    )
    stamps_after = [
        user_turn(*[p for f, t in zip(frames, times) for p in (image(f), text(f"{t:.0f} s"))], question)
    ]
    assert frames_check(sampled_clip, stamps_after, "red") == (
        "failed",
        "video_frames.missing_timestamp",
    )
    question_first = [user_turn(question, *timestamped_parts(sampled_clip))]
    assert frames_check(sampled_clip, question_first, "red") == (
        "failed",
        "video_frames.question_not_last",
    )
    frame_numbers = video_question(timestamped_parts(sampled_clip, label=lambda t: f"Frame {int(t) + 7}:"))
    assert frames_check(sampled_clip, frame_numbers, "red") == (
        "failed",
        "video_frames.wrong_timestamp",
    )
    parts = timestamped_parts(sampled_clip)
    swapped = parts[:]
    swapped[1], swapped[3] = swapped[3], swapped[1]
    assert frames_check(sampled_clip, video_question(swapped), "red") == (
        "failed",
        "video_frames.images_not_frames",
    )
    assert frames_check(sampled_clip, video_question(parts[:-2]), "red") == (
        "failed",
        "video_frames.image_count",
    )
    as_video = [user_turn({"type": "video", "video": sampled_clip}, question)]
    assert frames_check(sampled_clip, as_video, "red") == ("failed", "video_frames.video_part")
    ends_with_answer = video_question(parts) + [{"role": "assistant", "content": [text("red")]}]
    assert frames_check(sampled_clip, ends_with_answer, "red") == (
        "failed",
        "video_frames.last_not_user",
    )


def test_video_frames_answer_must_be_new_tokens_only(lesson, sampled_clip):
    messages = video_question(timestamped_parts(sampled_clip))
    model, processor = lesson
    answer = chat(model, processor, messages)
    with_prompt = f"User: What changes over time?\nAssistant: {answer}"
    assert frames_check(sampled_clip, messages, with_prompt) == (
        "failed",
        "core.answer_has_prompt",
    )
    assert frames_check(sampled_clip, messages, answer + " maybe") == (
        "failed",
        "core.answer_mismatch",
    )
    assert frames_check(sampled_clip, messages, None) == ("failed", "core.incomplete")


# ----------------------------------------------------------------------------- framework


def test_checks_record_outcomes_in_the_results_file(lesson, one_image_right, tmp_path, monkeypatch):
    results = tmp_path / "results.jsonl"
    monkeypatch.setenv("COURSE_RESULTS_FILE", str(results))
    messages, answer = one_image_right
    ex.one_image.check(None, None)
    ex.one_image.check(messages + [{"role": "assistant", "content": [text("red")]}], answer)
    ex.one_image.check(messages, answer)
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    assert rows == [
        {
            "lesson": "01_vlm_usage",
            "exercise": "one_image",
            "outcome": "not_attempted",
            "code": "core.not_attempted",
            "fields": {},
        },
        {
            "lesson": "01_vlm_usage",
            "exercise": "one_image",
            "outcome": "failed",
            "code": "one_image.ends_with_assistant",
            "fields": {},
        },
        {
            "lesson": "01_vlm_usage",
            "exercise": "one_image",
            "outcome": "passed",
            "code": "one_image.passed",
            "fields": {"answer": answer},
        },
    ]


def test_feedback_is_printed_outside_a_notebook(lesson, one_image_right, capsys):
    messages, answer = one_image_right
    ex.one_image.check(messages[:0] + [messages[0], {"role": "assistant", "content": [text("x")]}], answer)
    printed = capsys.readouterr().out
    assert printed.startswith("❌") and "model writes the assistant turn" in printed
    ex.one_image.check(messages, answer)
    assert capsys.readouterr().out.startswith("✅")
    ex.one_image.check(None, None)
    assert "Not attempted yet" in capsys.readouterr().out


def test_a_bug_in_a_check_is_reported_not_raised(lesson, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_RESULTS_FILE", str(tmp_path / "r.jsonl"))

    def buggy(*values, **options):
        raise KeyError("oops")

    monkeypatch.setattr(ex.one_image, "verify", buggy)
    outcome = ex.one_image.check([user_turn(image(), text("Color?"))], "red")
    assert (outcome.status, outcome.code) == ("failed", "core.internal_error")
    assert "KeyError" in outcome.message


def test_checks_need_setup_and_say_so(one_image_right):
    messages, answer = one_image_right
    lesson = core.Lesson("01_vlm_usage")
    one_image = ex.OneImage(lesson)
    outcome = one_image.check(messages, answer)
    assert (outcome.status, outcome.code) == ("failed", "core.not_set_up")


def test_hints_and_solutions_are_shown(capsys):
    ex.left_padded_batch.hint()
    assert "padding_side" in capsys.readouterr().out
    ex.left_padded_batch.hint(2)
    assert "batch_decode" in capsys.readouterr().out
    ex.left_padded_batch.hint(5)
    assert "only 2 hints" in capsys.readouterr().out
    ex.video_frames.solution()
    shown = capsys.readouterr().out
    assert "```python" in shown and (SOLUTIONS / "video_frames.py").read_text().strip() in shown


def test_feedback_follows_the_language(lesson, one_image_right, monkeypatch):
    messages, answer = one_image_right
    wrong = [messages[0], {"role": "assistant", "content": [text("red")]}]
    try:
        i18n.set_language("ja")
        assert (
            "アシスタント" in ex.one_image.check(wrong, answer).message
            and "まだです" in ex.one_image.last_outcome.message
        )
        i18n.set_language("es")
        assert "Todavía no" in ex.one_image.check(wrong, answer).message
        i18n.set_language(None)
        monkeypatch.setenv("COURSE_LANG", "zh")
        assert "还不对" in ex.one_image.check(wrong, answer).message
        with pytest.warns(UserWarning, match="Unknown language 'fr'"):
            assert i18n.set_language("fr") == "en"
        assert "Not yet" in ex.one_image.check(wrong, answer).message
    finally:
        i18n.set_language("en")


def test_language_codes_are_normalised():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert i18n.set_language("ZH-cn") == "zh"
        assert i18n.set_language("ja_JP") == "ja"
    i18n.set_language("en")
    assert i18n.render(core.LABELS["passed"], language="es") == "Correcto"
