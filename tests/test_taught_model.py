"""Floors on what the taught embedded tiny model learned: the only tests here that expect words.

Re-teaching the embedded model (`python -m tools.tiny build`) may move these answers; the plumbing
they rely on (ask, batching, padding, loading) is tested on random-weight models elsewhere, so a
failure here means the model, not the code, changed.
"""

import pytest

from course_utils.generation import ask
from course_utils.loading import load_vlm
from course_utils.scenes import make_scene_questions

EXAMPLES = make_scene_questions(8, seed=31337)


def test_tiny_answers_scene_questions_from_a_picture_or_its_file(tiny, tmp_path):
    model, processor = tiny
    scene, question, expected, _ = EXAMPLES[0]
    assert ask(model, processor, scene.image, question) == expected
    scene, question, expected, _ = EXAMPLES[1]
    path = tmp_path / "scene.png"
    scene.image.save(path)
    assert ask(model, processor, path, question) == expected


@pytest.mark.parametrize(("quantization", "seed"), [("4bit", 4242), ("8bit", 5)])
def test_quantised_tiny_still_answers(quantization, seed):
    model, processor = load_vlm("tiny", quantization=quantization)
    examples = make_scene_questions(10, seed=seed)
    correct = sum(ask(model, processor, scene.image, q) == expected for scene, q, expected, _ in examples)
    assert correct >= 6, f"{quantization} model answered only {correct}/10"
