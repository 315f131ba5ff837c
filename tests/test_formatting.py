"""Tests for course_utils.formatting: rows -> trl's vision conversations, pixels kept exactly."""

import datasets
import numpy as np
import pytest
from PIL import Image

from course_utils import formatting, synthetic_data


@pytest.fixture(scope="module")
def charts() -> datasets.Dataset:
    return synthetic_data.make_chartqa(12 * len(synthetic_data.CHART_QUESTION_KINDS), seed=5)


def image_placeholders(messages: list[dict]) -> int:
    return sum(part["type"] == "image" for turn in messages for part in turn["content"])


def test_format_chartqa_row_includes_the_answer_and_one_image(charts):
    row = charts[0]
    formatted = formatting.format_chartqa_row(row)
    user, assistant = formatted["messages"]
    assert user["role"] == "user" and assistant["role"] == "assistant"
    assert user["content"] == [{"type": "image"}, {"type": "text", "text": row["query"]}]
    assert assistant["content"] == [{"type": "text", "text": row["label"][0]}]
    assert image_placeholders(formatted["messages"]) == len(formatted["images"]) == 1
    assert np.array_equal(np.asarray(formatted["images"][0]), np.asarray(row["image"]))


def test_system_turn_and_first_of_several_labels():
    picture = Image.new("RGB", (40, 30), (1, 2, 3))
    row = {"image": picture, "query": "What is the total?", "label": ["42", "forty-two"]}
    formatted = formatting.format_chartqa_row(row, system="Answer briefly.")
    roles = [turn["role"] for turn in formatted["messages"]]
    assert roles == ["system", "user", "assistant"]
    assert formatted["messages"][0]["content"] == [{"type": "text", "text": "Answer briefly."}]
    assert formatted["messages"][-1]["content"][0]["text"] == "42"


def test_format_vqa_row_with_other_column_names():
    row = synthetic_data.make_shape_positions(1, seed=4)[0]
    columns = {"image_key": "picture", "question_key": "question", "answer_key": "answer"}
    formatted = formatting.format_vqa_row(row, **columns)
    assert formatted["messages"][-1]["content"] == [{"type": "text", "text": row["answer"]}]
    assert formatted["messages"][0]["content"][1]["text"] == row["question"]


def test_format_dataset_gives_trl_columns_with_exact_pixels(charts):
    small = charts.select(range(6))
    formatted = formatting.format_dataset(small, system="Look at the chart.")
    assert isinstance(formatted, datasets.Dataset)
    assert formatted.column_names == ["messages", "images"] and len(formatted) == len(small)
    for source, row in zip(small, formatted, strict=True):
        assert [turn["role"] for turn in row["messages"]] == ["system", "user", "assistant"]
        assert row["messages"][1]["content"][1]["text"] == source["query"]
        assert row["messages"][2]["content"][0]["text"] == source["label"][0]
        assert image_placeholders(row["messages"]) == len(row["images"]) == 1
        assert np.array_equal(np.asarray(row["images"][0]), np.asarray(source["image"]))


def test_format_dataset_accepts_a_list_and_other_keys():
    pictures = synthetic_data.make_shape_positions(3, seed=2)
    rows = list(pictures)
    columns = {"image_key": "picture", "question_key": "question", "answer_key": "answer"}
    formatted = formatting.format_dataset(rows, **columns)
    assert formatted["images"][2][0].size == (128, 128)
    texts = [row["messages"][-1]["content"][0]["text"] for row in formatted]
    assert texts == pictures["answer"]


def test_formatted_rows_fill_trls_image_placeholders(charts):
    from trl.data_utils import prepare_multimodal_messages

    row = formatting.format_dataset(charts.select(range(2)))[1]
    filled = prepare_multimodal_messages(row["messages"], images=row["images"])
    assert filled[0]["content"][0]["image"] is row["images"][0]


def test_rows_that_real_datasets_have_train_and_evaluate(tiny):
    """What HuggingFaceM4/ChartQA and VQA-RAD hold and the synthetic charts do not: grayscale, RGBA,
    huge and tiny pictures, several labels, long answers — formatted, collated, evaluated."""
    from course_utils.evaluation import evaluate
    from course_utils.masking import VisionSFTCollator

    model, processor = tiny
    pictures = [
        Image.new("L", (640, 480), 90),  # a radiograph
        Image.new("RGBA", (300, 200), (10, 200, 30, 120)),  # a chart with transparency
        Image.new("RGB", (4000, 3000), "white"),  # a photo straight from a camera
        Image.new("RGB", (8, 8), "red"),
    ]
    labels = [["12"], ["Yes", "yes"], ["The share of people over 65 in 2019 across all regions"], ["0.5"]]
    features = datasets.Features(
        {
            "image": datasets.Image(),
            "query": datasets.Value("string"),
            "label": datasets.List(datasets.Value("string")),
        }
    )
    data = datasets.Dataset.from_dict(
        {"image": pictures, "query": ["How much?", "Is it so?", "What is shown?", "Half?"], "label": labels},
        features=features,
    )
    rows = formatting.format_dataset(data)
    assert [row["messages"][-1]["content"][0]["text"] for row in rows] == [label[0] for label in labels]
    batch = VisionSFTCollator(processor)([rows[index] for index in range(len(rows))])
    assert batch["pixel_values"].shape[0] == len(rows) and batch["pixel_values"].shape[2] == 3  # RGB
    result = evaluate(model, processor, data, progress=False)
    assert result.n == 4 and len(result.predictions) == 4 and result.targets[1] == "yes"


def test_rows_real_data_can_break_get_a_clear_error():
    from course_utils.dataset_checks import DatasetError

    row = {"image": Image.new("RGB", (32, 32)), "query": "How many?", "label": []}
    with pytest.raises(DatasetError, match="label"):
        formatting.format_vqa_row(row, index=7)
    with pytest.raises(DatasetError, match="row 7.*image"):
        formatting.format_vqa_row({**row, "label": ["3"], "image": None}, index=7)
