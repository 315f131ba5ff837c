"""Synthetic datasets for the fine-tuning lesson, drawn offline and checkable from their pixels:
bar charts asked ChartQA's kind of questions (with HuggingFaceM4/ChartQA's columns and features),
and one shape in a corner of a picture, with other column names (`picture`, `question`, `answer`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import datasets
from PIL import Image, ImageDraw

from course_utils.i18n import message, render
from course_utils.scenes import COLORS, SHAPES, draw_shape

CHART_SIZE = 128
CHART_BACKGROUND = (255, 255, 255)
GRID_COLOR = (215, 215, 215)
AXIS_COLOR = (60, 60, 60)
CHART_BASELINE = 116  # y of the axis line; bars stand on the row just above it
CHART_UNIT = 26  # pixels per unit of bar height, one gridline per unit
CHART_LEFT, CHART_RIGHT = 10, 122  # x range shared by the bars
MIN_BARS, MAX_BARS = 2, 4
MIN_VALUE, MAX_VALUE = 1, 4
BAR_FILL = 0.6  # fraction of each bar's slot that the bar covers; the rest is the gap
MAX_DRAWS = 1000  # attempts at a test question that is not already in the training split

CHART_QUESTION_TEMPLATES = {
    "tallest": (
        "Which bar is the tallest?",
        "What color is the tallest bar?",
        "Which bar has the highest value?",
    ),
    "shortest": (
        "Which bar is the shortest?",
        "What color is the shortest bar?",
        "Which bar has the lowest value?",
    ),
    "max_value": (
        "What is the highest value in the chart?",
        "What is the value of the tallest bar?",
        "What is the largest value shown?",
    ),
    "min_value": (
        "What is the lowest value in the chart?",
        "What is the value of the shortest bar?",
        "What is the smallest value shown?",
    ),
    "count": ("How many bars are there?", "How many bars does the chart have?", "Count the bars."),
    "value": (
        "What is the value of the {color} bar?",
        "How high is the {color} bar?",
        "What value does the {color} bar show?",
    ),
}
CHART_QUESTION_KINDS = tuple(CHART_QUESTION_TEMPLATES)
# What LoRA teaches the embedded tiny model in about half a minute on a laptop CPU, from the bar
# heights it was taught to read out as lists (held-out exact match, benchmarks/RESULTS.md). Relating a
# colour to a height ("tallest", "value of the red bar") takes it far longer; a real SmolVLM learns
# those too.
QUICK_CHART_KINDS = ("count", "max_value", "min_value")

CHARTQA_FEATURES = datasets.Features(
    {
        "image": datasets.Image(),
        "query": datasets.Value("string"),
        "label": datasets.List(datasets.Value("string")),
        "human_or_machine": datasets.ClassLabel(names=["human", "machine"]),
    }
)
MACHINE = 1  # ChartQA's label for generated (not human-written) questions

QUADRANTS = ("top left", "top right", "bottom left", "bottom right")
POSITION_QUESTION_TEMPLATES = (
    "Where is the shape?",
    "In which corner is the {color} {shape}?",
    "Where is the {color} {shape}?",
    "Which corner of the picture is the {shape} in?",
)
SHAPE_POSITION_FEATURES = datasets.Features(
    {
        "picture": datasets.Image(),
        "question": datasets.Value("string"),
        "answer": datasets.Value("string"),
    }
)


# --- bar charts with ChartQA's schema ------------------------------------------------------------


def draw_bar_chart(colors: Sequence[str], values: Sequence[int]) -> Image.Image:
    """A 128x128 bar chart: one bar per colour (left to right), `values` in units of gridlines."""
    image = Image.new("RGB", (CHART_SIZE, CHART_SIZE), CHART_BACKGROUND)
    draw = ImageDraw.Draw(image)
    for unit in range(1, MAX_VALUE + 1):
        y = CHART_BASELINE - unit * CHART_UNIT
        draw.line([(CHART_LEFT, y), (CHART_RIGHT, y)], fill=GRID_COLOR)
    slot = (CHART_RIGHT - CHART_LEFT) / len(colors)
    width = round(slot * BAR_FILL)
    for index, (color, value) in enumerate(zip(colors, values, strict=True)):
        left = round(CHART_LEFT + index * slot + (slot - width) / 2)
        top = CHART_BASELINE - value * CHART_UNIT
        draw.rectangle([left, top, left + width - 1, CHART_BASELINE - 1], fill=COLORS[color])
    axis = {"fill": AXIS_COLOR, "width": 2}
    draw.line([(CHART_LEFT, CHART_BASELINE), (CHART_RIGHT, CHART_BASELINE)], **axis)
    draw.line([(CHART_LEFT, CHART_BASELINE), (CHART_LEFT, 4)], **axis)
    return image


def _has_unique(values: list[int], pick) -> bool:
    return values.count(pick(values)) == 1


def balanced_answers() -> dict[str, range]:
    """The answers of the numeric kinds, each drawn uniformly first, so that no answer is much more
    frequent than another: always giving one answer (the majority baseline) then scores little."""
    return {
        "count": range(MIN_BARS, MAX_BARS + 1),
        "max_value": range(MIN_VALUE + 1, MAX_VALUE + 1),
        "min_value": range(MIN_VALUE, MAX_VALUE),
    }


def _random_values(rng: random.Random, kind: str) -> list[int]:
    """Bar heights for a question of `kind`: a unique extreme where the question needs one, and
    (for numeric kinds) an answer drawn uniformly from `balanced_answers()`."""
    pick = {"tallest": max, "shortest": min, "max_value": max, "min_value": min}.get(kind)
    balanced = balanced_answers()
    wanted = rng.choice(balanced[kind]) if kind in balanced else None
    count = wanted if kind == "count" else rng.randint(MIN_BARS, MAX_BARS)
    while True:
        values = [rng.randint(MIN_VALUE, MAX_VALUE) for _ in range(count)]
        if pick is not None and not _has_unique(values, pick):
            continue
        if kind in ("max_value", "min_value") and pick(values) != wanted:
            continue
        return values


def random_chart_question(rng: random.Random, kind: str) -> tuple[tuple, tuple, str, str]:
    """(colors, values, question, answer) for one chart asked a question of this `kind`."""
    values = _random_values(rng, kind)
    count = len(values)
    colors = tuple(rng.sample(sorted(COLORS), count))
    pick = {"tallest": max, "shortest": min, "max_value": max, "min_value": min}.get(kind)
    template = rng.choice(CHART_QUESTION_TEMPLATES[kind])
    if kind == "value":
        index = rng.randrange(count)
        question, answer = template.format(color=colors[index]), str(values[index])
    elif kind == "count":
        question, answer = template, str(count)
    elif kind in ("max_value", "min_value"):
        question, answer = template, str(pick(values))
    else:
        question, answer = template, colors[values.index(pick(values))]
    return colors, tuple(values), question, answer


UNKNOWN_KINDS = message(
    "synthetic_data.unknown_kinds", "Unknown question kinds {unknown}; choose from {kinds}."
)
NO_UNSEEN_QUESTION = message(
    "synthetic_data.no_unseen_question", "Could not draw a {kind!r} chart question unlike the training split."
)
NOT_A_CHART_QUESTION = message(
    "synthetic_data.not_a_chart_question", "{query!r} is not one of the synthetic chart questions."
)


def _balanced_kinds(n: int, kinds: Sequence[str], rng: random.Random) -> list[str]:
    """`n` kinds, each appearing n // len(kinds) or one more times, in random order."""
    unknown = [kind for kind in kinds if kind not in CHART_QUESTION_TEMPLATES]
    if unknown or not kinds:
        raise ValueError(render(UNKNOWN_KINDS, unknown=unknown, kinds=CHART_QUESTION_KINDS))
    chosen = [kinds[index % len(kinds)] for index in range(n)]
    rng.shuffle(chosen)
    return chosen


def _chart_specs(
    n: int, rng: random.Random, kinds: Sequence[str], exclude: frozenset = frozenset()
) -> list[tuple[tuple, tuple, str, str]]:
    specs = []
    for kind in _balanced_kinds(n, kinds, rng):
        for _ in range(MAX_DRAWS):
            spec = random_chart_question(rng, kind)
            if spec[:3] not in exclude:
                break
        else:
            raise ValueError(render(NO_UNSEEN_QUESTION, kind=kind))
        specs.append(spec)
    return specs


def _chartqa_from_specs(specs: list, split: str) -> datasets.Dataset:
    columns = {
        "image": [draw_bar_chart(colors, values) for colors, values, _, _ in specs],
        "query": [question for _, _, question, _ in specs],
        "label": [[answer] for _, _, _, answer in specs],
        "human_or_machine": [MACHINE] * len(specs),
    }
    return datasets.Dataset.from_dict(columns, features=CHARTQA_FEATURES, split=split)


def _split_rng(name: str, seed: int, split: str) -> random.Random:
    return random.Random(f"{name}:{split}:{seed}")


def make_chartqa(
    n: int, seed: int = 0, split: str = "train", kinds: Sequence[str] = CHART_QUESTION_KINDS
) -> datasets.Dataset:
    """`n` synthetic bar-chart questions with HuggingFaceM4/ChartQA's columns and features.

    Columns: `image` (PIL), `query`, `label` (a list holding one answer) and `human_or_machine`
    (always 1, "machine": the questions come from templates). `kinds` picks the question kinds
    (see CHART_QUESTION_TEMPLATES), mixed in equal numbers. The same (n, seed, split, kinds) gives
    the same rows; each split draws from its own random stream.
    """
    specs = _chart_specs(n, _split_rng("chartqa", seed, split), tuple(kinds))
    return _chartqa_from_specs(specs, split)


def make_chartqa_splits(
    n_train: int,
    n_test: int,
    seed: int = 0,
    kinds: Sequence[str] = CHART_QUESTION_KINDS,
    n_validation: int = 0,
) -> datasets.DatasetDict:
    """`train`, `test` (and `val` if `n_validation`, as ChartQA names it) from separate random streams.

    No test or validation (chart, question) is in train; adding a validation split leaves `train` and
    `test` as they are without it.
    """
    train_specs = _chart_specs(n_train, _split_rng("chartqa", seed, "train"), tuple(kinds))
    seen = frozenset(spec[:3] for spec in train_specs)
    test_specs = _chart_specs(n_test, _split_rng("chartqa", seed, "test"), tuple(kinds), seen)
    splits = {"train": _chartqa_from_specs(train_specs, "train")}
    if n_validation:
        validation_specs = _chart_specs(n_validation, _split_rng("chartqa", seed, "val"), tuple(kinds), seen)
        splits["val"] = _chartqa_from_specs(validation_specs, "val")
    splits["test"] = _chartqa_from_specs(test_specs, "test")
    return datasets.DatasetDict(splits)


def chart_question_kind(query: str) -> str:
    """The kind ("tallest", "shortest", "count" or "value") of a question from `make_chartqa`."""
    for kind, templates in CHART_QUESTION_TEMPLATES.items():
        for template in templates:
            if query in {template.format(color=color) for color in COLORS}:
                return kind
    raise ValueError(render(NOT_A_CHART_QUESTION, query=query))


# --- shapes in corners: a dataset with other column names --------------------------------------------


def draw_shape_in_quadrant(
    rng: random.Random, color: str, shape: str, quadrant: str, size: int = CHART_SIZE
) -> Image.Image:
    """A white picture with one shape somewhere inside `quadrant` (e.g. "top left")."""
    image = Image.new("RGB", (size, size), CHART_BACKGROUND)
    half = size // 2
    row, col = divmod(QUADRANTS.index(quadrant), 2)
    extent = rng.randint(half // 2, half - 12)
    left = col * half + rng.randint(4, half - extent - 4)
    top = row * half + rng.randint(4, half - extent - 4)
    box = (left, top, left + extent, top + extent)
    draw_shape(ImageDraw.Draw(image), shape, box, COLORS[color])
    return image


def make_shape_positions(n: int, seed: int = 0) -> datasets.Dataset:
    """`n` pictures of one coloured shape in a quadrant, asked where it is.

    Columns `picture`, `question`, `answer` (one of QUADRANTS): deliberately not ChartQA's names,
    so the formatter needs `image_key="picture", question_key="question", answer_key="answer"`.
    """
    rng = _split_rng("shape_positions", seed, "train")
    pictures, questions, answers = [], [], []
    for _ in range(n):
        color, shape = rng.choice(sorted(COLORS)), rng.choice(SHAPES)
        quadrant = rng.choice(QUADRANTS)
        pictures.append(draw_shape_in_quadrant(rng, color, shape, quadrant))
        questions.append(rng.choice(POSITION_QUESTION_TEMPLATES).format(color=color, shape=shape))
        answers.append(quadrant)
    columns = {"picture": pictures, "question": questions, "answer": answers}
    return datasets.Dataset.from_dict(columns, features=SHAPE_POSITION_FEATURES)
