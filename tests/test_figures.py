"""Figures with Chinese or Japanese text render with the CJK font that the install brings."""

import warnings

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

from course_utils import i18n
from course_utils.figures import cjk_font_path, use_language_font

CHINESE = "视觉语言模型的微调：训练前后的准确率"
JAPANESE = "ビジョン言語モデルのファインチューニング：学習前後の正解率"


def missing_glyph_warnings(title: str, xlabel: str) -> list[str]:
    """Draw a small chart titled `title` and return matplotlib's "Glyph ... missing" warnings."""
    figure = Figure(figsize=(4, 3))
    axis = figure.subplots()
    axis.bar(["SFT", "DPO"], [0.7, 0.9])
    axis.set_title(title)
    axis.set_xlabel(xlabel)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        FigureCanvasAgg(figure).draw()
    return [str(warning.message) for warning in caught if "missing from font" in str(warning.message)]


@pytest.mark.parametrize("language", ["zh", "ja"])
def test_chinese_and_japanese_titles_render_without_missing_glyphs(language):
    with matplotlib.rc_context():
        families = use_language_font(language)
        assert families[-1] == "Noto Sans CJK JP"
        assert missing_glyph_warnings(f"{CHINESE} (accuracy −5 %)", JAPANESE) == []


def test_without_the_cjk_font_matplotlib_reports_missing_glyphs():
    with matplotlib.rc_context():
        use_language_font("en")
        warnings_seen = missing_glyph_warnings(CHINESE, JAPANESE)
    assert warnings_seen and all("DejaVu Sans" in warning for warning in warnings_seen)


def test_the_installed_font_covers_both_scripts():
    charmap = FT2Font(str(cjk_font_path())).get_charmap()
    assert [character for character in CHINESE + JAPANESE if ord(character) not in charmap] == []


def test_other_languages_keep_matplotlib_default_and_the_feedback_language_is_untouched():
    before = i18n.get_language()
    with matplotlib.rc_context():
        assert use_language_font("es") == list(matplotlib.rcParamsDefault["font.family"])
        use_language_font("ja_JP")
    assert i18n.get_language() == before
