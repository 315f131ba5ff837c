"""Tests for course_utils.synthetic_data: charts and shape pictures read back from their pixels."""

from collections import Counter

import datasets
import numpy as np
import pytest
from PIL import Image

from course_utils import synthetic_data
from course_utils.scenes import COLORS

COLOR_OF_RGB = {rgb: name for name, rgb in COLORS.items()}


# --- reading charts back from their pixels -------------------------------------------------------


def bar_columns(pixels: np.ndarray) -> list[tuple[str, list[int]]]:
    """(colour name, x columns) for every run of columns containing one palette colour."""
    present = {name: np.all(pixels == rgb, axis=2).any(axis=0) for name, rgb in COLORS.items()}
    bars: list[tuple[str, list[int]]] = []
    for x in range(pixels.shape[1]):
        names = [name for name, columns in present.items() if columns[x]]
        assert len(names) <= 1, f"column {x} mixes bar colours {names}"
        if not names:
            continue
        name = names[0]
        if bars and bars[-1][0] == name and bars[-1][1][-1] == x - 1:
            bars[-1][1].append(x)
        else:
            bars.append((name, [x]))
    return bars


def gridline_spacing(pixels: np.ndarray) -> int:
    """Pixel distance between the light gray horizontal gridlines."""
    light_gray = (pixels.min(axis=2) > 150) & (pixels.max(axis=2) < 240) & (np.ptp(pixels, 2) < 8)
    rows = [y for y in range(pixels.shape[0]) if light_gray[y].sum() > pixels.shape[1] // 4]
    gaps = set(np.diff(rows).tolist())
    assert len(gaps) == 1, f"gridlines are not evenly spaced: rows {rows}"
    return gaps.pop()


def measure_chart(image: Image.Image) -> list[tuple[str, int]]:
    """(colour, value in gridline units) of each bar, left to right, from the pixels alone."""
    pixels = np.asarray(image.convert("RGB"))
    unit = gridline_spacing(pixels)
    measured = []
    for name, xs in bar_columns(pixels):
        heights = {int(np.all(pixels[:, x] == COLORS[name], axis=1).sum()) for x in xs}
        assert len(heights) == 1, f"the {name} bar is not a rectangle"
        height = heights.pop()
        assert height % unit == 0, f"the {name} bar ({height}px) does not end on a gridline"
        measured.append((name, height // unit))
    return measured


def question_kind(query: str) -> tuple[str, str | None]:
    """(kind, colour named in the question) by matching the published templates."""
    matches = [
        (kind, color if "{color}" in template else None)
        for kind, templates in synthetic_data.CHART_QUESTION_TEMPLATES.items()
        for template in templates
        for color in COLORS
        if template.format(color=color) == query
    ]
    assert matches, f"{query!r} matches no template"
    return matches[0]


def expected_answer(bars: list[tuple[str, int]], kind: str, color: str | None) -> str:
    values = [value for _, value in bars]
    if kind == "count":
        return str(len(bars))
    if kind == "value":
        return str(dict(bars)[color])
    target = max(values) if kind in ("tallest", "max_value") else min(values)
    if kind in ("max_value", "min_value"):
        return str(target)
    assert values.count(target) == 1, f"{kind} is ambiguous in {bars}"
    return bars[values.index(target)][0]


def raw_images(dataset: datasets.Dataset, column: str) -> list[bytes]:
    return [np.asarray(image).tobytes() for image in dataset[column]]


@pytest.fixture(scope="module")
def charts() -> datasets.Dataset:
    return synthetic_data.make_chartqa(12 * len(synthetic_data.CHART_QUESTION_KINDS), seed=5)


# --- synthetic ChartQA ---------------------------------------------------------------------------


def test_chartqa_has_chartqas_schema(charts):
    assert charts.column_names == ["image", "query", "label", "human_or_machine"]
    assert isinstance(charts.features["image"], datasets.Image)
    assert charts.features["query"] == datasets.Value("string")
    assert charts.features["label"] == datasets.List(datasets.Value("string"))
    assert charts.features["human_or_machine"].names == ["human", "machine"]
    row = charts[0]
    assert isinstance(row["image"], Image.Image)
    assert row["image"].size == (128, 128) and row["image"].mode == "RGB"
    assert isinstance(row["query"], str) and row["query"].endswith(("?", "."))
    assert isinstance(row["label"], list) and len(row["label"]) == 1
    assert set(charts["human_or_machine"]) <= {0, 1}


def test_chart_answers_match_the_drawn_bars(charts):
    for row in charts:
        bars = measure_chart(row["image"])
        assert 2 <= len(bars) <= 4
        assert len({name for name, _ in bars}) == len(bars), "bar colours repeat"
        assert all(1 <= value <= 5 for _, value in bars)
        kind, color = question_kind(row["query"])
        assert row["label"] == [expected_answer(bars, kind, color)], row["query"]


def test_chart_background_is_white_with_a_dark_baseline(charts):
    pixels = np.asarray(charts[0]["image"])
    assert tuple(pixels[0, -1]) == (255, 255, 255)
    dark_rows = [y for y in range(128) if (pixels[y].max(axis=1) < 100).sum() > 64]
    assert dark_rows and max(dark_rows) > 100, "no horizontal axis near the bottom"


def test_bars_stay_separate_at_64_pixels(charts):
    for row in charts.select(range(12)):
        bars = measure_chart(row["image"])
        small = np.asarray(row["image"].resize((64, 64), Image.Resampling.BICUBIC)).astype(int)
        saturated = np.ptp(small, axis=2) > 60
        # The row just above the axis crosses every bar (each is at least one unit tall).
        baseline = max(y for y in range(64) if (small[y].max(axis=1) < 120).sum() > 32)
        line = np.concatenate([[False], saturated[baseline - 3], [False]]).astype(int)
        edges = np.diff(line)
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        assert len(starts) == len(bars)
        widths, gaps = ends - starts, starts[1:] - ends[:-1]
        assert widths.min() >= 6 and gaps.min() >= 3, (widths, gaps)


def test_same_seed_same_charts_and_different_seed_differs():
    first, again, other = (synthetic_data.make_chartqa(10, seed=s) for s in (3, 3, 4))
    assert raw_images(first, "image") == raw_images(again, "image")
    assert first["query"] == again["query"] and first["label"] == again["label"]
    assert raw_images(first, "image") != raw_images(other, "image")
    assert first["query"] != other["query"]


def test_question_kinds_are_balanced_and_selectable(charts):
    kinds = Counter(question_kind(query)[0] for query in charts["query"])
    assert kinds == {kind: 12 for kind in synthetic_data.CHART_QUESTION_KINDS}
    assert len({query for query in charts["query"]}) > len(synthetic_data.CHART_QUESTION_KINDS)

    chosen = synthetic_data.make_chartqa(9, seed=1, kinds=("value", "tallest"))
    counts = Counter(question_kind(query)[0] for query in chosen["query"])
    assert set(counts) == {"value", "tallest"} and abs(counts["value"] - counts["tallest"]) <= 1
    with pytest.raises(ValueError, match="bogus"):
        synthetic_data.make_chartqa(2, kinds=("bogus",))


def test_numeric_answers_are_balanced_so_a_constant_answer_scores_little():
    charts = synthetic_data.make_chartqa(600, seed=3, kinds=synthetic_data.QUICK_CHART_KINDS)
    answers = Counter(label[0] for label in charts["label"])
    assert max(answers.values()) / len(charts) <= 0.40, answers
    for kind, allowed in synthetic_data.balanced_answers().items():
        rows = [row for row in charts if question_kind(row["query"])[0] == kind]
        seen = Counter(row["label"][0] for row in rows)
        assert set(seen) == {str(value) for value in allowed}, (kind, seen)
        assert min(seen.values()) >= 0.6 * len(rows) / len(allowed), (kind, seen)


def test_chart_question_kind_agrees_with_the_templates(charts):
    for query in charts["query"]:
        assert synthetic_data.chart_question_kind(query) == question_kind(query)[0]
    with pytest.raises(ValueError):
        synthetic_data.chart_question_kind("What is the capital of France?")


def test_answer_sets_are_short_and_fixed(charts):
    answers = {kind: set() for kind in synthetic_data.CHART_QUESTION_KINDS}
    for query, label in zip(charts["query"], charts["label"], strict=True):
        answers[question_kind(query)[0]].add(label[0])
    assert answers["tallest"] | answers["shortest"] <= set(COLORS)
    assert answers["count"] <= {str(n) for n in range(synthetic_data.MIN_BARS, synthetic_data.MAX_BARS + 1)}
    values = {str(n) for n in range(synthetic_data.MIN_VALUE, synthetic_data.MAX_VALUE + 1)}
    assert answers["value"] | answers["max_value"] | answers["min_value"] <= values


def test_splits_are_disjoint_and_reproducible():
    splits = synthetic_data.make_chartqa_splits(24, 16, seed=2)
    assert set(splits) == {"train", "test"}
    assert (len(splits["train"]), len(splits["test"])) == (24, 16)
    train = set(zip(raw_images(splits["train"], "image"), splits["train"]["query"], strict=True))
    test = set(zip(raw_images(splits["test"], "image"), splits["test"]["query"], strict=True))
    assert not train & test
    assert set(raw_images(splits["train"], "image")) != set(raw_images(splits["test"], "image"))
    again = synthetic_data.make_chartqa_splits(24, 16, seed=2)
    assert again["test"]["query"] == splits["test"]["query"]


def test_test_split_skips_charts_already_in_train(monkeypatch):
    # A palette of two colors, two bars and values 1-2 leave only 24 distinct count questions,
    # so independent draws would repeat training questions in the test split.
    monkeypatch.setattr(synthetic_data, "COLORS", {name: COLORS[name] for name in ("red", "blue")})
    monkeypatch.setattr(synthetic_data, "MAX_BARS", 2)
    monkeypatch.setattr(synthetic_data, "MAX_VALUE", 2)
    splits = synthetic_data.make_chartqa_splits(8, 8, seed=0, kinds=("count",))
    train = set(zip(raw_images(splits["train"], "image"), splits["train"]["query"], strict=True))
    test = set(zip(raw_images(splits["test"], "image"), splits["test"]["query"], strict=True))
    assert not train & test
    with pytest.raises(ValueError, match="unlike the training split"):
        synthetic_data.make_chartqa_splits(200, 1, seed=0, kinds=("count",))


# --- shape positions -----------------------------------------------------------------------------


def test_shape_positions_schema_and_answers_match_pixels():
    pictures = synthetic_data.make_shape_positions(24, seed=1)
    assert pictures.column_names == ["picture", "question", "answer"]
    assert isinstance(pictures.features["picture"], datasets.Image)
    for row in pictures:
        pixels = np.asarray(row["picture"]).astype(int)
        assert pixels.shape == (128, 128, 3)
        ys, xs = np.nonzero(np.abs(pixels - 255).sum(axis=2) > 30)
        vertical = "top" if ys.max() < 64 else "bottom" if ys.min() >= 64 else None
        horizontal = "left" if xs.max() < 64 else "right" if xs.min() >= 64 else None
        assert vertical and horizontal, "the shape crosses the middle of the picture"
        assert row["answer"] == f"{vertical} {horizontal}"
        center_color = COLOR_OF_RGB[tuple(pixels[int(ys.mean()), int(xs.mean())])]
        named = [color for color in COLORS if color in row["question"]]
        assert named in ([], [center_color])
    assert set(pictures["answer"]) == set(synthetic_data.QUADRANTS)


def test_shape_positions_are_deterministic():
    first = synthetic_data.make_shape_positions(6, seed=9)
    again = synthetic_data.make_shape_positions(6, seed=9)
    other = synthetic_data.make_shape_positions(6, seed=10)
    assert raw_images(first, "picture") == raw_images(again, "picture")
    assert first["question"] == again["question"] and first["answer"] == again["answer"]
    assert raw_images(first, "picture") != raw_images(other, "picture")


def test_validation_split_is_held_out_and_leaves_train_and_test_as_they_were():
    plain = synthetic_data.make_chartqa_splits(24, 16, seed=2)
    splits = synthetic_data.make_chartqa_splits(24, 16, seed=2, n_validation=12)
    assert list(splits) == ["train", "val", "test"] and len(splits["val"]) == 12  # ChartQA's split names
    for name in ("train", "test"):
        assert splits[name]["query"] == plain[name]["query"]
        assert raw_images(splits[name], "image") == raw_images(plain[name], "image")
    train = set(zip(raw_images(splits["train"], "image"), splits["train"]["query"], strict=True))
    validation = set(zip(raw_images(splits["val"], "image"), splits["val"]["query"], strict=True))
    assert validation and not train & validation
