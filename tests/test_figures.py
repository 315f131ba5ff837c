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


@pytest.mark.parametrize("language", ["es", "zh", "ja"])
def test_the_course_figures_speak_the_learner_language_and_draw_every_glyph(language, monkeypatch):
    """A figure as a lesson draws it after `use_language(LANGUAGE)`: the loss curve with its default
    labels and a lesson title from the catalogue, translated, with no missing-glyph box."""
    from course_utils.evaluation import plot_loss

    monkeypatch.setenv(i18n.LANGUAGE_ENV, "en")  # use_language sets it: restored after the test
    log = [{"step": step, "loss": 2.0 / step} for step in range(1, 6)] + [{"step": 5, "eval_loss": 0.9}]
    with matplotlib.rc_context():
        try:
            assert i18n.use_language(language) == language
            title = i18n.tr("One run in two sessions")
            figure = plot_loss(log, title=title)
            axis = figure.axes[0]
            texts = [axis.get_title(), axis.get_xlabel(), axis.get_ylabel()]
            texts += [text.get_text() for text in axis.get_legend().get_texts()]
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                FigureCanvasAgg(figure).draw()
        finally:
            i18n.set_language(None)
    english = ["One run in two sessions", "step", "loss (labelled tokens)", "training", "validation"]
    assert all(text and text != source for text, source in zip(texts, english)), texts
    if language in ("zh", "ja"):
        assert all(any(ord(character) > 0x3000 for character in text) for text in texts[:3]), texts
    missing = [str(warning.message) for warning in caught if "missing from font" in str(warning.message)]
    assert missing == [], missing
