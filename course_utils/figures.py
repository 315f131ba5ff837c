"""Fonts for figures in the learner's language: Chinese and Japanese text needs a CJK font.

`use_language_font(language)` registers Noto Sans CJK (shipped by the `notojp-matplotlib` package,
which covers both Chinese and Japanese) with matplotlib and adds it as the fallback after DejaVu Sans.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from course_utils.i18n import get_language, message, normalise_language, render

CJK_LANGUAGES = ("zh", "ja")
CJK_FONT_PACKAGE = "notojp_matplotlib"
CJK_FONT_FILE = Path("fonts") / "NotoSansCJKjp-Regular.otf"
LATIN_FAMILY = "DejaVu Sans"
FONT_PACKAGE_MISSING = message(
    "figures.font_package_missing",
    "the CJK font package is missing: `pip install notojp-matplotlib` (a course dependency)",
)


def cjk_font_path() -> Path:
    """The Noto Sans CJK font file that the install brings.

    Found without importing its package, whose import would change matplotlib's settings by itself.
    """
    spec = importlib.util.find_spec(CJK_FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(render(FONT_PACKAGE_MISSING))
    return Path(next(iter(spec.submodule_search_locations))) / CJK_FONT_FILE


def register_cjk_font() -> str:
    """Add the CJK font to matplotlib's font manager once; returns its family name."""
    path = str(cjk_font_path())
    if all(font.fname != path for font in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def use_language_font(language: str | None = None) -> list[str]:
    """Set matplotlib's fonts for figures in `language` (default: the feedback language).

    zh / ja: DejaVu Sans for Latin text, then Noto Sans CJK for every glyph DejaVu lacks.
    Other languages: matplotlib's default family. Returns the `font.family` now in use.
    """
    code = normalise_language(language) if language else get_language()
    if code in CJK_LANGUAGES:
        families = [LATIN_FAMILY, register_cjk_font()]
    else:
        families = list(matplotlib.rcParamsDefault["font.family"])
    matplotlib.rcParams["font.family"] = families
    return families
