"""The ipywidgets playgrounds, driven from Python as a frontend would: clicks, uploads, the slider."""

import html
import io
import random

import ipywidgets
import pytest
from PIL import Image

from course_utils.evaluation import EvalResult
from course_utils.generation import ask
from course_utils.image_tokens import tokens_per_image
from course_utils.playground import results_browser, uploaded_files, usage_playground
from course_utils.scenes import make_scene


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def frontend_upload(widget, name, content):
    """Upload a file the way the browser does: the widget state it sends, through the deserialisers."""
    metadata = {"name": name, "type": "image/png", "size": len(content)}
    if int(ipywidgets.__version__.split(".")[0]) >= 8:
        widget.set_state(
            {"value": [{**metadata, "content": memoryview(content), "last_modified": 1_700_000_000_000}]}
        )
    else:  # ipywidgets 7 (Colab): metadata, data and a counter that triggers the value
        widget.set_state(
            {
                "metadata": [{**metadata, "lastModified": 1_700_000_000_000}],
                "data": [memoryview(content)],
                "_counter": widget._counter + 1,
            }
        )


def test_ask_shows_the_models_answer_to_the_scene(tiny):
    model, processor = tiny
    playground = usage_playground(model, processor, seed=5, question="How many shapes are there?")
    playground.ask_button.click()
    scene = make_scene(random.Random(5))
    expected = ask(model, processor, scene.image, "How many shapes are there?")
    assert playground.last.answer == expected
    assert html.escape(repr(expected)) in playground.output.value
    assert playground.picture.value == png(scene.image)


@pytest.mark.parametrize("splitting", [True, False])
def test_token_and_tile_counts_are_what_the_processor_produces(tiny, splitting):
    model, processor = tiny
    saved = processor.image_processor.do_image_splitting
    playground = usage_playground(model, processor, seed=1)
    playground.splitting.value = splitting
    playground.ask_button.click()
    result = playground.last

    image = make_scene(random.Random(1)).image
    processor.image_processor.do_image_splitting = splitting
    try:
        prompt = processor.apply_chat_template(
            [
                {
                    "role": "user",
                    "content": [{"type": "image"}, {"type": "text", "text": playground.question.value}],
                }
            ],
            add_generation_prompt=True,
            tokenize=False,
        )
        batch = processor(text=[prompt], images=[[image]], return_tensors="pt")
    finally:
        processor.image_processor.do_image_splitting = saved
    assert processor.image_processor.do_image_splitting == saved, "the playground must restore splitting"
    assert result.prompt_tokens == batch["input_ids"].shape[1]
    assert result.tiles == batch["pixel_values"].shape[1]
    assert result.tiles == (5 if splitting else 1)  # 128 px scene, 64 px tiles: 2x2 grid + global view
    assert result.image_tokens == result.tiles * processor.image_seq_len
    markers = processor.tokenizer.convert_tokens_to_ids("<fake_token_around_image>")
    assert int((batch["input_ids"] == markers).sum()) == result.tiles + 1
    shown = playground.output.value
    assert f"{result.tiles} tile" in shown and f"prompt: {result.prompt_tokens} tokens" in shown


def test_splitting_changes_the_prompt_by_what_tokens_per_image_says(tiny):
    model, processor = tiny
    playground = usage_playground(model, processor, seed=2)
    counts = {}
    for splitting in (True, False):
        playground.splitting.value = splitting
        counts[splitting] = playground.answer().prompt_tokens
    image = make_scene(random.Random(2)).image
    saved = processor.image_processor.do_image_splitting
    per_image = {}
    try:
        for splitting in (True, False):
            processor.image_processor.do_image_splitting = splitting
            per_image[splitting] = tokens_per_image(processor, image)
    finally:
        processor.image_processor.do_image_splitting = saved
    assert counts[True] - counts[False] == per_image[True] - per_image[False] > 0


def test_an_uploaded_png_is_what_the_model_is_asked_about(tiny):
    model, processor = tiny
    picture = make_scene(random.Random(11), size=200).image
    playground = usage_playground(model, processor, seed=0, question="What shape is it?")
    frontend_upload(playground.upload, "my_scene.png", png(picture))
    assert "my_scene.png" in playground.source.value and "200×200" in playground.source.value
    result = playground.answer()
    assert result.answer == ask(model, processor, picture, "What shape is it?")


def test_a_corrupt_upload_shows_a_clear_message_and_keeps_the_picture(tiny):
    model, processor = tiny
    playground = usage_playground(model, processor, seed=3)
    shown = playground.picture.value
    frontend_upload(playground.upload, "holiday.png", png(Image.new("RGB", (40, 40), "red"))[:60])
    assert "holiday.png" in playground.output.value and "not a readable image" in playground.output.value
    assert playground.picture.value == shown
    playground.ask_button.click()  # still answers about the scene
    assert playground.last.answer == ask(
        model, processor, make_scene(random.Random(3)).image, playground.question.value
    )


def test_new_scene_and_an_empty_question(tiny):
    model, processor = tiny
    playground = usage_playground(model, processor, seed=7)
    playground.new_scene.click()
    assert playground.seed.value == 8
    assert playground.picture.value == png(make_scene(random.Random(8)).image)
    playground.question.value = "   "
    assert playground.answer() is None and "Type a question" in playground.output.value


def test_upload_values_of_ipywidgets_7_and_8_give_the_same_files():
    content = b"\x89PNG..."
    version_8 = ({"name": "a.png", "type": "image/png", "size": 7, "content": memoryview(content)},)
    version_7 = {"a.png": {"metadata": {"name": "a.png"}, "content": content}}
    assert uploaded_files(version_8) == uploaded_files(version_7) == [("a.png", content)]
    assert uploaded_files(()) == uploaded_files({}) == []


def _charts(n=6):
    from course_utils.synthetic_data import make_chartqa

    return make_chartqa(n, seed=4)


def test_results_browser_shows_truth_and_each_stages_answer():
    charts = _charts()
    truths = [row["label"][0] for row in charts]
    before = EvalResult(0.0, 0.0, len(truths), predictions=["blue"] * len(truths), targets=truths)
    after_answers = [truth if index % 2 == 0 else "nope" for index, truth in enumerate(truths)]
    after = EvalResult(0.5, 0.5, len(truths), predictions=after_answers, targets=truths)
    browser = results_browser(charts, {"before": before, "after lora": after})
    browser.index.value = 2
    text = browser.output.value
    assert html.escape(charts[2]["query"]) in text
    assert f"<b>truth:</b> {html.escape(truths[2].lower())}" in text
    assert f"✗ <b>before:</b> {html.escape(repr('blue'))}" in text
    assert f"✓ <b>after lora:</b> {html.escape(repr(truths[2]))}" in text
    assert browser.picture.value == png(charts[2]["image"].convert("RGB"))
    browser.next.click()
    assert browser.index.value == 3
    assert f"✗ <b>after lora:</b> {html.escape(repr('nope'))}" in browser.output.value
    browser.index.value = len(truths) - 1
    browser.next.click()
    assert browser.index.value == len(truths) - 1  # stops at the end


def test_results_browser_refuses_results_of_another_dataset():
    charts = _charts()
    short = EvalResult(0.0, 0.0, 2, predictions=["1", "2"], targets=["1", "2"])
    with pytest.raises(ValueError, match="has 2 predictions but the dataset has 6 rows"):
        results_browser(charts, {"before": short})


def test_displaying_a_playground_shows_its_widget_with_a_short_text_fallback(tiny):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()  # display() needs a shell, as in a kernel
    playground = usage_playground(*tiny)
    with capture_output() as captured:
        display(playground)
    (shown,) = captured.outputs
    view = shown.data.get("application/vnd.jupyter.widget-view+json")
    assert view and view["model_id"] == playground.widget.model_id
    if "text/plain" in shown.data and shown.data["text/plain"].startswith("("):
        assert "JupyterLab or Colab" in shown.data["text/plain"]
