"""The learner's language (en/es/zh/ja) and the course's translated messages (gettext catalogues).

A message's English is written in the code, where it is used: `message(key, english)` (formatted
with `{fields}`) or `verbatim(key, english)` (shown as is, e.g. a hint holding code) in the package,
and `tr(english, **fields)` / `tr_plural(singular, plural, n, **fields)` in the lessons' code cells
(gettext's `gettext` / `ngettext`, keyed by the English itself). `make translations` extracts them
with Babel into the catalogues `course_utils/locale/<lang>/LC_MESSAGES/` (`core.po` for the package's,
`<lesson>.po` for a lesson's prose, code cells and checks; msgctxt = the key). `render(msg, **fields)`
answers in the current language and falls back to English where an entry is untranslated, fuzzy or
stale; it never raises. `use_language(code)` is the lesson's one call: messages, figures' font and the
scripts a lesson starts all follow it. The prompts sent to a model stay English on purpose.
"""

from __future__ import annotations

import functools
import gettext
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
    """A learner-facing text: its catalogue `key` (msgctxt; None: the English is the key, as in
    gettext), its `english` source, whether `{fields}` are filled in (`formatted`) or the text is
    shown as is, and its English `plural` when the form depends on a count (the field `n`)."""

    key: str | None
    english: str
    formatted: bool = True
    plural: str | None = None


def message(key: str, english: str) -> Message:
    """A message whose `{fields}` are filled in when shown (write literal braces doubled)."""
    return Message(key, english)


def verbatim(key: str, english: str) -> Message:
    """A message shown exactly as written (braces and all), such as a hint holding code."""
    return Message(key, english, formatted=False)


def plural_message(key: str, singular: str, plural: str) -> Message:
    """A message whose form follows the count in its field `n` (gettext's `npgettext`)."""
    return Message(key, singular, plural=plural)


def tr(english: str, **fields) -> str:
    """`english` in the learner's language, `{fields}` filled in: the lessons' printed lines and figure
    labels (gettext's `_()`; `_` itself is IPython's last output)."""
    return render(Message(None, english), **fields)


def tr_plural(singular: str, plural: str, n: int, **fields) -> str:
    """The form of `singular` / `plural` for the count `n` in the learner's language (gettext's
    `ngettext`); `{n}` and `fields` are filled in."""
    return render(Message(None, singular, plural=plural), n=n, **fields)


# The markers above, as `make translations` finds them in the code: key = msgctxt (message, verbatim,
# plural_message; none for tr, tr_plural), English = msgid, and a plural's English = msgid_plural.
KEYWORDS = ("message", "verbatim", "plural_message", "tr", "tr_plural")

UNKNOWN_LANGUAGE = message(
    "core.unknown_language",
    "Unknown language {code!r}; using English. Available: {available}.",
)


def catalogue_path(language: str, domain: str = CORE_DOMAIN, locale_dir: Path = LOCALE_DIR) -> Path:
    return Path(locale_dir) / language / "LC_MESSAGES" / f"{domain}.po"


@functools.cache
def _catalogues(language: str, locale_dir: Path) -> tuple[dict, object]:
    """`language`'s catalogues read once: (key, English) -> translation for every translated, current
    entry (key None for an entry without msgctxt; a plural entry's translation is the tuple of its
    forms), and its gettext plural rule (count -> form index) from their Plural-Forms."""
    found, rule = {}, None
    for path in sorted((Path(locale_dir) / language / "LC_MESSAGES").glob("*.po")):
        catalogue = polib.pofile(str(path))
        forms = catalogue.metadata.get("Plural-Forms", "")
        if rule is None and "plural=" in forms:
            rule = gettext.c2py(forms.split("plural=", 1)[1].strip().rstrip(";"))
        for entry in catalogue.translated_entries():
            if entry.msgid_plural:
                found[entry.msgctxt, entry.msgid] = tuple(
                    entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)
                )
            else:
                found[entry.msgctxt, entry.msgid] = entry.msgstr
    return found, rule or (lambda n: int(n != 1))


def translations(language: str, locale_dir: Path = LOCALE_DIR) -> dict[tuple[str | None, str], str | tuple]:
    """(key, English) -> translation, for every translated, current entry of `language`'s catalogues."""
    return _catalogues(language, Path(locale_dir))[0]


def plural_rule(language: str, locale_dir: Path = LOCALE_DIR):
    """`language`'s gettext plural rule (count -> form index), from its catalogues' Plural-Forms."""
    return _catalogues(language, Path(locale_dir))[1]


def use_language(code: str | None) -> str:
    """The lesson's one call for its `LANGUAGE`: messages and feedback, the figures' font, and the
    scripts the lesson starts (`$COURSE_LANG`) all follow `code`. Returns the language in use."""
    from course_utils.figures import use_language_font  # matplotlib only when a lesson asks

    language = set_language(code)
    os.environ[LANGUAGE_ENV] = language
    use_language_font(language)
    return language


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


def english_form(msg: Message, n: int | None = None) -> str:
    """`msg`'s English: its plural for a count `n` other than 1, if it has one."""
    return msg.english if msg.plural is None or n == 1 else msg.plural


def translate(msg: Message, language: str | None = None, n: int | None = None) -> str:
    """The text of `msg` in the current (or given) language, unformatted; English if untranslated.
    A plural message takes the form for the count `n`."""
    language = normalise_language(language) if language else get_language()
    english = english_form(msg, n)
    if language == DEFAULT_LANGUAGE:
        return english
    found = translations(language).get((msg.key, msg.english))
    if isinstance(found, tuple):
        try:
            return found[plural_rule(language)(int(n if n is not None else 1))] or english
        except (IndexError, TypeError, ValueError):
            return english
    return found or english


def render(msg: Message, language: str | None = None, **fields) -> str:
    """`msg` in the current (or given) language with `fields` filled in. Never raises: a translation
    that cannot be formatted falls back to English, and English that cannot be formatted is shown
    with its fields listed after it."""
    text = translate(msg, language, fields.get("n"))
    if not msg.formatted:
        return text
    english = english_form(msg, fields.get("n"))
    for candidate in (text, english):
        try:
            return candidate.format(**fields)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            continue
    listed = ", ".join(f"{name}={value!r}" for name, value in fields.items())
    return f"{english} ({listed})" if listed else english


def field_names(text: str) -> set[str]:
    """The `{fields}` a message text expects (used by tests to compare translations)."""
    return {name.split("!")[0].split(":")[0] for _, name, _, _ in string.Formatter().parse(text) if name}
