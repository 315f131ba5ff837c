"""Translation catalogues of the course: English sources -> gettext `.po` files -> es/zh/ja notebooks.

`python -m tools.translations sync` (or `make translations`) updates every catalogue from English and
regenerates `notebooks/<lang>/`; `status` counts translated / fuzzy / untranslated entries per catalogue.

English sources: a lesson's catalogue, `course_utils/locale/<lang>/LC_MESSAGES/<lesson>.po`, holds the
markdown cells of `notebooks/en/<lesson>.ipynb` (msgctxt = the cell id), the `tr(...)` / `tr_plural(...)`
texts of its code cells (no msgctxt: the English is the key, as in gettext) and the messages of its
exercise module (`course_utils.exercises.LESSONS`), extracted with Babel from their `message(key,
english)` and `verbatim(key, english)` calls (msgctxt = the key); `core.po` holds the package's messages
(every other `course_utils` module). No English template is committed: it is read from the sources
each time. A new English text becomes an untranslated entry, a changed one a
fuzzy entry that keeps its old translation and the previous English (`#| msgid`), a removed one an
obsolete entry (`#~`). Untranslated and fuzzy entries fall back to English.
"""

from __future__ import annotations

import argparse
import copy
import html
import io
import re
import sys
from collections import Counter
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import nbformat
import polib
from babel.messages.extract import extract_python
from babel.messages.plurals import get_plural
from IPython.core.inputtransformer2 import TransformerManager
from tabulate import tabulate

from course_utils import i18n
from course_utils.exercises import LESSONS
from tools.notebooks import PARAMETERS_TAG

ROOT = Path(__file__).resolve().parents[1]
SOURCE_LANGUAGE = i18n.DEFAULT_LANGUAGE
TARGET_LANGUAGES = tuple(language for language in i18n.LANGUAGES if language != SOURCE_LANGUAGE)
LANGUAGE_NAMES = {"es": "Spanish", "zh": "Chinese (simplified)", "ja": "Japanese"}
FUZZY = "fuzzy"
BRACE_FORMAT = "python-brace-format"
LANGUAGE_DEFAULT = 'LANGUAGE = "{language}"'
COLAB_NOTEBOOK = re.compile(r"(https://colab\.research\.google\.com/github/\S+?/notebooks/)[a-z]{2}/")
FENCED_BLOCK = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
LINK_TARGET = re.compile(r"\]\(([^)\s]+)")
BADGE_NOTE = (
    "The Colab badge is pointed at this language's notebook by `make translations`: copy its link as it is."
)
HOW_TO = (
    "Translate msgstr only. A fuzzy entry's English changed: compare it with the previous English\n"
    "(#| msgid), fix the translation, then delete the fuzzy flag and the #| lines.\n"
    "Run `make translations` afterwards (it regenerates the notebooks)."
)


# ----------------------------------------------------------------------------- where things live


def locale_dir(root: Path = ROOT) -> Path:
    return root / "course_utils" / "locale"


def lesson_catalogue_path(lesson: str, language: str, root: Path = ROOT) -> Path:
    return i18n.catalogue_path(language, lesson, locale_dir(root))


def core_sources(root: Path = ROOT) -> list[Path]:
    """The files whose messages every lesson shares (the `core` catalogue): the package's modules and
    the exercises' shared machinery (each lesson's exercise module goes to that lesson's catalogue)."""
    package = root / "course_utils"
    return sorted(package.glob("*.py")) + [
        package / "exercises" / "__init__.py",
        package / "exercises" / "core.py",
    ]


def lesson_source(lesson: str, root: Path = ROOT) -> Path | None:
    """The exercise module of `lesson` (None for a lesson without exercises)."""
    module = LESSONS.get(lesson)
    return root / (module.replace(".", "/") + ".py") if module else None


def english_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted((root / "notebooks" / SOURCE_LANGUAGE).glob("*.ipynb"))


def generated_notebook_path(english_path: Path, language: str) -> Path:
    return english_path.parents[1] / language / english_path.name


# ----------------------------------------------------------------------------- templates from English


def notebook_template(notebook: nbformat.NotebookNode, name: str = "notebook") -> polib.POFile:
    """One entry per markdown cell: msgctxt = the cell id, msgid = the English source."""
    template = polib.POFile()
    markdown = [cell for cell in notebook.cells if cell.cell_type == "markdown" and cell.source.strip()]
    for position, cell in enumerate(markdown):
        if not cell.get("id"):
            raise ValueError(
                f"a markdown cell of {name} has no id: save it with nbformat >= 5.1 (notebook format 4.5)"
            )
        entry = polib.POEntry(msgctxt=cell.id, msgid=cell.source, msgstr="")
        if position == 0 and COLAB_NOTEBOOK.search(cell.source):
            entry.comment = BADGE_NOTE
        template.append(entry)
    return template


def entry_key(entry: polib.POEntry) -> tuple[str, str]:
    """What identifies an entry across edits: its msgctxt (a message key or cell id), else its English."""
    return ("msgctxt", entry.msgctxt) if entry.msgctxt is not None else ("msgid", entry.msgid)


def extracted_entries(source: str, name: str) -> list[tuple[int, str, tuple]]:
    """(line, marker, literal arguments) of every `message`, `verbatim`, `tr` and `tr_plural` call."""
    return list(extract_python(io.BytesIO(source.encode()), list(i18n.KEYWORDS), [], {}))


def template_entries(found, where: str, seen: dict) -> list[polib.POEntry]:
    """POEntries from `extracted_entries`; `seen` (identity -> English) refuses a key with two texts."""
    entries = []
    for line, function, arguments, _ in found:
        arguments = arguments if isinstance(arguments, tuple) else (arguments,)
        if function in ("tr", "tr_plural"):
            texts = arguments[: 2 if function == "tr_plural" else 1]
            key, english, plural = None, texts[0], (texts[1] if len(texts) > 1 else None)
            if not all(isinstance(text, str) for text in texts) or (
                function == "tr_plural" and plural is None
            ):
                raise ValueError(f"{where}:{line}: {function}() needs literal English text")
        else:
            key, english, plural = (arguments + (None, None))[:3]
            plural = plural if function == "plural_message" else None
            texts = (key, english, plural) if function == "plural_message" else (key, english)
            if not all(isinstance(text, str) for text in texts):  # (a trailing comma adds a None)
                raise ValueError(f"{where}:{line}: {function}() needs a literal key and English text")
        identity = key if key is not None else english
        if identity in seen:
            if seen[identity] != (english, plural):
                raise ValueError(f"{where}:{line}: the key {identity!r} has two different English texts")
            continue
        seen[identity] = (english, plural)
        formatted = function != "verbatim" and (i18n.field_names(english) or plural is not None)
        entry = polib.POEntry(
            msgctxt=key,
            msgid=english,
            msgstr="",
            occurrences=[(where, "")],
            flags=[BRACE_FORMAT] if formatted else [],
        )
        if plural is not None:
            entry.msgid_plural, entry.msgstr_plural = plural, {0: ""}
        entries.append(entry)
    return entries


def messages_template(paths: list[Path], root: Path = ROOT) -> polib.POFile:
    """The English messages of `paths`, extracted with Babel from their `message(key, english)`,
    `verbatim(key, english)`, `tr(english)` and `tr_plural(singular, plural, n)` calls, the formatted
    ones flagged for translators' tools. A key given two different English texts is an error."""
    template = polib.POFile(wrapwidth=0)
    seen: dict[str, tuple] = {}
    for path in paths:
        where = Path(path).resolve().relative_to(root).as_posix()
        for entry in template_entries(
            extracted_entries(Path(path).read_text(encoding="utf-8"), where), where, seen
        ):
            template.append(entry)
    return template


def code_template(notebook: nbformat.NotebookNode, name: str) -> polib.POFile:
    """The `tr(...)` and `tr_plural(...)` texts of a notebook's code cells (magics read as IPython does)."""
    template = polib.POFile(wrapwidth=0)
    seen: dict[str, tuple] = {}
    python = TransformerManager()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            found = extracted_entries(python.transform_cell(cell.source), f"{name}")
            for entry in template_entries(found, name, seen):
                template.append(entry)
    return template


def message_keys(lesson: str, root: Path = ROOT) -> set[str]:
    """Every message key a lesson's checks can give: its exercise module's and the shared ones."""
    source = lesson_source(lesson, root)
    paths = core_sources(root) + ([source] if source is not None else [])
    return {entry.msgctxt for entry in messages_template(paths, root)}


def lesson_template(english: nbformat.NotebookNode, lesson: str, root: Path = ROOT) -> polib.POFile:
    """A lesson's English: its markdown cells, the `tr(...)` texts of its code cells and reference
    solutions, then its exercise module's messages."""
    template = notebook_template(english, f"{lesson}.ipynb")
    seen = set()
    solutions = sorted((root / "course_utils" / "solutions" / lesson).glob("*.py"))
    for entry in [
        *code_template(english, f"notebooks/{SOURCE_LANGUAGE}/{lesson}.ipynb"),
        *messages_template(solutions, root),
    ]:
        if entry_key(entry) not in seen:  # a label the lesson and a solution both print: one entry
            seen.add(entry_key(entry))
            template.append(entry)
    source = lesson_source(lesson, root)
    if source is not None and source.is_file():
        cells = {entry.msgctxt for entry in template if entry.msgctxt is not None}
        for entry in messages_template([source], root):
            if entry.msgctxt in cells:
                raise ValueError(f"{source}: the key {entry.msgctxt!r} is also a cell id of {lesson}")
            if entry_key(entry) not in seen:  # `tr(...)`: the lesson may print the same label
                seen.add(entry_key(entry))
                template.append(entry)
    return template


# ----------------------------------------------------------------------------- merging into catalogues


def update_catalogue(
    template: polib.POFile, existing: polib.POFile | None, language: str, title: str
) -> polib.POFile:
    """`existing` brought up to date with `template` (English), entries matched by msgctxt (by English
    for an entry without one).

    Same English: the entry is kept. Changed English: the old translation stays, flagged fuzzy, with
    the English it translated as previous msgid. New English: an untranslated entry. English gone:
    the translated entry becomes obsolete. A cell whose id changed but whose English did not keeps
    its translation.
    """
    # Obsolete entries first, so that a live entry with the same msgctxt wins.
    old = {entry_key(entry): entry for entry in sorted(existing or [], key=lambda entry: not entry.obsolete)}
    wanted = {entry_key(entry) for entry in template}
    unclaimed = {
        entry.msgid: entry
        for key, entry in old.items()
        if key not in wanted and entry.msgctxt is not None and translated(entry)
    }
    catalogue = polib.POFile(wrapwidth=0)
    catalogue.header = _header(language, title)  # the header comment is the tool's; metadata is kept
    catalogue.metadata = _metadata(existing, language)
    claimed = set()
    forms = plural_count(catalogue.metadata["Plural-Forms"])
    for source in template:
        previous = old.get(entry_key(source))
        if previous is None and source.msgctxt is not None:
            previous = unclaimed.get(source.msgid)
        entry = polib.POEntry(
            msgctxt=source.msgctxt,
            msgid=source.msgid,
            msgstr="",
            comment=source.comment,
            flags=[flag for flag in source.flags if flag != FUZZY],
        )
        if source.msgid_plural:
            entry.msgid_plural = source.msgid_plural
            entry.msgstr_plural = {index: "" for index in range(forms)}
        if previous is not None and bool(previous.msgid_plural) == bool(source.msgid_plural):
            claimed.add(entry_key(previous))
            entry.msgstr, entry.tcomment = previous.msgstr, previous.tcomment
            if source.msgid_plural:
                entry.msgstr_plural = {i: previous.msgstr_plural.get(i, "") for i in range(forms)}
            _carry_fuzziness(entry, previous)
        catalogue.append(entry)
    for key, entry in old.items():
        if key not in wanted and key not in claimed and translated(entry):
            gone = copy.copy(entry)
            gone.obsolete = True
            catalogue.append(gone)
    return catalogue


def translated(entry: polib.POEntry) -> bool:
    """Whether `entry` holds a translation (every plural form, for a plural entry)."""
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def _carry_fuzziness(entry: polib.POEntry, previous: polib.POEntry) -> None:
    was_fuzzy = FUZZY in previous.flags
    changed = previous.msgid != entry.msgid or previous.msgid_plural != entry.msgid_plural
    if changed and translated(entry):
        entry.flags.append(FUZZY)
        # Already fuzzy: the translation still matches the English it was written for.
        entry.previous_msgid = (
            previous.previous_msgid if was_fuzzy and previous.previous_msgid else previous.msgid
        )
    elif was_fuzzy and translated(entry):
        entry.flags.append(FUZZY)
        entry.previous_msgid = previous.previous_msgid


def _header(language: str, title: str) -> str:
    return f"{LANGUAGE_NAMES.get(language, language)} translation of {title}.\n{HOW_TO}"


def _metadata(existing: polib.POFile | None, language: str | None = None) -> dict[str, str]:
    metadata = {
        "Project-Id-Version": "smolvlm-course",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    if existing is not None:
        metadata.update(existing.metadata)
    if language:
        metadata["Language"] = language
        # Babel's rule (CLDR) when the catalogue has none yet; then the catalogue's own, so that another
        # Babel release (another CLDR) does not change a translated catalogue's plural forms
        metadata.setdefault("Plural-Forms", str(get_plural(language)))
    return metadata


def plural_count(plural_forms: str) -> int:
    """nplurals of a Plural-Forms header ("nplurals=2; plural=(n != 1);" -> 2)."""
    found = re.search(r"nplurals\s*=\s*(\d+)", plural_forms)
    return int(found.group(1)) if found else 2


def read_catalogue(path: Path) -> polib.POFile | None:
    return polib.pofile(str(path), wrapwidth=0) if path.is_file() else None


def catalogue_text(catalogue: polib.POFile) -> str:
    return str(catalogue).rstrip("\n") + "\n"


# ----------------------------------------------------------------------------- generated notebooks


def usable_translation(entry: polib.POEntry, english: str) -> str | None:
    """The translation of `english` in `entry`, or None while it is untranslated, fuzzy or stale."""
    if entry.obsolete or FUZZY in entry.flags or not entry.msgstr or entry.msgid != english:
        return None
    return entry.msgstr


def point_badges_to(markdown: str, language: str) -> str:
    """Colab links to `notebooks/<any language>/...` -> the same lesson in `notebooks/<language>/`."""
    return COLAB_NOTEBOOK.sub(rf"\g<1>{language}/", markdown)


def set_language_default(source: str, language: str, name: str = "notebook") -> str:
    english = LANGUAGE_DEFAULT.format(language=SOURCE_LANGUAGE)
    if english not in source:
        raise ValueError(f"the parameters cell of {name} must contain `{english}`")
    return source.replace(english, LANGUAGE_DEFAULT.format(language=language), 1)


def translate_notebook(
    english: nbformat.NotebookNode, catalogue: polib.POFile, language: str, name: str = "notebook"
) -> nbformat.NotebookNode:
    """English notebook + catalogue -> the notebook in `language`: markdown translated, code as is."""
    entries = {entry.msgctxt: entry for entry in catalogue}
    notebook = copy.deepcopy(english)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            entry = entries.get(cell.get("id"))
            translation = usable_translation(entry, cell.source) if entry is not None else None
            cell.source = point_badges_to(translation or cell.source, language)
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if PARAMETERS_TAG in cell.metadata.get("tags", []):
                cell.source = set_language_default(cell.source, language, name)
    return notebook


def notebook_text(notebook: nbformat.NotebookNode) -> str:
    return nbformat.writes(notebook).rstrip("\n") + "\n"


# ----------------------------------------------------------------------------- the whole course


def planned_files(root: Path = ROOT) -> dict[Path, str]:
    """Every catalogue and generated notebook as `sync` would write it, computed in memory."""
    files: dict[Path, str] = {}
    sources = [path for path in core_sources(root) if path.is_file()]
    if sources:
        template = messages_template(sources, root)
        for language in TARGET_LANGUAGES:
            path = i18n.catalogue_path(language, i18n.CORE_DOMAIN, locale_dir(root))
            merged = update_catalogue(template, read_catalogue(path), language, "the shared messages")
            files[path] = catalogue_text(merged)
    for english_path in english_notebooks(root):
        english = nbformat.read(str(english_path), as_version=4)
        template = lesson_template(english, english_path.stem, root)
        for language in TARGET_LANGUAGES:
            path = lesson_catalogue_path(english_path.stem, language, root)
            title = f"notebooks/{SOURCE_LANGUAGE}/{english_path.name} and its exercises"
            catalogue = update_catalogue(template, read_catalogue(path), language, title)
            files[path] = catalogue_text(catalogue)
            translated = translate_notebook(english, catalogue, language, english_path.name)
            files[generated_notebook_path(english_path, language)] = notebook_text(translated)
    return files


def orphans(root: Path = ROOT) -> list[Path]:
    """Generated notebooks and catalogues whose English notebook no longer exists."""
    lessons = {path.stem for path in english_notebooks(root)}
    found = []
    for language in TARGET_LANGUAGES:
        found += [p for p in sorted((root / "notebooks" / language).glob("*.ipynb")) if p.stem not in lessons]
        folder = locale_dir(root) / language / "LC_MESSAGES"
        found += [p for p in sorted(folder.glob("*.po")) if p.stem not in lessons | {i18n.CORE_DOMAIN}]
    return found


def out_of_date(root: Path = ROOT) -> list[Path]:
    """Files that `sync` would write or remove."""
    stale = [
        path
        for path, text in planned_files(root).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    return stale + orphans(root)


def sync(root: Path = ROOT) -> list[Path]:
    """Update every catalogue from English and regenerate the translated notebooks; returns what changed.

    Generated notebooks of a removed English lesson are deleted; its catalogues are kept (rename the
    .po files if the lesson was renamed) and reported.
    """
    changed = []
    for path, text in planned_files(root).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            changed.append(path)
    for path in orphans(root):
        if path.suffix == ".ipynb":
            path.unlink()
            changed.append(path)
        else:
            print(f"warning: {path} belongs to no English notebook: rename it to the new lesson or remove it")
    return changed


# ----------------------------------------------------------------------------- checks and counts


@dataclass(frozen=True)
class Counts:
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int


def count_entries(catalogue: polib.POFile) -> Counts:
    fuzzy = len(catalogue.fuzzy_entries())
    return Counts(
        translated=len(catalogue.translated_entries()),
        fuzzy=fuzzy,
        untranslated=len(catalogue.untranslated_entries()),
        obsolete=len(catalogue.obsolete_entries()),
    )


def catalogue_paths(root: Path = ROOT) -> list[Path]:
    """Every non-English catalogue: the shared one first, then one per lesson, for each language."""
    paths = []
    for language in TARGET_LANGUAGES:
        paths.append(i18n.catalogue_path(language, i18n.CORE_DOMAIN, locale_dir(root)))
        paths += [lesson_catalogue_path(path.stem, language, root) for path in english_notebooks(root)]
    return paths


def markup(text: str) -> dict[str, Counter]:
    """What a translation must carry over unchanged: fenced code blocks, inline code, link targets."""
    text = point_badges_to(text, SOURCE_LANGUAGE)
    blocks = [match.group(0) for match in FENCED_BLOCK.finditer(text)]
    prose = FENCED_BLOCK.sub("", text)
    return {
        "code blocks": Counter(blocks),
        "inline code": Counter(match.group(2) for match in CODE_SPAN.finditer(prose)),
        "link targets": Counter(LINK_TARGET.findall(prose)),
    }


def mismatches(english: str, translation: str, formatted: bool = False) -> list[str]:
    """How `translation` differs from `english` in `{fields}` (when `formatted`), code and links."""
    problems = []
    if formatted and i18n.field_names(english) != i18n.field_names(translation):
        problems.append(
            f"fields {sorted(i18n.field_names(translation))} instead of {sorted(i18n.field_names(english))}"
        )
    wanted, found = markup(english), markup(translation)
    for kind in wanted:
        missing, extra = wanted[kind] - found[kind], found[kind] - wanted[kind]
        if missing or extra:
            problems.append(f"{kind}: missing {sorted(missing)}, unexpected {sorted(extra)}")
    return problems


# ----------------------------------------------------------------------------- English left in a run

FIELD = re.compile(r"\{[^{}]*\}")
WORD = re.compile(r"[A-Za-z][A-Za-z']+")


def english_fragments(texts, keep=()) -> set[str]:
    """The English words a learner must not see in a translated run: each text split at its `{fields}`,
    code spans and identifiers left out; a piece counts when it holds three words or more, or is the
    whole text ("before", "truth:", "prompt tokens:"). Pieces found in `keep` (the translations, which
    may keep a term such as "LoRA") are allowed."""
    fragments = set()
    for text in texts:
        pieces = [piece.strip(" \n:;,.()·-–—→?!'\"") for piece in FIELD.split(CODE_SPAN.sub("{}", text))]
        for piece in pieces:
            piece = " ".join(piece.split())
            words = WORD.findall(piece)
            if not words or any("_" in token or "." in token.strip(".") for token in piece.split()):
                continue
            whole = piece == " ".join(text.split()).strip(" :.")
            if (len(words) >= 3 or whole) and not any(piece in kept for kept in keep):
                fragments.add(piece)
    return fragments


def lesson_english(lesson: str, root: Path = ROOT) -> dict[str, set[str]]:
    """English of every message a lesson's run can show, per target language: the package's messages,
    the lesson's exercise messages and the `tr(...)` texts of its code cells, less what that language's
    translations keep as they are."""
    english = nbformat.read(str(root / "notebooks" / SOURCE_LANGUAGE / f"{lesson}.ipynb"), as_version=4)
    template = list(messages_template(core_sources(root), root))
    template += [
        entry
        for entry in lesson_template(english, lesson, root)
        if entry.msgctxt is None or "." in entry.msgctxt
    ]
    found = {}
    for language in TARGET_LANGUAGES:
        kept = []
        for domain in (i18n.CORE_DOMAIN, lesson):
            catalogue = read_catalogue(i18n.catalogue_path(language, domain, locale_dir(root))) or []
            kept += [entry.msgstr for entry in catalogue] + [
                form for entry in catalogue for form in entry.msgstr_plural.values()
            ]
        texts = [text for entry in template for text in (entry.msgid, entry.msgid_plural) if text]
        found[language] = english_fragments(texts, kept)
    return found


def shown_texts(executed: nbformat.NotebookNode) -> list[str]:
    """Everything an executed notebook shows as text: printed lines, tables, Markdown, figures drawn as
    SVG with their text kept, and the state of its widgets (labels, values, messages)."""
    texts = []
    for cell in executed.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            texts.append(output.get("text", ""))
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") or mime == "image/svg+xml":
                    texts.append(value if isinstance(value, str) else "".join(value))
    state = executed.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    texts += list(strings(state.get("state", {})))
    return [" ".join(html.unescape(text).split()) for text in texts if text]


def english_left(executed: nbformat.NotebookNode, fragments: set[str]) -> list[str]:
    """The English `fragments` an executed notebook still shows (as whole words), with where."""
    found = []
    for text in shown_texts(executed):
        for fragment in fragments:
            if re.search(rf"(?<![A-Za-z]){re.escape(fragment)}(?![A-Za-z])", text):
                start = text.index(fragment)
                found.append(f"{fragment!r} in …{text[max(0, start - 60) : start + 80]}…")
    return sorted(set(found))


def status(root: Path = ROOT) -> str:
    header = ("catalogue", *(column.name for column in fields(Counts)))
    rows = []
    for path in catalogue_paths(root):
        catalogue = read_catalogue(path)
        counts = count_entries(catalogue) if catalogue is not None else Counts(0, 0, 0, 0)
        name = str(path.relative_to(root)) + ("" if catalogue is not None else " (missing)")
        rows.append((name, *astuple(counts)))
    lines = [tabulate(rows, headers=header)]
    stale = out_of_date(root)
    if stale:
        lines.append(f"\n{len(stale)} file(s) out of date with English: run `make translations`.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.translations", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sync_parser = commands.add_parser("sync", help="update the catalogues from English, regenerate notebooks")
    sync_parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if anything is stale"
    )
    commands.add_parser("status", help="translated / fuzzy / untranslated entries per catalogue")
    args = parser.parse_args(argv)
    if args.command == "status":
        print(status())
        return 0
    if args.check:
        stale = out_of_date()
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    changed = sync()
    for path in changed:
        print(f"updated {path.relative_to(ROOT)}")
    print(f"{len(changed)} file(s) updated." if changed else "Everything is up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
