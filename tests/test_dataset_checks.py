"""Tests for course_utils.dataset_checks: bad rows and datasets fail naming the row, column and fix."""

import datasets
import pytest

from course_utils import dataset_checks, formatting, synthetic_data
from course_utils.dataset_checks import DatasetError


@pytest.fixture(scope="module")
def charts() -> datasets.Dataset:
    return synthetic_data.make_chartqa(12 * len(synthetic_data.CHART_QUESTION_KINDS), seed=5)


def chart_rows(count: int = 3) -> list[dict]:
    return list(synthetic_data.make_chartqa(count, seed=7))


def corrupt_file(tmp_path) -> str:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    return str(path)


BAD_VALUES = {
    "image None": ("image", lambda tmp: None),
    "image missing file": ("image", lambda tmp: str(tmp / "nowhere.png")),
    "image corrupt file": ("image", corrupt_file),
    "image corrupt bytes": ("image", lambda tmp: {"bytes": b"garbage", "path": None}),
    "question None": ("query", lambda tmp: None),
    "question empty": ("query", lambda tmp: "  "),
    "question number": ("query", lambda tmp: 7),
    "answer None": ("label", lambda tmp: None),
    "answer empty string": ("label", lambda tmp: ""),
    "answer empty list": ("label", lambda tmp: []),
    "answer list of empty": ("label", lambda tmp: [""]),
}


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_bad_rows_raise_naming_row_and_column(case, tmp_path):
    column, make_value = BAD_VALUES[case]
    rows = chart_rows()
    rows[2][column] = make_value(tmp_path)
    for call in (dataset_checks.check_vqa_dataset, formatting.format_dataset):
        with pytest.raises(DatasetError, match=rf"row 2, column '{column}'"):
            call(rows)
    with pytest.raises(DatasetError, match=rf"row, column '{column}'"):
        formatting.format_chartqa_row(rows[2])
    dataset_checks.check_vqa_dataset(rows[:2])  # the good rows pass


def test_bad_image_inside_an_image_column_names_its_row():
    rows = chart_rows()
    images = [row["image"] for row in rows[:2]] + [{"bytes": b"not an image", "path": None}]
    columns = {"image": images, "query": ["q"] * 3, "label": [["a"]] * 3}
    features = datasets.Features({name: synthetic_data.CHARTQA_FEATURES[name] for name in columns})
    broken = datasets.Dataset.from_dict(columns, features=features)
    for call in (dataset_checks.check_vqa_dataset, formatting.format_dataset):
        with pytest.raises(DatasetError, match=r"row 2, column 'image'"):
            call(broken)


def test_bad_answer_in_a_dataset_names_its_row(charts):
    labels = list(charts.select(range(4))["label"])
    labels[3] = []
    broken = charts.select(range(4)).remove_columns("label").add_column("label", labels)
    for call in (dataset_checks.check_vqa_dataset, formatting.format_dataset):
        with pytest.raises(DatasetError, match=r"row 3, column 'label'"):
            call(broken)


def test_empty_dataset_is_refused(charts):
    for call in (dataset_checks.check_vqa_dataset, formatting.format_dataset):
        with pytest.raises(DatasetError, match="empty"):
            call(charts.select([]))
        with pytest.raises(DatasetError, match="empty"):
            call([])


def test_missing_column_lists_columns_and_suggests_the_key():
    pictures = synthetic_data.make_shape_positions(2)
    expected = (
        r"no column 'image'; the dataset has \['picture', 'question', 'answer'\]: "
        r"pass image_key='picture'"
    )
    for call in (dataset_checks.check_vqa_dataset, formatting.format_dataset):
        with pytest.raises(DatasetError, match=expected):
            call(pictures)
    with pytest.raises(DatasetError, match="no column 'query'.*pass question_key='question'"):
        dataset_checks.check_vqa_dataset(pictures, image_key="picture")
    with pytest.raises(DatasetError, match="no column 'label'.*pass answer_key='answer'"):
        formatting.format_vqa_row(pictures[0], image_key="picture", question_key="question")
    dataset_checks.check_vqa_dataset(pictures, "picture", "question", "answer")
