"""The four front pages: one README per language, the same sections, links that resolve, and badges and
notebook links that open that language's lessons."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
READMES = {"en": "README.md", "es": "README_es.md", "zh": "README_zh.md", "ja": "README_ja.md"}
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,3}) ", re.M)


def text(language: str) -> str:
    path = ROOT / READMES[language]
    assert path.is_file(), f"{READMES[language]} is missing"
    return path.read_text(encoding="utf-8")


def structure(markdown: str) -> list[str]:
    """Heading levels in order, and the number of table rows and bash commands."""
    outside_code = re.sub(r"```.*?```", "", markdown, flags=re.S)
    levels = HEADING.findall(outside_code)
    table_rows = len(re.findall(r"^\|", outside_code, flags=re.M))
    commands = re.findall(r"```bash\n(.*?)```", markdown, flags=re.S)
    return [*levels, f"{table_rows} table rows", *commands]


@pytest.mark.parametrize("language", [lang for lang in READMES if lang != "en"])
def test_readme_has_the_sections_tables_and_commands_of_english(language):
    assert structure(text(language)) == structure(text("en"))


@pytest.mark.parametrize("language", list(READMES))
def test_every_relative_link_resolves_to_a_file(language):
    targets = [t for t in LINK.findall(text(language)) if not t.startswith(("http://", "https://", "#"))]
    assert targets, f"{READMES[language]} links no file of the repository"
    missing = [t for t in targets if not (ROOT / t.split("#")[0]).exists()]
    assert not missing, f"{READMES[language]} links missing files: {missing}"


@pytest.mark.parametrize("language", list(READMES))
def test_badges_and_notebook_links_open_this_languages_lessons(language):
    readme = text(language)
    notebooks = re.findall(r"notebooks/([a-z]{2})/\d\d_\w+\.ipynb", readme)
    lessons = sorted(path.name for path in (ROOT / "notebooks" / "en").glob("*.ipynb"))
    assert notebooks and set(notebooks) == {language}, (language, set(notebooks))
    for lesson in lessons:
        assert readme.count(f"notebooks/{language}/{lesson}") >= 2, f"{lesson}: link and Colab badge"


@pytest.mark.parametrize("language", list(READMES))
def test_language_switcher_links_every_other_readme(language):
    first_lines = "\n".join(text(language).splitlines()[:5])
    for other, name in READMES.items():
        if other != language:
            assert f"]({name})" in first_lines, f"{READMES[language]} does not link {name} at the top"
