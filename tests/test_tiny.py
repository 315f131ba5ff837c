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
from tokenizers import pre_tokenizers
from transformers import AutoModelForImageTextToText, AutoProcessor

from course_utils.evaluation import evaluate
from course_utils.generation import ask, ask_batch, chat
from course_utils.loading import TINY_DIRS
from course_utils.messages import video_to_image_parts
from course_utils.scenes import QUESTION_TEMPLATES, make_scene, make_scene_questions
from course_utils.synthetic_data import (
    CHART_QUESTION_TEMPLATES,
    QUICK_CHART_KINDS,
    make_chartqa,
    make_shape_positions,
)
from course_utils.video import sample_frames
from course_utils.video_synth import make_test_video, random_colors
from tools import teaching, tiny
from tools.tiny import FROZEN_TOKENIZER, build_tiny, build_tokenizer, tokenizer_corpus

FRESH_SEED = 987_654_321  # teaching draws its examples from seeds 0, 7919, ... times 1_000_003 + step


def _files(folder):
    """Each file's bytes; a config's stamp of the transformers that wrote it left out (the matrix of
    tools/compatibility.py builds with other releases than the one that built the shipped folder)."""
    files = {}
    for path in sorted(folder.iterdir()):
        if path.is_file():
            content = path.read_bytes()
            files[path.name] = re.sub(rb'\n\s*"transformers_version": "[^"]*",?', b"", content)
    return files


def test_building_twice_gives_identical_files(tmp_path):
    first = _files(build_tiny(tmp_path / "a", phases=((3, 2e-3),)))
    second = _files(build_tiny(tmp_path / "b", phases=((3, 2e-3),)))
    assert "model.safetensors" in first and "tokenizer.json" in first
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.parametrize("kind", ["idefics3", "smolvlm"])
def test_shipped_folder_matches_what_the_builder_makes(tmp_path, kind):
    """Everything but the weights: the tokenizer files too, which the build reads from the frozen
    tokenizer.json (not from the lessons' questions) and must write back byte for byte."""
    fresh = _files(build_tiny(tmp_path / kind, kind=kind, phases=()))
    shipped = _files(TINY_DIRS[kind])
    assert fresh.keys() == shipped.keys()
    differing = [name for name in fresh if fresh[name] != shipped[name]]
    assert differing == ["model.safetensors"]  # only the taught weights differ from an untaught build


def test_lesson_3s_chart_answerer_is_built_from_the_shipped_v1_folder(tmp_path, monkeypatch):
    """Two steps of its phase, twice: the same files, and the shipped folder's files but the weights."""
    from course_utils.loading import TINY_CHARTS_DIR
    from tools import tiny

    monkeypatch.setattr(tiny, "CHARTS_PHASE", (2, 5e-4))
    first = _files(tiny.build_chart_answerer(tmp_path / "a", weights_from=TINY_DIRS["idefics3"]))
    second = _files(tiny.build_chart_answerer(tmp_path / "b", weights_from=TINY_DIRS["idefics3"]))
    assert [name for name in first if first[name] != second[name]] == []
    shipped = _files(TINY_CHARTS_DIR)
    assert first.keys() == shipped.keys()
    assert [name for name in first if first[name] != shipped[name]] == ["model.safetensors"]


# Sentences of the lessons and of the teaching, whose token ids the taught weights were learnt on.
LESSON_SENTENCES = (
    "What color is the shape?",
    "What colour are the shapes?",
    "How many shapes are there?",
    "Which bar is the tallest?",
    "What is the value of the red bar?",
    "Which colour comes first?",
    "bars: 2, 3, 1",
    "<|im_start|>User:<image>Describe the picture.<end_of_utterance>\nAssistant: 3 blue circles",
)
NEW_SCENE_QUESTION = "Which turquoise hue paints the shapes?"  # words no question had
NEW_CHART_QUESTION = "Whereabouts is the loftiest bar?"


def _tokenizer_parts(tokenizer) -> tuple:
    """Vocabulary, merges and added (special) tokens of a transformers tokenizer."""
    state = json.loads(tokenizer.backend_tokenizer.to_str())
    return tokenizer.get_vocab(), state["model"]["merges"], state["added_tokens"]


def test_rewording_a_lesson_question_leaves_the_tokenizer_unchanged(monkeypatch, tmp_path):
    """The tokenizer is frozen (tools/tiny.py): a scene and a chart question template reworded with
    words no question had before change none of the built tokenizer files or token ids, so the taught
    weights stay valid without teaching the model again."""
    color = QUESTION_TEMPLATES["color"]
    monkeypatch.setitem(QUESTION_TEMPLATES, "color", (*color[:-1], NEW_SCENE_QUESTION))
    tallest = CHART_QUESTION_TEMPLATES["tallest"]
    monkeypatch.setitem(CHART_QUESTION_TEMPLATES, "tallest", (NEW_CHART_QUESTION, *tallest[1:]))
    assert {NEW_SCENE_QUESTION, NEW_CHART_QUESTION} <= set(tokenizer_corpus())
    shipped = AutoProcessor.from_pretrained(TINY_DIRS["idefics3"]).tokenizer
    # Merges learnt from the reworded questions (what the build did before the tokenizer was frozen,
    # and what `--retrain-tokenizer` does) would give other token ids: what this test guards against.
    assert _tokenizer_parts(build_tokenizer(None))[:2] != _tokenizer_parts(shipped)[:2]

    built = build_tiny(tmp_path / "idefics3", phases=())
    for name in ("tokenizer.json", "tokenizer_config.json"):
        assert (built / name).read_bytes() == (TINY_DIRS["idefics3"] / name).read_bytes(), name
    fresh = AutoProcessor.from_pretrained(built).tokenizer
    assert _tokenizer_parts(fresh) == _tokenizer_parts(shipped)
    for sentence in (*LESSON_SENTENCES, NEW_SCENE_QUESTION, NEW_CHART_QUESTION):
        assert fresh(sentence).input_ids == shipped(sentence).input_ids, sentence


def test_builds_its_tokenizer_from_the_frozen_file_in_the_package():
    assert FROZEN_TOKENIZER == TINY_DIRS["idefics3"] / "tokenizer.json"
    assert FROZEN_TOKENIZER.read_bytes() == (TINY_DIRS["smolvlm"] / "tokenizer.json").read_bytes()
    shipped = AutoProcessor.from_pretrained(TINY_DIRS["smolvlm"]).tokenizer
    assert _tokenizer_parts(build_tokenizer()) == _tokenizer_parts(shipped)


@pytest.mark.parametrize("options", [["--kind", "smolvlm"], ["--weights-from", "t9", "--from-phase", "4"]])
def test_retraining_the_tokenizer_only_with_a_model_taught_from_scratch(options, capsys):
    with pytest.raises(SystemExit):
        tiny.main(["build", "--retrain-tokenizer", *options])
    assert "taught from scratch" in capsys.readouterr().err


@pytest.mark.parametrize(
    "sentence",
    [
        "Is the turquoise shape's colour a shade of teal?",
        "Whereabouts is the loftiest bar?",
        "Quelle est la forme ? Der Würfel ist grün. 形は何ですか 🦁",
    ],
)
def test_a_word_the_frozen_vocabulary_lacks_is_split_not_lost(sentence):
    """Every byte is a token of the byte-level vocabulary: a new word encodes as smaller pieces (bytes
    at worst), never as an unknown token nor dropped, and decodes back to the same text."""
    tokenizer = AutoProcessor.from_pretrained(TINY_DIRS["idefics3"]).tokenizer
    vocab = tokenizer.get_vocab()
    assert set(pre_tokenizers.ByteLevel.alphabet()) <= set(vocab)
    assert "Ġturquoise" not in vocab and len(tokenizer.tokenize(" turquoise")) > 1
    ids = tokenizer(sentence, add_special_tokens=False).input_ids
    assert tokenizer.unk_token_id not in ids
    assert all(0 <= token < len(tokenizer) for token in ids)
    assert tokenizer.decode(ids) == sentence


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
        colors = random_colors(seconds, seed=FRESH_SEED + index)
        clip = make_test_video(folder / f"{index}.mp4", seconds=seconds, size=(160, 120), colors=colors)
        sampled = sample_frames(clip.path, num_frames=6)
        shown = [clip.color_names[int(stamp)] for stamp in sampled.timestamps]
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


# Questions a learner may type, written blind by second authors (from a description of the scenes and
# videos, without the teaching code; benchmarks/RESULTS.md, build t10). LEARNER_*: one whole blind set
# of 30 everyday wordings per skill, written after the teaching grammars were final; most of them the
# teaching pool also gives. HELD_OUT_*: only wordings neither teaching pool gives
# (`test_held_out_questions_are_not_in_the_teaching_pool`), from that set and an earlier, harder one
# (synonyms, context sentences) whose misses guided the grammars' last additions.
LEARNER_SCENE_QUESTIONS = {
    "color": (
        "What colour are the shapes?",
        "What color are the shapes?",
        "what colour is the shape",
        "what color is the shape",
        "Which colour are the shapes in the picture?",
        "Which color are the shapes in the image?",
        "Can you tell me what colour the shapes are?",
        "Can you tell me what color the shapes are?",
        "colour of the shapes?",
        "color of the shapes?",
        "What colour are the shapes you can see?",
        "What color are the shapes you can see?",
        "Could you please tell me the colour of the shapes?",
        "Could you please tell me the color of the shapes?",
        "shape colour",
        "shape color",
        "What's the colour of the shapes in this picture?",
        "What's the color of the shapes in this picture?",
        "I'd like to know what colour the shapes are.",
        "I'd like to know what color the shapes are.",
        "hey, what colour are they?",
        "hey, what color are they?",
        "Tell me the colour of the shapes.",
        "Tell me the color of the shapes.",
        "What colour are the objects in the image?",
        "What color are the objects in the image?",
        "which colour?",
        "which color?",
        "Name the colour of the shapes, please.",
        "Name the color of the shapes, please.",
    ),
    "shape": (
        "What shape is it?",
        "What kind of shape is shown?",
        "what shape are they",
        "Which shape do you see in the picture?",
        "Are the shapes circles, squares or triangles?",
        "What type of shape is in the image?",
        "Can you tell me what shape these are?",
        "shape?",
        "what shapes are these",
        "Which kind of shape is in the picture?",
        "What shape are the objects?",
        "Could you tell me which shape is drawn here?",
        "Name the shape.",
        "What is the shape in the picture?",
        "what kind of shapes are in the image",
        "Is it a circle, a square or a triangle?",
        "What shape do the objects have?",
        "which shape",
        "I'm wondering what shape these are.",
        "What shapes can you see?",
        "Please tell me what kind of shape is shown.",
        "type of shape?",
        "What shape is drawn on the white background?",
        "hey, what shape is that?",
        "Identify the shape in the image.",
        "What sort of shape are they?",
        "Do you know what shape these are?",
        "what shape",
        "Which shape appears in the image?",
        "Tell me the shape of the objects, please.",
    ),
    "count": (
        "How many shapes are there?",
        "how many shapes",
        "How many shapes can you see?",
        "Count the shapes.",
        "How many objects are in the picture?",
        "What is the number of shapes in the image?",
        "Can you count the shapes for me?",
        "number of shapes?",
        "how many are there",
        "How many shapes are in this image?",
        "Could you tell me how many shapes there are?",
        "How many shapes does the picture show?",
        "how many do you see?",
        "Please count the shapes in the picture.",
        "What's the number of shapes?",
        "How many shapes are drawn?",
        "count?",
        "I'd like to know how many shapes there are.",
        "How many things are in the picture?",
        "hey, how many shapes are in there?",
        "How many shapes are on the white background?",
        "Tell me how many shapes you see.",
        "How many items are shown?",
        "what's the count of shapes",
        "Do you know how many shapes are in the image?",
        "How many shapes are shown in the picture?",
        "shape count",
        "Count how many shapes there are, please.",
        "How many objects can you count?",
        "Would you mind counting the shapes?",
    ),
    "describe": (
        "Describe the picture.",
        "What is in the image?",
        "What do you see?",
        "describe the image",
        "What's in this picture?",
        "Can you describe what you see?",
        "Give a short description of the image.",
        "what does the picture show",
        "Describe this image briefly.",
        "What can you see in the picture?",
        "Could you describe the picture for me, please?",
        "What is shown in the image?",
        "describe it",
        "Tell me what's in the picture.",
        "What does this image contain?",
        "Please describe the image in a few words.",
        "what's in the image?",
        "Summarise the picture in a few words.",
        "Summarize the image in a few words.",
        "Explain what's in the picture.",
        "hey, what's in this pic?",
        "Describe the shapes, their colour and how many there are.",
        "Describe the shapes, their color and how many there are.",
        "Caption this image.",
        "Write a short caption for the picture.",
        "What does the image show?",
        "Describe what's in the picture.",
        "I'd like a short description of this image.",
        "What's in the picture? Keep it short.",
        "Tell me about this picture.",
    ),
}
LEARNER_VIDEO_QUESTIONS = {
    "first": (
        "What colour is shown first?",
        "What color is shown first?",
        "Which colour comes first in the video?",
        "Which color comes first in the video?",
        "what colour does the video start with",
        "what color does the video start with",
        "What is the first colour in the video?",
        "What is the first color in the video?",
        "first colour?",
        "first color?",
        "What colour appears at the beginning of the video?",
        "What color appears at the beginning of the video?",
        "Can you tell me the first colour shown?",
        "Can you tell me the first color shown?",
        "What colour is the first frame?",
        "What color is the first frame?",
        "Which colour do you see at the start of the video?",
        "Which color do you see at the start of the video?",
        "Which colour is at the start?",
        "which color is at the start",
        "Could you tell me what colour the video begins with?",
        "Could you tell me what color the video begins with?",
        "Tell me the colour of the first frame, please.",
        "Tell me the color of the first frame, please.",
        "What colour did the video show first?",
        "What color did the video show first?",
        "hey, what's the first colour?",
        "hey, what's the first color?",
        "Which colour opens the video?",
        "Which color opens the video?",
    ),
    "last": (
        "What colour is shown last?",
        "What color is shown last?",
        "Which colour comes last in the video?",
        "Which color comes last in the video?",
        "what colour does the video end with",
        "what color does the video end with",
        "What is the last colour in the video?",
        "What is the last color in the video?",
        "last colour?",
        "last color?",
        "What colour appears at the end of the video?",
        "What color appears at the end of the video?",
        "Can you tell me the last colour shown?",
        "Can you tell me the last color shown?",
        "What colour is the last frame?",
        "What color is the last frame?",
        "Which colour do you see at the end of the video?",
        "Which color do you see at the end of the video?",
        "Which colour is at the end?",
        "which color is at the end",
        "Could you tell me what colour the video finishes with?",
        "Could you tell me what color the video finishes with?",
        "Tell me the colour of the final frame, please.",
        "Tell me the color of the final frame, please.",
        "What colour did the video show last?",
        "What color did the video show last?",
        "hey, what's the last colour?",
        "hey, what's the last color?",
        "Which colour closes the video?",
        "Which color closes the video?",
    ),
}
HELD_OUT_SCENE_QUESTIONS = {
    "color": (
        "Looking at this image, what colour are the objects?",
        "I'm curious what color the shapes are.",
        "hue?",
        "Would you be able to tell me what colour these shapes are?",
        "colour pls",
        "Could you identify the color of the items in this picture?",
        "In this picture, which colour have the shapes got?",
        "Report the shapes' color.",
        "Name the colour you see on the shapes.",
        "Hey, quick question: what color is everything drawn here?",
        "output the colour of the shapes",
        "Which colour is used for the shapes?",
        "Can you say what colour the things in this image are?",
        "Please give me the color of the drawn objects.",
        "So what hue are we looking at here for the shapes?",
        "The shapes in this image, what colour are they?",
        "My teacher asked me to find the color of the shapes in this image. What is it?",
        "Which color have the shapes been filled with?",
        "What colour are the shapes you can see?",
        "What color are the shapes you can see?",
        "shape colour",
        "shape color",
    ),
    "shape": (
        "shape pls",
        "Looking at this image, are these circles, squares or triangles?",
        "Identify the geometry of the objects in the picture.",
        "I'm curious what type of shape is drawn here.",
        "Would you be able to tell me which shape appears in the image?",
        "state the shape",
        "Could you tell me what kind of figure is in this picture?",
        "What geometric form is depicted?",
        "Report which shape the items are.",
        "Hey, what are these shapes called?",
        "In this image, what type of shapes can be seen?",
        "Please tell me the shape of the objects.",
        "output shape type",
        "Which geometric figure does this image contain?",
        "What is the name of the shape in this image?",
        "I need to know what shape these things are.",
        "Do you know which kind of shape this picture shows?",
        "Tell me the type of geometry used for the objects.",
        "So, what sort of shape are we dealing with here?",
        "Which form do the objects in the picture have?",
        "What outline do the drawn figures have?",
        "Looking at the picture, what shape do you see?",
        "list the kind of shape shown",
        "What type of shape is in the image?",
        "Can you tell me what shape these are?",
        "Which kind of shape is in the picture?",
        "Could you tell me which shape is drawn here?",
        "what kind of shapes are in the image",
        "I'm wondering what shape these are.",
        "What shape is drawn on the white background?",
        "Do you know what shape these are?",
    ),
    "count": (
        "Looking at this image, how many objects can you see?",
        "I'm curious how many figures are in the picture.",
        "Would you be able to count the objects for me?",
        "what's the total number of shapes",
        "State how many shapes are drawn.",
        "Please report the shape count.",
        "How many items does this picture contain?",
        "output the number of objects",
        "What amount of shapes is shown here?",
        "Can you tell me how many figures appear?",
        "count pls",
        "How many things are drawn on the white background?",
        "Give me the total count of shapes in this image.",
        "I'd like to know the quantity of objects in the picture.",
        "Hey, how many of those shapes are there in total?",
        "In this picture, how many shapes do you count?",
        "Tell me how many objects are present.",
        "Do you know how many figures this image has?",
        "Could you let me know the number of items drawn?",
        "My homework asks how many shapes are in this picture. What's the answer?",
        "So how many objects are we looking at?",
        "hey, how many shapes are in there?",
        "Do you know how many shapes are in the image?",
        "Would you mind counting the shapes?",
    ),
    "describe": (
        "describe pls",
        "Looking at this image, what do you see?",
        "I'm curious what's in this picture, can you describe it briefly?",
        "Provide an overview of the picture.",
        "Would you be able to summarise what the image contains?",
        "Output a short description of the picture.",
        "Summarize this image in a few words.",
        "Tell me what's drawn here.",
        "Could you describe the contents of this picture?",
        "Give a brief description of everything in the image.",
        "overview?",
        "Write a short caption describing the image.",
        "Describe what's on the white background, including colour, shape and number.",
        "Summarize the picture with the count, color and shape of the objects.",
        "Please explain briefly what the image shows.",
        "State what the picture contains.",
        "Can you give me a quick description of this image?",
        "I'd like a brief overview of what's in the image.",
        "In a few words, what does this image contain?",
        "Report what you see in the image.",
        "Tell me what's in the picture.",
        "Please describe the image in a few words.",
        "Summarize the image in a few words.",
        "Explain what's in the picture.",
        "Describe the shapes, their colour and how many there are.",
        "Describe the shapes, their color and how many there are.",
        "Write a short caption for the picture.",
        "Describe what's in the picture.",
        "I'd like a short description of this image.",
        "What's in the picture? Keep it short.",
        "Tell me about this picture.",
    ),
}
HELD_OUT_VIDEO_QUESTIONS = {
    "first": (
        "I'm curious what color the video starts with.",
        "Looking at this video, what hue does it open with?",
        "State the color of the opening frame.",
        "Would you be able to tell me which colour comes first in the clip?",
        "initial colour pls",
        "Which shade is shown at the start of the sequence?",
        "Report the first colour in the video.",
        "At the very beginning of the video, what color is on screen?",
        "Output the color of frame one.",
        "What tint does the video display first?",
        "Can you say what colour the first frame is?",
        "Which color comes before all the others in this video?",
        "In this clip, what's the opening colour?",
        "Hey, what color does it start on?",
        "I'd like to know the first hue shown in the sequence.",
        "Please give me the colour that the video opens on.",
        "Do you know what color is displayed at the beginning?",
        "what colour is shown initially",
        "So what's the very first color we see in the video?",
        "Identify the colour of the earliest frame.",
        "Which color kicks off the video?",
        "When the video begins, which color fills the frame?",
        "first frame colour",
        "Can you tell me the first colour shown?",
        "Can you tell me the first color shown?",
        "Which colour is at the start?",
        "which color is at the start",
        "What colour did the video show first?",
        "What color did the video show first?",
    ),
    "last": (
        "what color is the final frame",
        "I'm curious what color the video ends with.",
        "Looking at this video, what hue does it finish on?",
        "State the color of the closing frame.",
        "Would you be able to tell me which colour comes last in the clip?",
        "last colour pls",
        "In what shade does the sequence end?",
        "Report the last colour in the video.",
        "At the very end of the video, what color is on screen?",
        "Tell me which colour the clip concludes with.",
        "Output the color of the last frame.",
        "What tint does the video display at the end?",
        "Can you say what colour the last frame is?",
        "Which color comes after all the others in this video?",
        "In this clip, what's the closing colour?",
        "Hey, what color does it end on?",
        "I'd like to know the final hue shown in the sequence.",
        "Please give me the colour that the video finishes with.",
        "Do you know what color is displayed when the video ends?",
        "what colour is the video at the very end",
        "So what's the very last color we see in the video?",
        "Identify the colour of the concluding frame.",
        "Which color wraps up the video?",
        "Once the video is over, which color was shown last?",
        "last frame colour",
        "Can you tell me the last colour shown?",
        "Can you tell me the last color shown?",
        "Which colour is at the end?",
        "which color is at the end",
        "What colour did the video show last?",
        "What color did the video show last?",
    ),
}
QUESTION_SETS = {
    "learner": (LEARNER_SCENE_QUESTIONS, LEARNER_VIDEO_QUESTIONS),
    "held_out": (HELD_OUT_SCENE_QUESTIONS, HELD_OUT_VIDEO_QUESTIONS),
}
SCENES_PER_QUESTION = 8


def _typed_form(question: str) -> str:
    return question.lower().rstrip("?.! ")


def _bare(text: str) -> str:
    """Lower case, without articles (`composed_question` sometimes drops them) and double spaces."""
    return " ".join(re.sub(r"\b(?:the|a|an)\b", "", text.lower()).split())


def _grammar_pattern(grammar: tuple[str, ...]) -> re.Pattern:
    """Every `_bare` typed form `teaching.composed_question` can give from one grammar, as a regex."""

    def alternatives(template: str) -> str:
        pattern = re.escape(_bare(template)).replace(r"\{", "(?:").replace(r"\}", ")").replace(r"\|", "|")
        return pattern.replace(r"\ ", " *")  # an empty alternative leaves one space, not two

    openings = "|".join(re.escape(text.lower()) for text in teaching._OPENINGS)
    closings = "|".join(re.escape(text) for text in teaching._CLOSINGS)
    cores = "|".join(alternatives(template) for template in grammar)
    return re.compile(rf"(?:{openings})(?:{cores})(?:{closings})")


def _composed(question: str, patterns) -> bool:
    return any(pattern.fullmatch(_bare(_typed_form(question))) for pattern in patterns)


def test_held_out_questions_are_not_in_the_teaching_pool():
    taught = [*teaching.BROAD_SCENE_QUESTIONS.values(), *teaching.BROAD_VIDEO_QUESTIONS.values()]
    pool = {_typed_form(question) for questions in taught for question in questions}
    grammars = [*teaching.COMPOSED_SCENE_GRAMMAR.values(), *teaching.COMPOSED_VIDEO_GRAMMAR.values()]
    patterns = [_grammar_pattern(grammar) for grammar in grammars]
    # the patterns do recognise what the grammars give
    rng = random.Random(0)
    for grammar, pattern in zip(grammars, patterns):
        for _ in range(200):
            assert _composed(teaching.composed_question(rng, grammar), [pattern])
    held_out = [*HELD_OUT_SCENE_QUESTIONS.values(), *HELD_OUT_VIDEO_QUESTIONS.values()]
    taught_here = [
        question
        for group in held_out
        for question in group
        if _typed_form(question) in pool or _composed(question, patterns)
    ]
    assert taught_here == []
    for questions in held_out:
        if any("colo" in question for question in questions):
            assert any("colour" in q for q in questions) and any("color" in q for q in questions)


def paraphrase_scene_accuracy(model, processor, wordings: tuple[str, ...], kind: str) -> float:
    """Exact answers to the `wordings` of one scene question `kind`, each on fresh scenes."""
    rng = random.Random(FRESH_SEED)
    scenes = [make_scene(rng) for _ in range(SCENES_PER_QUESTION * len(wordings))]
    questions = [q for q in wordings for _ in range(SCENES_PER_QUESTION)]
    answers = ask_batch(
        model,
        processor,
        [(scene.image, q) for scene, q in zip(scenes, questions)],
        batch_size=50,
        progress=False,
    )
    return sum(answer == scene.answer(kind) for answer, scene in zip(answers, scenes)) / len(scenes)


def paraphrase_video_accuracy(model, processor, videos, wordings: tuple[str, ...], which: str) -> float:
    """Exact answers to the `wordings` of "which colour comes first / last" on fresh videos."""
    right = total = 0
    for index, (sampled, shown) in enumerate(videos):
        # Each video with a quarter of the wordings, in turn, to keep the test short.
        for question in wordings[index % 4 :: 4]:
            truth = shown[0] if which == "first" else shown[-1]
            right += ask(model, processor, None, question, video=sampled) == truth
            total += 1
    return right / total


# Build t10, image splitting on (lesson 1's default), 8 fresh scenes per wording; SmolVLM2's video
# input, 20 fresh encoded videos x a quarter of the wordings (benchmarks/RESULTS.md). Measured: learner
# set colour 99, shape 99, count 97, describe 92 %, video first 84, last 91 %; held-out colour 91, shape
# 90, count 96, describe 87 %, video first 73, last 88 %. Each floor about 5 points under.
PARAPHRASE_FLOORS = {
    ("learner", "color"): 0.94,
    ("learner", "shape"): 0.94,
    ("learner", "count"): 0.92,
    ("learner", "describe"): 0.87,
    ("held_out", "color"): 0.86,
    ("held_out", "shape"): 0.85,
    ("held_out", "count"): 0.91,
    ("held_out", "describe"): 0.82,
}
VIDEO_PARAPHRASE_FLOORS = {
    ("learner", "first"): 0.79,
    ("learner", "last"): 0.86,
    ("held_out", "first"): 0.68,
    ("held_out", "last"): 0.83,
}


@pytest.mark.slow  # a taught-model floor: the pinned environment (make check skips it)
@pytest.mark.parametrize(("questions", "kind"), sorted(PARAPHRASE_FLOORS))
def test_answers_the_wordings_a_learner_types(tiny, questions, kind):
    model, processor = tiny
    assert processor.image_processor.do_image_splitting  # lesson 1's default
    accuracy = paraphrase_scene_accuracy(model, processor, QUESTION_SETS[questions][0][kind], kind)
    assert accuracy >= PARAPHRASE_FLOORS[questions, kind], f"{questions} {kind}: {accuracy:.0%}"


@pytest.mark.slow  # a taught-model floor: the pinned environment (make check skips it)
@pytest.mark.parametrize(("questions", "which"), sorted(VIDEO_PARAPHRASE_FLOORS))
def test_smolvlm2_answers_the_order_questions_a_learner_types(tiny_video, fresh_videos, questions, which):
    model, processor = tiny_video
    wordings = QUESTION_SETS[questions][1][which]
    accuracy = paraphrase_video_accuracy(model, processor, fresh_videos, wordings, which)
    assert accuracy >= VIDEO_PARAPHRASE_FLOORS[questions, which], f"{questions} {which}: {accuracy:.0%}"


def test_every_question_set_has_floors():
    assert set(PARAPHRASE_FLOORS) == {
        (name, kind) for name in QUESTION_SETS for kind in HELD_OUT_SCENE_QUESTIONS
    }
    assert set(VIDEO_PARAPHRASE_FLOORS) == {
        (name, which) for name in QUESTION_SETS for which in HELD_OUT_VIDEO_QUESTIONS
    }
