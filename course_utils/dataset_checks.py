"""Checking question/answer datasets before training: every row needs a readable image, a question
and an answer. Errors name the row and the column, and suggest the right `*_key` for a missing column.
"""

from __future__ import annotations

from collections.abc import Sequence

import datasets
from PIL import Image

from course_utils.i18n import message, render
from course_utils.images import ImageLoadError, load_image

COLUMN_NAME_GUESSES = {
    "image_key": ("image", "images", "picture", "img", "photo", "figure"),
    "question_key": ("query", "question", "prompt", "problem", "instruction"),
    "answer_key": ("label", "answer", "answers", "response", "target"),
}


class DatasetError(ValueError):
    """A dataset cannot be used for training; the message names the row, the column and the fix."""


EMPTY = message("dataset_checks.empty", "The dataset is empty: it has no rows to train or evaluate on.")


def check_not_empty(dataset) -> None:
    """Refuse a dataset (or list of rows) without rows."""
    if len(dataset) == 0:
        raise DatasetError(render(EMPTY))


PASS_COLUMN = message("dataset_checks.pass_column", ": pass {key_name}={column!r}")
PASS_ANY_COLUMN = message("dataset_checks.pass_any_column", ": pass {key_name}= the column that holds it")


def _suggest_column(key_name: str, columns: list[str], features=None) -> str:
    if key_name == "image_key" and features is not None:
        image_columns = [name for name in columns if isinstance(features.get(name), datasets.Image)]
        if image_columns:
            return render(PASS_COLUMN, key_name=key_name, column=image_columns[0])
    for guess in COLUMN_NAME_GUESSES[key_name]:
        if guess in columns:
            return render(PASS_COLUMN, key_name=key_name, column=guess)
    return render(PASS_ANY_COLUMN, key_name=key_name)


WHERE_DATASET = message("dataset_checks.where_dataset", "the dataset")
NO_COLUMN = message("dataset_checks.no_column", "no column {column!r}; {where} has {columns}{hint}.")


def check_columns(columns: list[str], keys: dict[str, str], features=None, where: str | None = None) -> None:
    """Refuse `columns` that lack one of `keys` ({"image_key": "image", ...}), suggesting the right key.

    `where` names what holds the columns in the message (default: "the dataset")."""
    for key_name, column in keys.items():
        if column not in columns:
            hint = _suggest_column(key_name, columns, features)
            place = render(WHERE_DATASET) if where is None else where
            raise DatasetError(render(NO_COLUMN, column=column, where=place, columns=columns, hint=hint))


IMAGE_MISSING = message(
    "dataset_checks.image_missing", "The image is missing (no picture, bytes or path in the cell)."
)


def _cell_image(value) -> Image.Image:
    """An RGB image from a dataset cell: anything `load_image` opens, or datasets' {bytes, path}."""
    if isinstance(value, dict):  # an image column read undecoded (see `with_undecoded_images`)
        value = value.get("bytes") or value.get("path")
    if value is None:
        raise ImageLoadError(render(IMAGE_MISSING))
    return load_image(value)


def _answer_text(value) -> str | None:
    """The answer as text (the first one when `value` is a list), or None when there is none."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.strip():
        return value
    return None


WHERE_ROW = message("dataset_checks.where_row", "row")
WHERE_ROW_INDEX = message("dataset_checks.where_row_index", "row {index}")
UNREADABLE_IMAGE = message(
    "dataset_checks.unreadable_image", "{where}, column {column!r}: unreadable image. {error}"
)
BAD_QUESTION = message(
    "dataset_checks.bad_question",
    "{where}, column {column!r}: the question must be a non-empty string, got {question!r}.",
)
NO_ANSWER = message(
    "dataset_checks.no_answer",
    "{where}, column {column!r}: no answer ({answer!r}); drop the row or "
    "fill in its answer, since a training example needs the text the model should say.",
)


def check_vqa_row(
    row: dict,
    index: int | None = None,
    image_key: str = "image",
    question_key: str = "query",
    answer_key: str = "label",
) -> tuple[Image.Image, str, str]:
    """Check one row and return its (image, question, answer); raise DatasetError if unusable."""
    where = render(WHERE_ROW) if index is None else render(WHERE_ROW_INDEX, index=index)
    keys = {"image_key": image_key, "question_key": question_key, "answer_key": answer_key}
    check_columns(list(row), keys, where=where)
    try:
        image = _cell_image(row[image_key])
    except ImageLoadError as error:
        raise DatasetError(render(UNREADABLE_IMAGE, where=where, column=image_key, error=error)) from None
    question = row[question_key]
    if not isinstance(question, str) or not question.strip():
        raise DatasetError(render(BAD_QUESTION, where=where, column=question_key, question=question))
    answer = _answer_text(row[answer_key])
    if answer is None:
        raise DatasetError(render(NO_ANSWER, where=where, column=answer_key, answer=row[answer_key]))
    return image, question, answer


def with_undecoded_images(dataset: datasets.Dataset, image_key: str) -> datasets.Dataset:
    """`dataset` with its image column left as {bytes, path}, so a bad file names its row."""
    feature = dataset.features.get(image_key)
    if isinstance(feature, datasets.Image) and feature.decode:
        return dataset.cast_column(image_key, datasets.Image(decode=False))
    return dataset


def check_vqa_dataset(
    dataset: datasets.Dataset | Sequence[dict],
    image_key: str = "image",
    question_key: str = "query",
    answer_key: str = "label",
) -> None:
    """Check every row before training; raise DatasetError naming the first bad row and column.

    Catches an empty dataset, a missing column (suggesting the right `*_key`), an unreadable image,
    a question that is not a non-empty string and a row without an answer.
    """
    check_not_empty(dataset)
    keys = {"image_key": image_key, "question_key": question_key, "answer_key": answer_key}
    if isinstance(dataset, datasets.Dataset):
        check_columns(dataset.column_names, keys, dataset.features)
        dataset = with_undecoded_images(dataset, image_key)
    for index, row in enumerate(dataset):
        check_vqa_row(row, index, image_key, question_key, answer_key)
