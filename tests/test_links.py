"""One repository URL: pyproject, README badges, the notebooks' badges and Colab setup cells, solution links.

`course_utils.links.REPOSITORY_URL` is the source; every other copy must agree with it.
"""

import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from course_utils.exercises.core import SOLUTIONS_URL
from course_utils.links import COLAB_CHECKOUT, REPOSITORY_URL, colab_url, file_url, repository_slug

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(ROOT.glob("notebooks/*/*.ipynb"))
READMES = sorted(ROOT.glob("README*.md"))
COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^)\s\"']+")
GITHUB_LINK = re.compile(r"https://github\.com/[^)\s\"']+")
SETUP_GUARD = 'if "google.colab" in sys.modules:'


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def setup_cell(path: Path) -> str:
    notebook = nbformat.read(str(path), as_version=4)
    first_code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert SETUP_GUARD in first_code.source, f"the first code cell of {relative(path)} is not the Colab setup"
    return first_code.source


def test_pyproject_names_the_repository():
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Repository"] == REPOSITORY_URL


def test_links_are_built_from_the_repository():
    assert repository_slug().count("/") == 1
    expected = f"https://colab.research.google.com/github/{repository_slug()}/blob/main/notebooks/en/x.ipynb"
    assert colab_url("notebooks/en/x.ipynb") == expected
    assert (
        SOLUTIONS_URL
        == file_url("course_utils/solutions")
        == f"{REPOSITORY_URL}/blob/main/course_utils/solutions"
    )


@pytest.mark.parametrize("path", READMES, ids=relative)
def test_readme_colab_badges_open_existing_notebooks_of_the_repository(path):
    links = COLAB_LINK.findall(path.read_text())
    assert links, f"{path.name} has no Colab badge"
    prefix = colab_url("")
    for link in links:
        assert link.startswith(prefix), f"{path.name}: {link} is not a notebook of {REPOSITORY_URL}"
        assert (ROOT / link.removeprefix(prefix)).is_file(), f"{path.name}: {link} opens a missing notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=relative)
def test_notebook_badge_opens_this_notebook(path):
    notebook = nbformat.read(str(path), as_version=4)
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert COLAB_LINK.findall(markdown) == [colab_url(relative(path))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=relative)
def test_setup_cell_clones_the_repository_and_installs_it_from_the_clone(path):
    source = setup_cell(path)
    assert GITHUB_LINK.findall(source) == [REPOSITORY_URL]
    assert f"!git clone --quiet --depth 1 {REPOSITORY_URL} {COLAB_CHECKOUT}" in source
    assert f"%pip install --quiet {COLAB_CHECKOUT}\n" in source + "\n"
    assert "COURSE_SOLUTIONS_DIR" not in source  # the solutions are package data


def test_no_other_file_of_the_package_spells_the_repository_url():
    spelled = [
        relative(path)
        for path in sorted((ROOT / "course_utils").rglob("*.py"))
        if path.name != "links.py" and GITHUB_LINK.search(path.read_text(encoding="utf-8"))
    ]
    assert not spelled, f"use course_utils.links instead of a GitHub URL in: {spelled}"
