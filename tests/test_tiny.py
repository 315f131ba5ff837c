"""The embedded tiny SmolVLM: built offline, deterministic, a real model folder, and taught."""

import json

import pytest
from transformers import AutoModelForImageTextToText, AutoProcessor

from course_utils.generation import ask_batch
from course_utils.scenes import make_scene_questions
from course_utils.tiny import TINY_DIRS, build_tiny

FRESH_SEED = 987_654_321  # teaching used seeds 0..TEACH_STEPS-1


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
    for width in (text.hidden_size, text.intermediate_size, vision.hidden_size,
                  vision.intermediate_size, text.vocab_size):
        assert width % 64 == 0
    assert 100_000 < model.num_parameters() < 2_000_000
    tokenizer = processor.tokenizer
    for token in ["<fake_token_around_image>", "<image>", "<global-img>", "<row_1_col_1>",
                  "<row_6_col_6>", "<end_of_utterance>"]:
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


@pytest.mark.parametrize("fixture", ["tiny", "tiny_video"])
def test_answers_fresh_scene_questions_at_least_90_percent(request, fixture):
    model, processor = request.getfixturevalue(fixture)
    examples = make_scene_questions(100, seed=FRESH_SEED)
    answers = ask_batch(model, processor, [(scene.image, q) for scene, q, _, _ in examples],
                        batch_size=50, progress=False)
    correct = sum(answer == expected for answer, (_, _, expected, _) in zip(answers, examples))
    assert correct >= 90, f"only {correct}/100 correct"
