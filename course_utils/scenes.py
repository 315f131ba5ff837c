"""Synthetic scenes (coloured shapes on a plain background) with questions and known answers.

The embedded tiny SmolVLM is taught on these scenes, and the usage lesson asks it about fresh ones.
Everything is deterministic given a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from course_utils.i18n import message, render

COLORS = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "yellow": (235, 200, 30),
    "purple": (140, 60, 180),
    "orange": (245, 130, 20),
}
SHAPES = ("circle", "square", "triangle")
MAX_COUNT = 4
SCENE_SIZE = 128
# The embedded model counts shapes in words, like many chat models do; ChartQA's answers are digits.
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

QUESTION_TEMPLATES = {
    "color": ("What color is the shape?", "Which color do you see?", "What colour are the shapes?"),
    "shape": ("What shape is it?", "Which shape is in the picture?", "What kind of shape do you see?"),
    "count": ("How many shapes are there?", "How many objects do you see?", "Count the shapes."),
    "describe": ("Describe the picture.", "What is in the image?"),
}


UNKNOWN_KIND = message("scenes.unknown_kind", "Unknown question kind {kind!r}; use one of {kinds}.")
UNKNOWN_SHAPE = message("scenes.unknown_shape", "Unknown shape {shape!r}; use one of {shapes}.")


@dataclass(frozen=True)
class Scene:
    """One generated picture and the facts it shows."""

    image: Image.Image
    color: str
    shape: str
    count: int

    def answer(self, kind: str) -> str:
        """The correct short answer to a question of this `kind` (color, shape, count, describe);
        numbers are written in words ("three")."""
        if kind == "color":
            return self.color
        if kind == "shape":
            return self.shape
        if kind == "count":
            return NUMBER_WORDS[self.count]
        if kind == "describe":
            noun = self.shape if self.count == 1 else f"{self.shape}s"
            return f"{NUMBER_WORDS[self.count]} {self.color} {noun}"
        raise ValueError(render(UNKNOWN_KIND, kind=kind, kinds=sorted(QUESTION_TEMPLATES)))


def draw_shape(draw: ImageDraw.ImageDraw, shape: str, box: tuple[int, int, int, int], fill) -> None:
    """Draw one `shape` filling the square `box` (left, top, right, bottom)."""
    left, top, right, bottom = box
    if shape == "circle":
        draw.ellipse(box, fill=fill)
    elif shape == "square":
        draw.rectangle(box, fill=fill)
    elif shape == "triangle":
        draw.polygon([((left + right) // 2, top), (right, bottom), (left, bottom)], fill=fill)
    else:
        raise ValueError(render(UNKNOWN_SHAPE, shape=shape, shapes=SHAPES))


def make_scene(rng: random.Random, size: int = SCENE_SIZE) -> Scene:
    """A white picture with 1-4 shapes of one kind and one colour, each in its own grid cell."""
    color = rng.choice(sorted(COLORS))
    shape = rng.choice(SHAPES)
    count = rng.randint(1, MAX_COUNT)
    image = Image.new("RGB", (size, size), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    cell = size // 2
    for index in rng.sample(range(4), count):
        row, col = divmod(index, 2)
        extent = rng.randint(cell // 2, cell - 8)
        left = col * cell + rng.randint(2, cell - extent - 2)
        top = row * cell + rng.randint(2, cell - extent - 2)
        draw_shape(draw, shape, (left, top, left + extent, top + extent), COLORS[color])
    return Scene(image=image, color=color, shape=shape, count=count)


def make_scene_questions(n: int, seed: int = 0) -> list[tuple[Scene, str, str, str]]:
    """`n` fresh (scene, question, answer, kind) examples, deterministic for a given seed."""
    rng = random.Random(seed)
    examples = []
    for _ in range(n):
        scene = make_scene(rng)
        kind = rng.choice(sorted(QUESTION_TEMPLATES))
        question = rng.choice(QUESTION_TEMPLATES[kind])
        examples.append((scene, question, scene.answer(kind), kind))
    return examples
