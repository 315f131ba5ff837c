"""Translations: every catalogue complete and current, notebooks regenerated, code and markup kept.

The sync itself (`tools/translations.py`) is tested on a small notebook in a temporary folder: a
changed English cell turns fuzzy, a new one is untranslated, a removed one obsolete.
"""

import re
import shutil
import tomllib
from pathlib import Path

import nbformat
import polib
import pytest

from course_utils import i18n
from tools import translations as tr

ROOT = tr.ROOT
CATALOGUES = tr.catalogue_paths()
ENGLISH_NOTEBOOKS = tr.english_notebooks()
COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^/\s]+/[^/\s]+/blob/main/([^)\s]+)")


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


# ----------------------------------------------------------------------------- the course's catalogues


def test_there_is_a_catalogue_per_language_for_the_feedback_and_each_lesson():
    assert ENGLISH_NOTEBOOKS
    assert len(CATALOGUES) == len(tr.TARGET_LANGUAGES) * (1 + len(ENGLISH_NOTEBOOKS))


@pytest.mark.parametrize("path", CATALOGUES, ids=[relative(path) for path in CATALOGUES])
def test_catalogue_has_no_untranslated_or_fuzzy_entry(path):
    catalogue = tr.read_catalogue(path)
    assert catalogue is not None, f"{relative(path)} is missing: run `make translations`"
    untranslated = [entry.msgctxt for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgctxt for entry in catalogue.fuzzy_entries()]
    assert not untranslated and not fuzzy, (
        f"{relative(path)}: {len(untranslated)} untranslated {untranslated[:8]}, {len(fuzzy)} fuzzy "
        f"{fuzzy[:8]}. Translate their msgstr (a fuzzy entry: then delete the fuzzy flag and the #| lines)."
    )


def test_catalogues_and_generated_notebooks_are_up_to_date_with_english():
    stale = tr.out_of_date()
    assert not stale, (
        "out of date with English: run `make translations` and commit the result:\n"
        + "\n".join(relative(path) for path in stale)
    )


@pytest.mark.parametrize("path", CATALOGUES, ids=[relative(path) for path in CATALOGUES])
def test_translations_keep_the_fields_code_and_links_of_english(path):
    catalogue = tr.read_catalogue(path)
    assert catalogue is not None, f"{relative(path)} is missing: run `make translations`"
    problems = [
        f"{entry.msgctxt}: {problem}"
        for entry in catalogue
        if entry.msgstr and not entry.obsolete
        for problem in tr.mismatches(entry.msgid, entry.msgstr, formatted=tr.BRACE_FORMAT in entry.flags)
    ]
    assert not problems, f"{relative(path)}: fix these translations:\n" + "\n".join(problems)


def test_feedback_template_flags_exactly_the_formatted_strings():
    template = tr.read_catalogue(i18n.template_path())
    flagged = {entry.msgctxt for entry in template if tr.BRACE_FORMAT in entry.flags}
    assert "core.incomplete" in flagged and "turtle.hint.1" not in flagged
    assert set(i18n.CATALOGUE) == {entry.msgctxt for entry in template}


@pytest.mark.parametrize("language", tr.TARGET_LANGUAGES)
@pytest.mark.parametrize("english_path", ENGLISH_NOTEBOOKS, ids=[path.name for path in ENGLISH_NOTEBOOKS])
def test_code_cells_are_english_byte_for_byte_except_the_language_default(english_path, language):
    english = read_notebook(english_path)
    translated = read_notebook(ROOT / "notebooks" / language / english_path.name)
    assert [(cell.cell_type, cell.get("id")) for cell in translated.cells] == [
        (cell.cell_type, cell.get("id")) for cell in english.cells
    ]
    english_default = 'LANGUAGE = "en"'
    for source, target in zip(english.cells, translated.cells):
        if source.cell_type != "code":
            continue
        expected = source.source
        if "parameters" in source.metadata.get("tags", []):
            assert english_default in expected
            expected = expected.replace(english_default, f'LANGUAGE = "{language}"')
        assert target.source == expected, (
            f"cell {source.get('id')} of {english_path.name} differs in {language}"
        )
        assert target.metadata == source.metadata
        assert not target.outputs and target.execution_count is None


@pytest.mark.parametrize("language", tr.TARGET_LANGUAGES)
@pytest.mark.parametrize("english_path", ENGLISH_NOTEBOOKS, ids=[path.name for path in ENGLISH_NOTEBOOKS])
def test_colab_badge_opens_the_notebook_of_that_language(english_path, language):
    translated = read_notebook(ROOT / "notebooks" / language / english_path.name)
    first_markdown = next(cell for cell in translated.cells if cell.cell_type == "markdown")
    targets = COLAB_LINK.findall(first_markdown.source)
    assert targets == [f"notebooks/{language}/{english_path.name}"]
    assert (ROOT / targets[0]).is_file()


def test_package_data_ships_every_feedback_catalogue():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = ROOT / "course_utils"
    shipped = {path for pattern in patterns["course_utils"] for path in package.glob(pattern)}
    catalogues = {i18n.template_path()} | {i18n.catalogue_path(language) for language in tr.TARGET_LANGUAGES}
    assert all(path.is_file() for path in catalogues)
    assert catalogues <= shipped


# ----------------------------------------------------------------------------- the sync, on a small course

BADGE = (
    "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
    "(https://colab.research.google.com/github/owner/course/blob/main/notebooks/en/01_demo.ipynb)"
)
PARAMETERS = 'LANGUAGE = "en"  # feedback language'


def markdown(cell_id: str, source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source)
    cell.id = cell_id
    return cell


def code(cell_id: str, source: str, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
    cell.id = cell_id
    return cell


def write_english(root: Path, cells: list) -> Path:
    path = root / "notebooks" / "en" / "01_demo.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(path))
    return path


def demo_cells(explain: str = "The `model` answers in one word.") -> list:
    return [
        markdown("intro", f"# Demo\n\n{BADGE}\n\nRun `ex.turtle.check(answer)`."),
        code("params", PARAMETERS, tags=("parameters",)),
        markdown("explain", explain),
        code("work", 'print("hello")'),
    ]


def catalogue_of(root: Path, language: str = "es") -> polib.POFile:
    return polib.pofile(str(tr.notebook_catalogue_path("01_demo", language, root)), wrapwidth=0)


def translate(root: Path, translations: dict[str, str], language: str = "es") -> None:
    catalogue = catalogue_of(root, language)
    for entry in catalogue:
        if entry.msgctxt in translations:
            entry.msgstr = translations[entry.msgctxt]
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.previous_msgid = None
    catalogue.save()


def generated(root: Path, language: str = "es") -> dict[str, str]:
    notebook = read_notebook(root / "notebooks" / language / "01_demo.ipynb")
    return {cell.id: cell.source for cell in notebook.cells}


@pytest.fixture
def course(tmp_path):
    write_english(tmp_path, demo_cells())
    tr.sync(tmp_path)
    return tmp_path


def test_first_sync_writes_untranslated_catalogues_and_english_fallback_notebooks(course):
    for language in tr.TARGET_LANGUAGES:
        catalogue = catalogue_of(course, language)
        assert [entry.msgctxt for entry in catalogue.untranslated_entries()] == ["intro", "explain"]
        assert catalogue.metadata["Language"] == language
        cells = generated(course, language)
        assert cells["explain"] == "The `model` answers in one word."
        assert f"blob/main/notebooks/{language}/01_demo.ipynb" in cells["intro"]
        assert cells["params"] == PARAMETERS.replace('"en"', f'"{language}"')
        assert cells["work"] == 'print("hello")'
    assert tr.out_of_date(course) == []
    assert tr.sync(course) == []


def test_translation_is_used_and_a_changed_english_cell_turns_it_fuzzy(course):
    translate(course, {"explain": "El `model` responde con una palabra."})
    assert tr.out_of_date(course) == [course / "notebooks" / "es" / "01_demo.ipynb"]
    tr.sync(course)
    assert generated(course)["explain"] == "El `model` responde con una palabra."

    write_english(course, demo_cells(explain="The `model` answers in one or two words."))
    assert set(tr.out_of_date(course)) >= {tr.notebook_catalogue_path("01_demo", "es", course)}
    tr.sync(course)
    entry = next(entry for entry in catalogue_of(course) if entry.msgctxt == "explain")
    assert "fuzzy" in entry.flags
    assert entry.msgid == "The `model` answers in one or two words."
    assert entry.previous_msgid == "The `model` answers in one word."
    assert entry.msgstr == "El `model` responde con una palabra."
    assert generated(course)["explain"] == "The `model` answers in one or two words."  # English meanwhile
    assert tr.count_entries(catalogue_of(course)) == tr.Counts(
        translated=0, fuzzy=1, untranslated=1, obsolete=0
    )
    assert "locale/es/LC_MESSAGES/01_demo.po" in tr.status(course)

    write_english(course, demo_cells(explain="The `model` answers in a few words."))
    tr.sync(course)
    entry = next(entry for entry in catalogue_of(course) if entry.msgctxt == "explain")
    assert entry.previous_msgid == "The `model` answers in one word."  # the English it was translated from


def test_new_cell_is_untranslated_and_removed_cell_becomes_obsolete(course):
    translate(
        course,
        {
            "explain": "El `model` responde con una palabra.",
            "intro": f"# Demo\n\n{BADGE}\n\nEjecuta `ex.turtle.check(answer)`.",
        },
    )
    tr.sync(course)
    cells = demo_cells()
    write_english(course, [*cells[:2], markdown("summary", "## Summary"), cells[3]])
    tr.sync(course)
    catalogue = catalogue_of(course)
    assert [entry.msgctxt for entry in catalogue.untranslated_entries()] == ["summary"]
    assert [(entry.msgctxt, entry.msgstr) for entry in catalogue.obsolete_entries()] == [
        ("explain", "El `model` responde con una palabra.")
    ]
    assert (
        "notebooks/es/01_demo.ipynb" in generated(course)["intro"] and "Ejecuta" in generated(course)["intro"]
    )

    write_english(course, cells)  # the cell comes back: so does its translation
    tr.sync(course)
    assert generated(course)["explain"] == "El `model` responde con una palabra."
    assert catalogue_of(course).obsolete_entries() == []


def test_a_cell_whose_id_changed_keeps_its_translation(course):
    translate(course, {"explain": "El `model` responde con una palabra."})
    cells = demo_cells()
    cells[2] = markdown("explain-again", cells[2].source)
    write_english(course, cells)
    tr.sync(course)
    assert generated(course)["explain-again"] == "El `model` responde con una palabra."


def test_generated_notebook_drops_outputs(course):
    cells = demo_cells()
    cells[3].outputs = [nbformat.v4.new_output("stream", text="hello\n")]
    cells[3].execution_count = 1
    write_english(course, cells)
    tr.sync(course)
    work = next(
        cell
        for cell in read_notebook(course / "notebooks" / "es" / "01_demo.ipynb").cells
        if cell.id == "work"
    )
    assert work.outputs == [] and work.execution_count is None


def test_parameters_cell_without_the_language_default_is_a_clear_error(tmp_path):
    cells = demo_cells()
    cells[1] = code("params", 'LANGUAGE = os.environ.get("COURSE_LANG", "en")', tags=("parameters",))
    write_english(tmp_path, cells)
    with pytest.raises(ValueError, match='LANGUAGE = "en"'):
        tr.sync(tmp_path)


def test_removed_lesson_loses_its_generated_notebooks(course):
    (course / "notebooks" / "en" / "01_demo.ipynb").rename(course / "notebooks" / "en" / "02_other.ipynb")
    tr.sync(course)
    assert not (course / "notebooks" / "es" / "01_demo.ipynb").exists()
    assert (course / "notebooks" / "es" / "02_other.ipynb").is_file()
    assert tr.notebook_catalogue_path("01_demo", "es", course) in tr.out_of_date(course)  # kept, reported


def test_changed_english_feedback_string_turns_its_translations_fuzzy(tmp_path):
    """The maintainer's workflow: edit an English string in feedback.pot, run the sync, see fuzzy entries."""
    locale = tr.feedback_locale(tmp_path)
    shutil.copytree(i18n.LOCALE_DIR, locale)
    template_path = i18n.template_path(locale)
    template = polib.pofile(str(template_path))
    next(entry for entry in template if entry.msgctxt == "core.label.passed").msgid = "Well done"
    template.append(polib.POEntry(msgctxt="core.brand_new", msgid="A new {thing}.", msgstr=""))
    template.save()
    tr.sync(tmp_path)
    for language in tr.TARGET_LANGUAGES:
        catalogue = polib.pofile(str(i18n.catalogue_path(language, locale)))
        passed = next(entry for entry in catalogue if entry.msgctxt == "core.label.passed")
        assert "fuzzy" in passed.flags and passed.previous_msgid == "Correct" and passed.msgid == "Well done"
        assert [entry.msgctxt for entry in catalogue.untranslated_entries()] == ["core.brand_new"]
        assert tr.BRACE_FORMAT in catalogue.find("A new {thing}.", msgctxt="core.brand_new").flags
    texts = i18n.load_catalogue(locale)
    assert texts["core.label.passed"] == {"en": "Well done"}  # fuzzy translations are not shown
    assert texts["core.label.failed"]["ja"] == "まだです"


def test_mismatches_finds_changed_fields_code_and_links():
    english = "Run `ex.dog.check()` on {count} rows: see [the docs](https://example.org/a)."
    assert (
        tr.mismatches(
            english, "Ejecuta `ex.dog.check()` con {count} filas: ver [la doc](https://example.org/a).", True
        )
        == []
    )
    problems = tr.mismatches(
        english, "Ejecuta `ex.perro.check()` con {n} filas: ver [la doc](https://example.org/b).", True
    )
    assert len(problems) == 3 and "ex.perro.check()" in problems[1]
    fenced = "Try:\n\n```python\nx = 1\n```\n"
    assert tr.mismatches(fenced, "Prueba:\n\n```python\nx = 2\n```\n") and not tr.mismatches(fenced, fenced)
    badge_ja = BADGE.replace("/notebooks/en/", "/notebooks/ja/")
    assert tr.mismatches(BADGE, badge_ja) == []
