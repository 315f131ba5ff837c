"""The embedded tiny SmolVLM: built offline, deterministic, a real model folder, and taught.

Taught: lesson 1's scenes, the order of colours in a video, and the primitives lesson 2 adapts (bar
heights read out as lists of digits, left/right, top/bottom); never the lesson tasks themselves (they
stay at <= 10%).
"""

import json
import random
import re
from pathlib import Path

import pytest
import trl
from transformers import AutoModelForImageTextToText, AutoProcessor

from course_utils.evaluation import evaluate
from course_utils.generation import ask, ask_batch, chat
from course_utils.loading import TINY_DIRS
from course_utils.messages import video_to_image_parts
from course_utils.scenes import make_scene, make_scene_questions
from course_utils.synthetic_data import QUICK_CHART_KINDS, make_chartqa, make_shape_positions
from course_utils.video import sample_frames
from course_utils.video_synth import make_test_video, random_colours
from tools import teaching
from tools.tiny import build_tiny

FRESH_SEED = 987_654_321  # teaching draws its examples from seeds 0, 7919, ... times 1_000_003 + step


def _files(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def test_building_twice_gives_identical_files(tmp_path):
    first = _files(build_tiny(tmp_path / "a", phases=((3, 2e-3),)))
    second = _files(build_tiny(tmp_path / "b", phases=((3, 2e-3),)))
    assert "model.safetensors" in first and "tokenizer.json" in first
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.parametrize("kind", ["idefics3", "smolvlm"])
def test_shipped_folder_matches_what_the_builder_makes(tmp_path, kind):
    fresh = _files(build_tiny(tmp_path / kind, kind=kind, phases=()))
    shipped = _files(TINY_DIRS[kind])
    assert fresh.keys() == shipped.keys()
    differing = [name for name in fresh if fresh[name] != shipped[name]]
    assert differing == ["model.safetensors"]  # only the taught weights differ from an untaught build


@pytest.mark.parametrize(("kind", "model_type"), [("idefics3", "idefics3"), ("smolvlm", "smolvlm")])
def test_loads_through_the_auto_classes_like_a_hub_model(kind, model_type):
    processor = AutoProcessor.from_pretrained(TINY_DIRS[kind])
    model = AutoModelForImageTextToText.from_pretrained(TINY_DIRS[kind])
    assert model.config.model_type == model_type
    text, vision = model.config.text_config, model.config.vision_config
    for width in (
        text.hidden_size,
        text.intermediate_size,
        vision.hidden_size,
        vision.intermediate_size,
        text.vocab_size,
    ):
        assert width % 64 == 0
    assert 100_000 < model.num_parameters() < 2_000_000
    tokenizer = processor.tokenizer
    for token in [
        "<fake_token_around_image>",
        "<image>",
        "<global-img>",
        "<row_1_col_1>",
        "<row_6_col_6>",
        "<end_of_utterance>",
    ]:
        assert len(tokenizer.encode(token, add_special_tokens=False)) == 1, token
    if kind == "smolvlm":
        assert processor.video_processor is not None


def test_chat_template_is_smolvlms():
    processor = AutoProcessor.from_pretrained(TINY_DIRS["idefics3"])
    messages = [
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Hi?"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "red"}]},
    ]
    text = processor.apply_chat_template(messages, tokenize=False)
    assert text == "<|im_start|>User:<image>Hi?<end_of_utterance>\nAssistant: red<end_of_utterance>\n"
    config = json.loads((TINY_DIRS["idefics3"] / "config.json").read_text())
    assert config["model_type"] == "idefics3"


@pytest.mark.parametrize("kind", ["idefics3", "smolvlm"])
def test_ships_the_chat_template_of_the_real_checkpoints(kind):
    """Byte for byte trl's smolvlm.jinja, the template the real SmolVLM / SmolVLM2 checkpoints ship."""
    trl_template = Path(trl.__file__).parent / "chat_templates" / "smolvlm.jinja"
    assert (TINY_DIRS[kind] / "chat_template.jinja").read_bytes() == trl_template.read_bytes()
    assert AutoProcessor.from_pretrained(TINY_DIRS[kind]).chat_template == trl_template.read_text()


@pytest.mark.parametrize("kind", ["idefics3", "smolvlm"])
def test_trl_finds_its_training_template_for_answer_only_loss(kind):
    """`SFTConfig(assistant_only_loss=True)` needs it; trl refuses templates it does not know."""
    from trl.chat_template_utils import get_training_chat_template, smolvlm_training_chat_template

    processor = AutoProcessor.from_pretrained(TINY_DIRS[kind])
    assert get_training_chat_template(processor) == smolvlm_training_chat_template


def test_smolvlm2_still_renders_a_video_placeholder():
    """transformers' SmolVLMProcessor swaps in its video-capable template for a video part."""
    processor = AutoProcessor.from_pretrained(TINY_DIRS["smolvlm"])
    messages = [
        {"role": "user", "content": [{"type": "video", "path": "clip.mp4"}, {"type": "text", "text": "Hi?"}]}
    ]
    text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert text == "<|im_start|>User: <video>Hi?<end_of_utterance>\nAssistant:"


@pytest.mark.parametrize("fixture", ["tiny", "tiny_video"])
def test_answers_fresh_scene_questions_with_lesson_1s_settings(request, fixture):
    """Lesson 1 asks with image splitting on (the default). Measured 94% on 100 fresh scenes."""
    model, processor = request.getfixturevalue(fixture)
    examples = make_scene_questions(100, seed=FRESH_SEED)
    answers = ask_batch(
        model, processor, [(scene.image, q) for scene, q, _, _ in examples], batch_size=50, progress=False
    )
    correct = sum(answer == expected for answer, (_, _, expected, _) in zip(answers, examples))
    assert correct >= 80, f"only {correct}/100 correct"


def _taught_accuracy(model, processor, conversations) -> float:
    pairs = [
        (
            [part["image"] for part in turns[0]["content"] if part["type"] == "image"],
            turns[0]["content"][-1]["text"],
        )
        for turns in conversations
    ]
    answers = ask_batch(model, processor, pairs, batch_size=50, progress=False)
    truths = [turns[1]["content"][0]["text"] for turns in conversations]
    return sum(answer == truth for answer, truth in zip(answers, truths)) / len(truths)


# Exact answers on these 100 fresh pictures: about 10 points below what the shipped weights reach
# (measured: scenes 94% / 86%, chart read-out 100% / 97%, sorted heights 92% / 92%, sides 100% / 98%,
# splitting on / off). Whole answers must match, e.g. "bars: 2, 3, 1".
PRIMITIVE_FLOORS = {
    ("scene", True): 0.84,
    ("scene", False): 0.76,
    ("chart", True): 0.90,
    ("chart", False): 0.87,
    ("sorted_chart", True): 0.82,
    ("sorted_chart", False): 0.82,
    ("side", True): 0.90,
    ("side", False): 0.88,
}


@pytest.mark.parametrize(("task", "splitting"), sorted(PRIMITIVE_FLOORS))
def test_reads_every_taught_primitive_on_fresh_pictures(tiny, task, splitting):
    model, processor = tiny
    rng = random.Random(FRESH_SEED)
    conversations = [teaching.IMAGE_TASKS[task](rng) for _ in range(100)]
    saved = processor.image_processor.do_image_splitting
    processor.image_processor.do_image_splitting = splitting
    try:
        accuracy = _taught_accuracy(model, processor, conversations)
    finally:
        processor.image_processor.do_image_splitting = saved
    assert accuracy >= PRIMITIVE_FLOORS[task, splitting], f"{task} (splitting {splitting}): {accuracy:.0%}"


def test_every_taught_primitive_has_a_floor():
    assert {task for task, _ in PRIMITIVE_FLOORS} == set(teaching.IMAGE_TASKS)


def test_lesson_2_tasks_are_new_to_it(tiny):
    """Fine-tuning must teach something: chart questions and shape corners start at <= 10%."""
    model, processor = tiny
    saved = processor.image_processor.do_image_splitting
    processor.image_processor.do_image_splitting = False
    try:
        charts = make_chartqa(90, seed=FRESH_SEED % 1000, kinds=QUICK_CHART_KINDS)
        chart_result = evaluate(model, processor, charts, progress=False)
        shapes = make_shape_positions(80, seed=FRESH_SEED % 1000)
        shape_result = evaluate(model, processor, shapes, "picture", "question", "answer", progress=False)
    finally:
        processor.image_processor.do_image_splitting = saved
    assert chart_result.exact <= 0.10, chart_result
    assert shape_result.exact <= 0.10, shape_result


@pytest.fixture(scope="module")
def fresh_videos(tmp_path_factory):
    """20 encoded synthetic videos (H.264) of 5-9 s with random colour orders, sampled at 6 frames."""
    folder = tmp_path_factory.mktemp("videos")
    rng = random.Random(FRESH_SEED)
    videos = []
    for index in range(20):
        seconds = rng.randint(5, 9)
        colours = random_colours(seconds, seed=FRESH_SEED + index)
        clip = make_test_video(folder / f"{index}.mp4", seconds=seconds, size=(160, 120), colours=colours)
        sampled = sample_frames(clip.path, num_frames=6)
        shown = [clip.colour_names[int(stamp)] for stamp in sampled.timestamps]
        videos.append((sampled, shown))
    return videos


QUESTIONS = {"first": "Which colour comes first?", "last": "Which colour comes last?"}


def test_smolvlm2_tells_which_colour_comes_first_and_last(tiny_video, fresh_videos):
    model, processor = tiny_video
    right = 0
    for sampled, shown in fresh_videos:
        right += ask(model, processor, None, QUESTIONS["first"], video=sampled) == shown[0]
        right += ask(model, processor, None, QUESTIONS["last"], video=sampled) == shown[-1]
    assert right >= 0.9 * 2 * len(fresh_videos), f"{right}/{2 * len(fresh_videos)}"


@pytest.mark.parametrize(("splitting", "floors"), [(False, (0.9, 0.9)), (True, (0.5, 0.9))])
def test_smolvlm_v1_tells_the_order_from_timestamped_frames(tiny, fresh_videos, splitting, floors):
    """One view per frame: measured 100% first and last; split frames (5 tiles each, lesson 1's
    default): 67% first, 100% last (lesson 1's 🦁 asks for the last colour)."""
    model, processor = tiny
    right = {"first": 0, "last": 0}
    saved = processor.image_processor.do_image_splitting
    processor.image_processor.do_image_splitting = splitting
    try:
        for sampled, shown in fresh_videos:
            for which, truth in (("first", shown[0]), ("last", shown[-1])):
                parts = [*video_to_image_parts(sampled), {"type": "text", "text": QUESTIONS[which]}]
                right[which] += chat(model, processor, [{"role": "user", "content": parts}]) == truth
    finally:
        processor.image_processor.do_image_splitting = saved
    for which, floor in zip(("first", "last"), floors):
        assert right[which] >= floor * len(fresh_videos), (which, right, len(fresh_videos))


# Questions a learner may type, written blind by a second author (from a description of the scenes and
# videos, without the teaching code) after the last phase's grammars were fixed; kept are those neither
# teaching pool gives (`test_held_out_questions_are_not_in_the_teaching_pool`). The previous round's
# hand-written set guided those grammars, so it is no longer held out (benchmarks/RESULTS.md, build t10).
HELD_OUT_SCENE_QUESTIONS = {
    "color": (
        "Could you please tell me the colour of the shapes in the picture?",
        "hey what color are these shapes",
        "What's the color of the figures shown here?",
        "I'd like to know what color these shapes are",
        "Can you tell me the colour of the shapes?",
        "Which color do the figures in the image have?",
        "I want to know what colour the things in the photo are.",
        "Do you know what color these items are?",
        "Would you mind telling me the colour of the objects in the scene?",
        "Please identify the color of the shapes shown.",
        "Tell me which colour the shapes in the image are.",
        "What color have the shapes been painted?",
        "Could you please say what colour the objects appear to be?",
        "What is the color of the things you see?",
        "Which colour are the items displayed in the picture?",
        "In what colour are the shapes drawn?",
        "I'd like to know the color of the objects shown here.",
        "the shapes are what colour?",
        "What single color do all the shapes share?",
        "Would you please tell me what color the figures in the photo are?",
    ),
    "shape": (
        "What kind of shape is in the picture?",
        "Can you tell me what type of shape this is?",
        "Name the shape shown in the image.",
        "Could you please identify the kind of shape in this image?",
        "Tell me which shape appears in the picture.",
        "What geometric figure is shown?",
        "What type of figures does the photo contain?",
        "I want to know which shape appears in the scene.",
        "Would you mind telling me what kind of shapes these are?",
        "Please identify the shape of the objects.",
        "Do you know what shape these things have?",
        "What geometric shape does the image show?",
        "what are the shapes called",
        "Which kind of figure is depicted?",
        "Could you please name the type of shape displayed?",
        "Are the objects round, square or triangular?",
        "What form do the objects in this photo take?",
        "Are we looking at circles, squares or triangles?",
        "I'd like to know what shape the figures in the image are.",
        "Identify the kind of shape in this image, please.",
        "Which geometric figure appears in the picture?",
    ),
    "count": (
        "Can you tell me how many shapes are in the picture?",
        "Could you please count how many shapes are shown?",
        "Tell me the total number of shapes.",
        "I'd like to know how many shapes there are in this picture",
        "Can you tell me how many figures are in the image?",
        "What is the number of items shown in the photo?",
        "I want to know how many things appear in the scene.",
        "Would you mind counting the objects in the picture?",
        "Please tell me how many shapes the image contains.",
        "How many figures does this photo display?",
        "Do you know how many shapes there are in the image?",
        "how many shapes",
        "What's the total number of objects in this scene?",
        "Could you please count how many things are shown?",
        "Tell me the number of figures depicted.",
        "shape count?",
        "I'd like to know the number of objects in this image.",
        "Give me the count of shapes in the picture.",
        "Exactly how many objects are drawn here?",
        "Hey, how many shapes can you spot?",
        "Please count the figures in the scene and tell me the number.",
    ),
    "describe": (
        "Can you describe what's in the picture?",
        "Could you please briefly describe the picture?",
        "Tell me what this picture shows.",
        "Summarise the picture in a few words.",
        "Briefly, what does the image contain?",
        "Can you describe what you see in this photo?",
        "Please give a short description of the image.",
        "Tell me what the scene contains.",
        "Would you mind describing the picture for me?",
        "I want to know what's in this image.",
        "Briefly describe the photo.",
        "Could you tell me what the image depicts?",
        "what is this a picture of",
        "Describe what appears in the photo, please.",
        "Do you know what this image contains?",
        "How would you describe this picture?",
        "What does the image display?",
        "Explain in a short phrase what is in the scene.",
        "image description?",
    ),
}
HELD_OUT_VIDEO_QUESTIONS = {
    "first": (
        "Can you tell me the first colour in the video?",
        "What is the color of the first frame?",
        "Name the color that appears at the beginning of the video.",
        "Could you please tell me which colour the clip opens with?",
        "Which color comes up first in this clip?",
        "I want to know which colour the clip begins with.",
        "Name the first color shown.",
        "Do you know what color the opening frame is?",
        "Would you mind telling me which colour appears first?",
        "Please identify the color at the start of the video.",
        "What's the initial colour of the clip?",
        "Tell me the colour the video opens with.",
        "What color do the frames show at the very beginning?",
        "Could you please say what colour comes up first in the sequence?",
        "What is the first color you see in the clip?",
        "At the start of the video, what colour is shown?",
        "Which colour does the sequence of frames begin with?",
        "I'd like to know what color the first frame is.",
        "Hey, what colour is the video at the beginning?",
        "What color appears before all the others?",
        "Identify the colour of the first frame.",
        "In the video, which color is shown at the start?",
        "What colour do you see when the video begins?",
    ),
    "last": (
        "Can you tell me the final colour in the video?",
        "What is the color of the last frame?",
        "Name the color that appears at the end of the video.",
        "Could you please tell me which colour the clip finishes on?",
        "Which color comes up last in this clip?",
        "Can you tell me the last colour in the clip?",
        "I want to know which colour the video finishes on.",
        "Name the final color shown.",
        "Do you know what color the closing frame is?",
        "Would you mind telling me which colour appears last?",
        "Please identify the color at the end of the video.",
        "What's the final colour of the clip?",
        "Tell me the colour the video closes with.",
        "What color do the frames show at the very end?",
        "Could you please say what colour comes up last in the sequence?",
        "What is the last color you see in the clip?",
        "By the end of the video, what colour is shown?",
        "Which colour does the sequence of frames finish on?",
        "I'd like to know what color the last frame is.",
        "Hey, what colour is the video at the end?",
        "What color appears after all the others?",
        "Identify the color of the final frame.",
        "In the video, which color is shown at the finish?",
        "What colour do you see when the video ends?",
    ),
}
SCENES_PER_QUESTION = 8


def _typed_form(question: str) -> str:
    return question.lower().rstrip("?.! ")


def _grammar_pattern(grammar: tuple[str, ...]) -> re.Pattern:
    """Every typed form `teaching.composed_question` can give from one grammar, as a regex."""

    def alternatives(template: str) -> str:
        return re.escape(template.lower()).replace(r"\{", "(?:").replace(r"\}", ")").replace(r"\|", "|")

    openings = "|".join(re.escape(text.lower()) for text in teaching._OPENINGS)
    closings = "|".join(re.escape(text) for text in teaching._CLOSINGS)
    cores = "|".join(alternatives(template) for template in grammar)
    return re.compile(rf"(?:{openings})(?:{cores})(?:{closings})")


def test_held_out_questions_are_not_in_the_teaching_pool():
    taught = [*teaching.BROAD_SCENE_QUESTIONS.values(), *teaching.BROAD_VIDEO_QUESTIONS.values()]
    pool = {_typed_form(question) for questions in taught for question in questions}
    grammars = [*teaching.COMPOSED_SCENE_GRAMMAR.values(), *teaching.COMPOSED_VIDEO_GRAMMAR.values()]
    patterns = [_grammar_pattern(grammar) for grammar in grammars]
    # the patterns do recognise what the grammars give
    rng = random.Random(0)
    for grammar, pattern in zip(grammars, patterns):
        for _ in range(50):
            assert pattern.fullmatch(_typed_form(teaching.composed_question(rng, grammar).lower()))
    held_out = [*HELD_OUT_SCENE_QUESTIONS.values(), *HELD_OUT_VIDEO_QUESTIONS.values()]
    taught_here = [
        question
        for group in held_out
        for question in group
        if _typed_form(question) in pool or any(p.fullmatch(_typed_form(question)) for p in patterns)
    ]
    assert taught_here == []
    for questions in held_out:
        if any("colo" in question for question in questions):
            assert any("colour" in q for q in questions) and any("color" in q for q in questions)


def paraphrase_scene_accuracy(model, processor, kind: str, seed: int = FRESH_SEED) -> float:
    """Exact answers to the held-out wordings of one scene question `kind`, each on fresh scenes."""
    rng = random.Random(seed)
    scenes = [make_scene(rng) for _ in range(SCENES_PER_QUESTION * len(HELD_OUT_SCENE_QUESTIONS[kind]))]
    questions = [q for q in HELD_OUT_SCENE_QUESTIONS[kind] for _ in range(SCENES_PER_QUESTION)]
    answers = ask_batch(
        model,
        processor,
        [(scene.image, q) for scene, q in zip(scenes, questions)],
        batch_size=50,
        progress=False,
    )
    return sum(answer == scene.answer(kind) for answer, scene in zip(answers, scenes)) / len(scenes)


def paraphrase_video_accuracy(model, processor, videos, which: str, frames: bool = False) -> float:
    """Exact answers to the held-out wordings of "which colour comes first / last" on fresh videos;
    `frames` asks SmolVLM v1's way (timestamped pictures) instead of a video part."""
    right = total = 0
    for index, (sampled, shown) in enumerate(videos):
        # Each video with half of the wordings, in turn, to keep the test short.
        for question in HELD_OUT_VIDEO_QUESTIONS[which][index % 2 :: 2]:
            truth = shown[0] if which == "first" else shown[-1]
            if frames:
                parts = [*video_to_image_parts(sampled), {"type": "text", "text": question}]
                answer = chat(model, processor, [{"role": "user", "content": parts}])
            else:
                answer = ask(model, processor, None, question, video=sampled)
            right += answer == truth
            total += 1
    return right / total


# Build t9, image splitting on (lesson 1's default), 100 fresh scenes per skill (benchmarks/RESULTS.md):
# colour 89%, count 93%; each floor about 5 points under, never below 85%. Shape (74%) and describe
# (69%) wordings stay under that target: no floor until a build reaches it.
PARAPHRASE_FLOORS = {"color": 0.85, "count": 0.88}
# SmolVLM2's video input, 20 fresh encoded videos x 4 wordings each: first 100%, last 89%.
VIDEO_PARAPHRASE_FLOORS = {"first": 0.95, "last": 0.85}


@pytest.mark.parametrize("kind", sorted(PARAPHRASE_FLOORS))
def test_answers_the_wordings_a_learner_types(tiny, kind):
    model, processor = tiny
    assert processor.image_processor.do_image_splitting  # lesson 1's default
    accuracy = paraphrase_scene_accuracy(model, processor, kind)
    assert accuracy >= PARAPHRASE_FLOORS[kind], f"{kind}: {accuracy:.0%}"


@pytest.mark.parametrize("which", sorted(VIDEO_PARAPHRASE_FLOORS))
def test_smolvlm2_answers_the_order_questions_a_learner_types(tiny_video, fresh_videos, which):
    model, processor = tiny_video
    accuracy = paraphrase_video_accuracy(model, processor, fresh_videos, which)
    assert accuracy >= VIDEO_PARAPHRASE_FLOORS[which], f"{which}: {accuracy:.0%}"
