"""Synthetic scenes: answers that say what the pixels show, every question kind, deterministic."""

import random

import numpy as np
import pytest

from course_utils.scenes import COLORS, NUMBER_WORDS, Scene, make_scene, make_scene_questions


def test_scene_answers_are_well_formed():
    examples = make_scene_questions(20, seed=1)
    assert all(isinstance(scene, Scene) for scene, *_ in examples)
    assert {kind for *_, kind in examples} == {"color", "shape", "count", "describe"}
    for scene, _, answer, kind in examples:
        assert answer == scene.answer(kind)


def test_the_pixels_show_the_colour_the_answers_name():
    rng = random.Random(3)
    for _ in range(10):
        scene = make_scene(rng)
        pixels = np.asarray(scene.image).reshape(-1, 3)
        shown = {name for name, rgb in COLORS.items() if np.all(pixels == rgb, axis=1).any()}
        assert shown == {scene.color}
        assert scene.answer("count") == NUMBER_WORDS[scene.count]
        assert scene.answer("describe").split()[:2] == [NUMBER_WORDS[scene.count], scene.color]


def test_same_seed_same_scenes_and_unknown_kinds_are_refused():
    first, again = make_scene_questions(5, seed=8), make_scene_questions(5, seed=8)
    assert [q for _, q, _, _ in first] == [q for _, q, _, _ in again]
    assert all(a.image.tobytes() == b.image.tobytes() for (a, *_), (b, *_) in zip(first, again))
    with pytest.raises(ValueError, match="Unknown question kind"):
        first[0][0].answer("size")
