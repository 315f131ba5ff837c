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


def test_there_is_a_catalogue_per_language_for_the_shared_messages_and_each_lesson():
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


# `{index}` and `{row}` are Python's 0-based indices (`rows[0]` is "row 0"): every language reads them as
# labels ("row 3", "行 3"), never as ordinals ("第 3 行", "3 行目", "the 3rd row"), which would send
# the learner to the row before the faulty one.
INDEX_FIELD = re.compile(r"\{(index|row)\b[^}]*\}")
ORDINAL = {
    "en": re.compile(r"\{(index|row)\b[^}]*\}(st|nd|rd|th)\b"),
    "es": re.compile(r"\{(index|row)\b[^}]*\}\s*(\.?[ªº]|er\b)"),
    "zh": re.compile(r"第\s*\{(index|row)\b|\{(index|row)\b[^}]*\}\s*[个張张项條条]"),
    "ja": re.compile(r"\{(index|row)\b[^}]*\}\s*(行目|番目|つ目|個目|件目)"),
}


@pytest.mark.parametrize("path", CATALOGUES, ids=[relative(path) for path in CATALOGUES])
def test_row_and_index_fields_read_as_labels_not_ordinals(path):
    language = path.parent.parent.name
    entries = [entry for entry in tr.read_catalogue(path) if INDEX_FIELD.search(entry.msgid)]
    ordinals = [entry.msgctxt for entry in entries if ORDINAL["en"].search(entry.msgid)]
    ordinals += [entry.msgctxt for entry in entries if ORDINAL[language].search(entry.msgstr)]
    assert not ordinals, f"{relative(path)}: an index read as an ordinal in {ordinals}"


def test_extraction_finds_every_message_and_flags_exactly_the_formatted_ones():
    from course_utils.exercises import LESSONS, lesson_module

    keys = set()
    for lesson in LESSONS:
        template = tr.messages_template([tr.lesson_source(lesson)])
        flagged = {entry.msgctxt for entry in template if tr.BRACE_FORMAT in entry.flags}
        exercises = lesson_module(lesson).LESSON.exercises.values()
        assert exercises
        for exercise in exercises:  # what the registry holds is what the extraction found
            assert exercise.passed.key in {entry.msgctxt for entry in template}
            assert [hint.key for hint in exercise.hints] == [
                f"{exercise.name}.hint.1",
                f"{exercise.name}.hint.2",
            ]
            assert not {hint.key for hint in exercise.hints} & flagged  # hints are shown verbatim
        keys |= {entry.msgctxt for entry in template}
    core = {entry.msgctxt: entry for entry in tr.messages_template(tr.core_sources())}
    assert (
        tr.BRACE_FORMAT in core["core.incomplete"].flags
        and tr.BRACE_FORMAT not in core["core.label.hint"].flags
    )
    assert not keys & set(core), "a lesson reuses a shared key"
    assert core["playground.tiles"].msgid_plural == "{n} tiles"  # plural_message(key, singular, plural)


def test_extraction_refuses_a_key_with_two_english_texts(tmp_path):
    source = tmp_path / "course_utils" / "exercises" / "demo.py"
    source.parent.mkdir(parents=True)
    source.write_text('A = message("demo.x", "One text.")\nB = message("demo.x", "Another text.")\n')
    with pytest.raises(ValueError, match="demo.x"):
        tr.messages_template([source], tmp_path)


def test_rendering_a_message_never_raises(monkeypatch):
    msg = i18n.message("demo.fields", "{count} rows, {name!r}.")
    assert i18n.render(msg, count=2, name="x") == "2 rows, 'x'."
    # a translation naming a field the code does not pass falls back to English
    monkeypatch.setattr(i18n, "translations", lambda language: {(msg.key, msg.english): "{cuenta} filas"})
    assert i18n.render(msg, language="es", count=2, name="x") == "2 rows, 'x'."
    # English missing a field: shown with its fields listed, never a KeyError
    assert i18n.render(msg, language="en", count=2) == "{count} rows, {name!r}. (count=2)"
    assert i18n.render(i18n.verbatim("demo.code", "x = {'a': 1}")) == "x = {'a': 1}"


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


def test_package_data_ships_every_catalogue_and_solution():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = ROOT / "course_utils"
    shipped = {path for pattern in patterns["course_utils"] for path in package.glob(pattern)}
    assert all(path.is_file() for path in CATALOGUES)
    assert set(CATALOGUES) <= shipped
    solutions = set((package / "solutions").glob("*/*.py"))
    assert len(solutions) >= 6 and solutions <= shipped


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
        markdown("intro", f"# Demo\n\n{BADGE}\n\nRun `ex.one_image.check(answer)`."),
        code("params", PARAMETERS, tags=("parameters",)),
        markdown("explain", explain),
        code("work", 'print("hello")'),
    ]


def catalogue_of(root: Path, language: str = "es") -> polib.POFile:
    return polib.pofile(str(tr.lesson_catalogue_path("01_demo", language, root)), wrapwidth=0)


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
    assert set(tr.out_of_date(course)) >= {tr.lesson_catalogue_path("01_demo", "es", course)}
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
            "intro": f"# Demo\n\n{BADGE}\n\nEjecuta `ex.one_image.check(answer)`.",
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
    assert tr.lesson_catalogue_path("01_demo", "es", course) in tr.out_of_date(course)  # kept, reported


def test_changed_english_message_turns_its_translations_fuzzy(tmp_path):
    """The maintainer's workflow: edit a message's English where the code raises it, run the sync, see
    fuzzy entries; add a message, see it untranslated."""
    for source in tr.core_sources():
        copy = tmp_path / source.relative_to(ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    shutil.copytree(i18n.LOCALE_DIR, tr.locale_dir(tmp_path))
    core = tmp_path / "course_utils" / "exercises" / "core.py"
    text = core.read_text(encoding="utf-8")
    assert 'message("core.label.passed", "Correct")' in text
    text = text.replace(
        'message("core.label.passed", "Correct")', 'message("core.label.passed", "Well done")'
    )
    core.write_text(text + '\nBRAND_NEW = message("core.brand_new", "A new {thing}.")\n', encoding="utf-8")
    tr.sync(tmp_path)
    for language in tr.TARGET_LANGUAGES:
        catalogue = polib.pofile(
            str(i18n.catalogue_path(language, i18n.CORE_DOMAIN, tr.locale_dir(tmp_path)))
        )
        passed = next(entry for entry in catalogue if entry.msgctxt == "core.label.passed")
        assert "fuzzy" in passed.flags and passed.previous_msgid == "Correct" and passed.msgid == "Well done"
        assert [entry.msgctxt for entry in catalogue.untranslated_entries()] == ["core.brand_new"]
        assert tr.BRACE_FORMAT in catalogue.find("A new {thing}.", msgctxt="core.brand_new").flags
    texts = i18n.translations("ja", tr.locale_dir(tmp_path))
    assert ("core.label.passed", "Well done") not in texts  # fuzzy translations are not shown
    assert texts["core.label.failed", "Not yet"] == "まだです"


def test_mismatches_finds_changed_fields_code_and_links():
    english = "Run `ex.left_padded_batch.check()` on {count} rows: see [the docs](https://example.org/a)."
    assert (
        tr.mismatches(
            english,
            "Ejecuta `ex.left_padded_batch.check()` con {count} filas: ver [la doc](https://example.org/a).",
            True,
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


# ----------------------------------------------------------------------------- the lessons' own lines


def test_code_cell_texts_become_entries_without_context_with_the_language_plural_forms(course, monkeypatch):
    """`tr(...)` and `tr_plural(...)` in a code cell: gettext entries keyed by their English, with as many
    plural forms as the language has (the installed Babel's CLDR rule, then the catalogue's own)."""
    cells = demo_cells()
    cells[3] = code(
        "work",
        'print(tr("Loss at step {step}:", step=3), 0.5)\n'
        'print(tr_plural("{n} row left", "{n} rows left", len(rows)))\n%time x = 1\n',
    )
    write_english(course, cells)
    tr.sync(course)
    for language in ("es", "zh", "ja"):
        catalogue = catalogue_of(course, language)
        loss = catalogue.find("Loss at step {step}:")
        rows = catalogue.find("{n} row left")
        assert loss.msgctxt is None and tr.BRACE_FORMAT in loss.flags
        forms = tr.plural_count(catalogue.metadata["Plural-Forms"])  # CLDR's, as the installed Babel has it
        assert rows.msgid_plural == "{n} rows left" and len(rows.msgstr_plural) == forms
        assert forms >= 2 if language == "es" else forms == 1
    # the catalogue keeps its plural forms whatever the Babel release (another CLDR) says later
    catalogue = catalogue_of(course, "es")
    catalogue.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    catalogue.save()
    tr.sync(course)
    assert len(catalogue_of(course, "es").find("{n} row left").msgstr_plural) == 2
    catalogue = catalogue_of(course, "es")
    catalogue.find("Loss at step {step}:").msgstr = "Pérdida en el paso {step}:"
    catalogue.find("{n} row left").msgstr_plural = {
        0: "queda {n} fila",
        1: "quedan {n} filas",
        2: "quedan {n} filas",
    }
    catalogue.save()
    found = i18n.translations("es", tr.locale_dir(course))
    monkeypatch.setattr(i18n, "translations", lambda language: found)
    rule = i18n.plural_rule("es", tr.locale_dir(course))  # the small course's Plural-Forms
    monkeypatch.setattr(i18n, "plural_rule", lambda language: rule)
    with monkeypatch.context() as patched:
        patched.setattr(i18n, "_chosen", "es")
        assert i18n.tr("Loss at step {step}:", step=3) == "Pérdida en el paso 3:"
        assert i18n.tr_plural("{n} row left", "{n} rows left", 1) == "queda 1 fila"
        assert i18n.tr_plural("{n} row left", "{n} rows left", 4) == "quedan 4 filas"
        assert i18n.tr("Untranslated {x}", x=1) == "Untranslated 1"
    # English: the form for the count, with the English rule
    assert i18n.tr_plural("{n} row left", "{n} rows left", 1) == "1 row left"
    assert i18n.tr_plural("{n} row left", "{n} rows left", 0) == "0 rows left"

    # edited English: a new untranslated entry; the old translation is kept as obsolete (gettext's way)
    cells[3] = code("work", 'print(tr("Loss after step {step}:", step=3), 0.5)\n')
    write_english(course, cells)
    tr.sync(course)
    catalogue = catalogue_of(course, "es")
    assert catalogue.find("Loss after step {step}:").msgstr == ""
    assert [entry.msgid for entry in catalogue.obsolete_entries()] == ["Loss at step {step}:", "{n} row left"]


def test_the_scan_for_english_finds_messages_in_text_figures_and_widgets_but_not_prompts_or_kept_terms():
    fragments = tr.english_fragments(
        [
            "truth:",
            "{count} chart questions for preference pairs",
            "Call `ex.one_image.check(messages, answer)` first.",
            "{method} on {model}: {rows} rows",
            "{count} frames from {name}",
            "DPO + SFT loss",
            "Training loss",
        ],
        keep=["{count} 个图表问题", "Training loss"],  # a translation may keep English as it is
    )
    # single words count only as a whole message; code spans and fields split the text
    assert fragments == {"truth", "chart questions for preference pairs", "DPO + SFT loss"}
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="What color is the shape? -> 'red' 真值: red\n"),
        nbformat.v4.new_output(
            "display_data",
            data={"image/svg+xml": "<svg><text>12 chart questions for\npreference pairs</text></svg>"},
        ),
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {"m1": {"state": {"description": "truth:"}}}}
    }
    left = tr.english_left(notebook, fragments)
    assert len(left) == 2 and "chart questions" in left[0] and "'truth'" in left[1], left
    cell.outputs = cell.outputs[:1]
    notebook.metadata["widgets"] = {}
    assert tr.english_left(notebook, fragments) == []  # a prompt, an answer, the translated label


# ----------------------------------------------------------------------------- one term, one translation

GLOSSARY_COLUMNS = ["english", "translation", "avoid"]


def glossary(language: str) -> list[dict[str, str]]:
    """`course_utils/locale/<language>/glossary.tsv`: a term, its translation in this course (the
    seeds' terms), and the variants it replaces (separated by `|`)."""
    path = tr.locale_dir() / language / "glossary.tsv"
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]
    header, *rows = [line.split("\t") for line in lines]
    assert header == GLOSSARY_COLUMNS and all(len(row) == 3 for row in rows), (
        f"{path}: three tab-separated columns"
    )
    return [dict(zip(header, row)) for row in rows]


def prose_of(text: str) -> str:
    """`text` without fenced code, inline code, `{fields}` and link targets (identifiers stay English)."""
    text = tr.FENCED_BLOCK.sub(" ", text)
    text = tr.FIELD.sub(" ", tr.CODE_SPAN.sub(" ", text))
    return re.sub(r"\]\([^)]*\)", "]", text)


def uses(text: str, term: str) -> bool:
    if re.search(r"[A-Za-z]", term):  # a Latin term: as a whole word, any case
        return re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text, re.IGNORECASE) is not None
    return term in text


@pytest.mark.parametrize("language", tr.TARGET_LANGUAGES)
def test_every_catalogue_and_readme_uses_the_glossary_terms(language):
    terms = glossary(language)
    assert len(terms) >= 10
    texts = {}
    for path in tr.catalogue_paths():
        if path.parent.parent.name == language:
            for entry in tr.read_catalogue(path):
                if not entry.obsolete:
                    forms = [entry.msgstr, *entry.msgstr_plural.values()]
                    texts[f"{relative(path)}: {entry.msgctxt or entry.msgid[:40]}"] = prose_of(
                        " ".join(forms)
                    )
    texts[f"README_{language}.md"] = prose_of((ROOT / f"README_{language}.md").read_text(encoding="utf-8"))
    drift = [
        f"{where}: {variant!r} (the glossary says {term['translation']!r} for {term['english']!r})"
        for term in terms
        for variant in filter(None, (part.strip() for part in term["avoid"].split("|")))
        for where, text in texts.items()
        if uses(text, variant)
    ]
    assert not drift, f"{len(drift)} uses of a replaced term:\n" + "\n".join(drift[:40])
    unused = [
        term["translation"]
        for term in terms
        if not any(uses(text, term["translation"]) for text in texts.values())
    ]
    assert not unused, f"glossary terms no catalogue uses: {unused}"
