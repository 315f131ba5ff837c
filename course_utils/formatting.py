"""Formatting question/answer rows for trl: a conversation with the answer as the assistant turn and
an image placeholder in the user turn, the pictures in `images`, checked row by row as it goes.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence

import datasets
from PIL import Image

from course_utils.dataset_checks import check_columns, check_not_empty, check_vqa_row, with_undecoded_images
from course_utils.i18n import message, render

FORMATTING_PROGRESS = message("formatting.progress", "Formatting conversations")

# The columns `format_dataset` produces: what trl's SFTTrainer and VisionSFTCollator expect.
# Image parts are stored as {"type": "image", "text": None} (Arrow needs one struct shape).
CONVERSATION_FEATURES = datasets.Features(
    {
        "messages": datasets.List(
            {
                "role": datasets.Value("string"),
                "content": datasets.List(
                    {"type": datasets.Value("string"), "text": datasets.Value("string")}
                ),
            }
        ),
        "images": datasets.List(datasets.Image()),
    }
)


def vqa_conversation(question: str, answer: str, system: str | None = None) -> list[dict]:
    """[system?, user (image placeholder + question), assistant (answer)] in trl's vision format."""
    messages = []
    if system is not None:
        messages.append({"role": "system", "content": [{"type": "text", "text": system}]})
    messages.append({"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]})
    messages.append({"role": "assistant", "content": [{"type": "text", "text": answer}]})
    return messages


def format_vqa_row(
    row: dict,
    image_key: str = "image",
    question_key: str = "query",
    answer_key: str = "label",
    system: str | None = None,
    index: int | None = None,
) -> dict:
    """One question/answer row as `{"messages": [...], "images": [PIL image]}` for trl.

    The answer is the assistant turn (without it the model learns to repeat the prompt); a list
    answer (ChartQA's `label`) gives its first element. Bad rows raise DatasetError.
    """
    image, question, answer = check_vqa_row(row, index, image_key, question_key, answer_key)
    return {"messages": vqa_conversation(question, answer, system), "images": [image]}


def format_chartqa_row(row: dict, system: str | None = None) -> dict:
    """A ChartQA row (synthetic or HuggingFaceM4/ChartQA: image, query, label list) for trl."""
    return format_vqa_row(row, "image", "query", "label", system=system)


def _png_bytes(image: Image.Image) -> dict:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return {"bytes": buffer.getvalue(), "path": None}


def _storable(value, image: Image.Image) -> dict:
    """Keep the original encoded bytes when there are some, else store the pixels as PNG."""
    if isinstance(value, dict) and value.get("bytes"):
        return {"bytes": value["bytes"], "path": None}
    return _png_bytes(image)


def _with_text_slots(messages: list[dict]) -> list[dict]:
    """Give every content part a "text" key, as Arrow stores one struct shape per column."""
    return [{**turn, "content": [{"text": None, **part} for part in turn["content"]]} for turn in messages]


def format_dataset(
    dataset: datasets.Dataset | Sequence[dict],
    image_key: str = "image",
    question_key: str = "query",
    answer_key: str = "label",
    system: str | None = None,
) -> datasets.Dataset:
    """A `datasets.Dataset` with `messages` + `images` columns, what trl's SFTTrainer expects.

    Built with `Dataset.map` (or from the list of rows). Images keep their pixels exactly: encoded
    images are stored with their original bytes, the others as PNG, and read back as PIL images.
    Each row is checked as it is formatted: the first bad one raises DatasetError naming it.
    """
    check_not_empty(dataset)

    def to_conversation(row: dict, index: int) -> dict:
        formatted = format_vqa_row(row, image_key, question_key, answer_key, system, index)
        return {
            "messages": _with_text_slots(formatted["messages"]),
            "images": [_storable(row[image_key], formatted["images"][0])],
        }

    if not isinstance(dataset, datasets.Dataset):
        rows = [to_conversation(dict(row), index) for index, row in enumerate(dataset)]
        return datasets.Dataset.from_list(rows, features=CONVERSATION_FEATURES)
    keys = {"image_key": image_key, "question_key": question_key, "answer_key": answer_key}
    check_columns(dataset.column_names, keys, dataset.features)
    with _without_progress_bar():  # formatting takes a second: no bar of its own in the lesson
        return with_undecoded_images(dataset, image_key).map(
            to_conversation,
            with_indices=True,
            remove_columns=dataset.column_names,
            features=CONVERSATION_FEATURES,
            desc=render(FORMATTING_PROGRESS),
        )


@contextlib.contextmanager
def _without_progress_bar():
    """datasets draws a bar for every `map`; hide it for a `with` block, then restore the setting."""
    already_off = datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if not already_off:
            datasets.enable_progress_bars()
