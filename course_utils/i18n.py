"""The learner's language (en/es/zh/ja) and the course's translated messages (gettext catalogues).

A message's English is written in the code, where it is used: `message(key, english)` (formatted
with `{fields}`) or `verbatim(key, english)` (shown as is, e.g. a hint holding code). `make
translations` extracts them with Babel into the catalogues `course_utils/locale/<lang>/LC_MESSAGES/`
(`core.po` for the shared ones, `<lesson>.po` for a lesson's prose and checks; msgctxt = the key).
`render(msg, **fields)` answers in the current language and falls back to English where an entry is
untranslated, fuzzy or stale; it never raises.
"""

from __future__ import annotations

import functools
import os
import string
import warnings
from pathlib import Path
from typing import NamedTuple

import polib

LANGUAGES = ("en", "es", "zh", "ja")
DEFAULT_LANGUAGE = "en"
LANGUAGE_ENV = "COURSE_LANG"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CORE_DOMAIN = "core"

_chosen: str | None = None


class Message(NamedTuple):
    """A learner-facing text: its catalogue `key` (msgctxt), its `english` source, and whether
    `{fields}` are filled in (`formatted`) or the text is shown as is."""

    key: str
    english: str
    formatted: bool = True


def message(key: str, english: str) -> Message:
    """A message whose `{fields}` are filled in when shown (write literal braces doubled)."""
    return Message(key, english)


def verbatim(key: str, english: str) -> Message:
    """A message shown exactly as written (braces and all), such as a hint holding code."""
    return Message(key, english, formatted=False)


# The two markers above, as `make translations` finds them in the code (key = msgctxt, English = msgid).
KEYWORDS = ("message", "verbatim")

UNKNOWN_LANGUAGE = message(
    "core.unknown_language",
    "Unknown language {code!r}; using English. Available: {available}.",
)


def catalogue_path(language: str, domain: str = CORE_DOMAIN, locale_dir: Path = LOCALE_DIR) -> Path:
    return Path(locale_dir) / language / "LC_MESSAGES" / f"{domain}.po"


@functools.cache
def translations(language: str, locale_dir: Path = LOCALE_DIR) -> dict[tuple[str, str], str]:
    """(key, English) -> translation, for every translated, current entry of `language`'s catalogues."""
    found = {}
    for path in sorted((Path(locale_dir) / language / "LC_MESSAGES").glob("*.po")):
        for entry in polib.pofile(str(path)).translated_entries():
            if entry.msgctxt:
                found[entry.msgctxt, entry.msgid] = entry.msgstr
    return found


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
    warnings.warn(UNKNOWN_LANGUAGE.english.format(code=code, available=", ".join(LANGUAGES)), stacklevel=3)
    return DEFAULT_LANGUAGE


def translate(msg: Message, language: str | None = None) -> str:
    """The text of `msg` in the current (or given) language, unformatted; English if untranslated."""
    language = normalise_language(language) if language else get_language()
    if language == DEFAULT_LANGUAGE:
        return msg.english
    return translations(language).get((msg.key, msg.english)) or msg.english


def render(msg: Message, language: str | None = None, **fields) -> str:
    """`msg` in the current (or given) language with `fields` filled in. Never raises: a translation
    that cannot be formatted falls back to English, and English that cannot be formatted is shown
    with its fields listed after it."""
    text = translate(msg, language)
    if not msg.formatted:
        return text
    for candidate in (text, msg.english):
        try:
            return candidate.format(**fields)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            continue
    listed = ", ".join(f"{name}={value!r}" for name, value in fields.items())
    return f"{msg.english} ({listed})" if listed else msg.english


def field_names(text: str) -> set[str]:
    """The `{fields}` a message text expects (used by tests to compare translations)."""
    return {name.split("!")[0].split(":")[0] for _, name, _, _ in string.Formatter().parse(text) if name}
