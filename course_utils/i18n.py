"""Feedback strings of the checks in en/es/zh/ja, read from gettext catalogues (`locale/`, with polib).

English is `locale/feedback.pot` (msgctxt = key); `t(key, **fields)` answers in the current language
and falls back to English where an entry is untranslated or fuzzy. Edit, then `make translations`.
"""

from __future__ import annotations

import os
import string
import warnings
from pathlib import Path

import polib

LANGUAGES = ("en", "es", "zh", "ja")
DEFAULT_LANGUAGE = "en"
LANGUAGE_ENV = "COURSE_LANG"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "feedback"

# Hints are shown verbatim (never formatted), so their braces are literal; other texts double them.
VERBATIM_PREFIXES = (
    "turtle.hint.",
    "dog.hint.",
    "lion.hint.",
    "finetuning.turtle.hint.",
    "finetuning.dog.hint.",
    "finetuning.lion.hint.",
)

_chosen: str | None = None


def template_path(locale_dir: Path = LOCALE_DIR) -> Path:
    """The English source of the feedback strings."""
    return Path(locale_dir) / f"{DOMAIN}.pot"


def catalogue_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return Path(locale_dir) / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_catalogue(locale_dir: Path = LOCALE_DIR) -> dict[str, dict[str, str]]:
    """key -> {language: text}: English for every key, other languages where translated and current."""
    english = polib.pofile(str(template_path(locale_dir)))
    catalogue = {entry.msgctxt: {DEFAULT_LANGUAGE: entry.msgid} for entry in english if not entry.obsolete}
    for language in LANGUAGES:
        path = catalogue_path(language, locale_dir)
        if language == DEFAULT_LANGUAGE or not path.is_file():
            continue
        for entry in polib.pofile(str(path)).translated_entries():
            texts = catalogue.get(entry.msgctxt)
            if texts is not None and entry.msgid == texts[DEFAULT_LANGUAGE]:
                texts[language] = entry.msgstr
    return catalogue


CATALOGUE: dict[str, dict[str, str]] = load_catalogue()


def set_language(code: str | None) -> str:
    """Use `code` (en, es, zh, ja) for feedback; unknown codes fall back to English.

    `None` goes back to following `$COURSE_LANG`.
    """
    global _chosen
    _chosen = None if code is None else normalise_language(code)
    return get_language()


def get_language() -> str:
    """The language in use: the one set with `set_language`, else `$COURSE_LANG`, else English."""
    if _chosen is not None:
        return _chosen
    return normalise_language(os.environ.get(LANGUAGE_ENV) or DEFAULT_LANGUAGE)


def normalise_language(code: str | None) -> str:
    """`"ja_JP"` -> `"ja"`, `"ZH-cn"` -> `"zh"`; an unknown code warns and gives English."""
    if not code:
        return DEFAULT_LANGUAGE
    short = str(code).strip().lower().replace("_", "-").split("-")[0]
    if short in LANGUAGES:
        return short
    warnings.warn(
        CATALOGUE["core.unknown_language"][DEFAULT_LANGUAGE].format(
            code=code, available=", ".join(LANGUAGES)
        ),
        stacklevel=3,
    )
    return DEFAULT_LANGUAGE


def t(key: str, language: str | None = None, **fields) -> str:
    """The message `key` in the current (or given) language with `fields` filled in."""
    entry = CATALOGUE[key]
    language = normalise_language(language) if language else get_language()
    text = entry.get(language) or entry[DEFAULT_LANGUAGE]
    if key.startswith(VERBATIM_PREFIXES):
        return text
    return text.format(**fields)


def field_names(text: str) -> set[str]:
    """The `{fields}` a catalogue text expects (used by tests to compare translations)."""
    return {name.split("!")[0].split(":")[0] for _, name, _, _ in string.Formatter().parse(text) if name}
