"""Interactive playgrounds for the lessons, built from standard ipywidgets (JupyterLab and Colab).

`usage_playground` asks the model about a generated scene or an uploaded picture; `results_browser`
pages through held-out questions with each stage's answer. The model logic stays in the library.
"""

from __future__ import annotations

import contextlib
import html
import io
import random
from dataclasses import dataclass

import ipywidgets as widgets
from IPython.display import display
from PIL import Image

from course_utils.evaluation import exact_match, normalise_answer
from course_utils.generation import ask, prepare_inputs
from course_utils.i18n import message, plural_message, render
from course_utils.images import ImageLoadError, load_image
from course_utils.messages import build_messages
from course_utils.scenes import SCENE_SIZE, make_scene

# A prompt sent to the model, not a text for the learner: the course's model prompts stay English.
DEFAULT_QUESTION = "What color is the shape?"
PICTURE_WIDTH = "256px"
ERROR_COLOUR = "#b00020"

NO_FRONTEND = message(
    "playground.no_frontend", "(an interactive widget: run this cell in JupyterLab or Colab to use it)"
)
# lesson 1's playground
SEED_LABEL = message("playground.seed_label", "scene seed")
NEW_SCENE_BUTTON = message("playground.new_scene_button", "New scene")
UPLOAD_BUTTON = message("playground.upload_button", "Upload a picture")
QUESTION_LABEL = message("playground.question_label", "question")
SPLITTING_LABEL = message("playground.splitting_label", "image splitting")
ASK_BUTTON = message("playground.ask_button", "Ask")
PRESS_ASK = message("playground.press_ask", "Press Ask to get the model's answer.")
SCENE_SOURCE = message("playground.scene_source", "scene {seed}")
UPLOADED_SOURCE = message("playground.uploaded_source", "uploaded {name}")
PICTURE_SOURCE = message("playground.picture_source", "{source} · {width}×{height} px")
UNREADABLE_UPLOAD = message(
    "playground.unreadable_upload", "Could not use {name!r}: {error} The model still sees the picture shown."
)
TYPE_A_QUESTION = message("playground.type_a_question", "Type a question first.")
THINKING = message("playground.thinking", "thinking…")
COULD_NOT_ANSWER = message("playground.could_not_answer", "The model could not answer: {error_type}: {error}")
ANSWER_LABEL = message("playground.answer_label", "answer:")
PROMPT_COST = message(
    "playground.prompt_cost",
    "prompt: {prompt_tokens} tokens, of which {image_tokens} for the picture: {tiles} × {tokens_per_tile} "
    "tokens ({splitting})",
)
TILES = plural_message("playground.tiles", "{n} tile", "{n} tiles")
SPLITTING_ON = message("playground.splitting_on", "image splitting on")
SPLITTING_OFF = message("playground.splitting_off", "image splitting off")
# lesson 2's results browser
NO_RESULTS = message(
    "playground.no_results", "No results to browse: pass e.g. {{'before': before, 'after lora': after}}."
)
WRONG_LENGTH = message(
    "playground.wrong_length",
    "results[{stage!r}] has {predictions} predictions but the dataset has {rows} rows: evaluate every "
    "stage on this same dataset.",
)
QUESTION_SLIDER = message("playground.question_slider", "question")
PREVIOUS_BUTTON = message("playground.previous_button", "◀ Prev")
NEXT_BUTTON = message("playground.next_button", "Next ▶")
QUESTION_HEADING = message("playground.question_heading", "question:")
TRUTH_HEADING = message("playground.truth_heading", "truth:")


# --------------------------------------------------------------------------- shared pieces


def png_bytes(image: Image.Image) -> bytes:
    """The picture encoded as PNG, for an `ipywidgets.Image`."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def uploaded_files(value) -> list[tuple[str, bytes]]:
    """(name, content) of each uploaded file, from a FileUpload value of ipywidgets 8 or 7.

    ipywidgets 8 gives a tuple of dicts with "name" and "content" (a memoryview); ipywidgets 7
    (older Colab images) a dict {name: {"content": bytes, "metadata": ...}}.
    """
    if isinstance(value, dict):
        return [(name, bytes(item["content"])) for name, item in value.items()]
    return [(item["name"], bytes(item["content"])) for item in value or ()]


def _message(text: str, colour: str = "#555") -> str:
    return f'<span style="color:{colour}">{html.escape(text)}</span>'


class _WidgetView:
    """Displays as its `widget`, with a short text in place of the widget where there is no frontend."""

    widget: widgets.Widget

    def _ipython_display_(self) -> None:
        bundle = getattr(self.widget, "_repr_mimebundle_", None)
        if callable(bundle):  # ipywidgets 8
            display({**bundle(), "text/plain": render(NO_FRONTEND)}, raw=True)
        else:  # ipywidgets 7 (older Colab images) displays widgets itself
            display(self.widget)


# --------------------------------------------------------------------------- lesson 1: ask the model


@contextlib.contextmanager
def image_splitting(processor, enabled: bool):
    """Set the processor's image splitting for the duration of a `with` block, then restore it."""
    image_processor = processor.image_processor
    saved = image_processor.do_image_splitting
    image_processor.do_image_splitting = enabled
    try:
        yield
    finally:
        image_processor.do_image_splitting = saved


@dataclass(frozen=True)
class PlaygroundAnswer:
    """What one question cost and what the model said."""

    answer: str
    prompt_tokens: int
    image_tokens: int
    tiles: int
    splitting: bool


def count_tiles(processor, inputs) -> tuple[int, int]:
    """(image tokens, tiles) of a tokenised prompt: each tile costs `processor.image_seq_len` tokens."""
    image_id = processor.tokenizer.convert_tokens_to_ids(processor.image_token)
    image_tokens = int((inputs["input_ids"] == image_id).sum())
    return image_tokens, image_tokens // processor.image_seq_len


def answer_question(model, processor, image, question: str, splitting: bool) -> PlaygroundAnswer:
    """Ask `question` about `image` with image splitting on or off; the processor is left as it was."""
    with image_splitting(processor, splitting):
        inputs = prepare_inputs(processor, [build_messages(question, images=image)])
        image_tokens, tiles = count_tiles(processor, inputs)
        answer = ask(model, processor, image, question)
    return PlaygroundAnswer(answer, int(inputs["input_ids"].shape[1]), image_tokens, tiles, splitting)


def describe_answer(result: PlaygroundAnswer, tokens_per_tile: int) -> str:
    """The answer and its cost as a few lines of HTML."""
    cost = render(
        PROMPT_COST,
        prompt_tokens=result.prompt_tokens,
        image_tokens=result.image_tokens,
        tiles=render(TILES, n=result.tiles),
        tokens_per_tile=tokens_per_tile,
        splitting=render(SPLITTING_ON if result.splitting else SPLITTING_OFF),
    )
    answer = f"<b>{html.escape(render(ANSWER_LABEL))}</b> {html.escape(repr(result.answer))}"
    return f"{answer}<br>{html.escape(cost)}"


class UsagePlayground(_WidgetView):
    """Lesson 1's playground: a picture (scene or upload), a question, image splitting, Ask."""

    def __init__(
        self, model, processor, seed: int = 0, question: str = DEFAULT_QUESTION, scene_size: int = SCENE_SIZE
    ):
        self.model, self.processor, self.scene_size = model, processor, scene_size
        self.image: Image.Image | None = None
        self.last: PlaygroundAnswer | None = None
        self.seed = widgets.BoundedIntText(value=seed, min=0, max=10**6, description=render(SEED_LABEL))
        self.new_scene = widgets.Button(description=render(NEW_SCENE_BUTTON), icon="refresh")
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description=render(UPLOAD_BUTTON))
        self.question = widgets.Text(
            value=question, description=render(QUESTION_LABEL), layout=widgets.Layout(width="420px")
        )
        self.splitting = widgets.Checkbox(
            value=bool(processor.image_processor.do_image_splitting), description=render(SPLITTING_LABEL)
        )
        self.ask_button = widgets.Button(
            description=render(ASK_BUTTON), button_style="primary", icon="comment"
        )
        self.picture = widgets.Image(format="png", layout=widgets.Layout(width=PICTURE_WIDTH))
        self.source = widgets.HTML()
        self.output = widgets.HTML(value=_message(render(PRESS_ASK)))
        self._wire()
        self.widget = self._layout()
        self.show_scene(seed)

    def _wire(self) -> None:
        self.seed.observe(lambda change: self.show_scene(change["new"]), names="value")
        self.new_scene.on_click(lambda _: setattr(self.seed, "value", self.seed.value + 1))
        self.upload.observe(lambda change: self.use_upload(change["new"]), names="value")
        self.ask_button.on_click(lambda _: self.answer())

    def _layout(self) -> widgets.Widget:
        controls = widgets.VBox(
            [
                widgets.HBox([self.seed, self.new_scene]),
                self.upload,
                self.question,
                self.splitting,
                self.ask_button,
                self.output,
            ]
        )
        return widgets.HBox([widgets.VBox([self.picture, self.source]), controls])

    def _set_picture(self, image: Image.Image, label: str) -> None:
        self.image = image
        self.picture.value = png_bytes(image)
        self.source.value = _message(
            render(PICTURE_SOURCE, source=label, width=image.width, height=image.height)
        )

    def show_scene(self, seed: int) -> None:
        """Draw the generated scene for `seed` (the same seed always gives the same picture)."""
        self._set_picture(
            make_scene(random.Random(seed), size=self.scene_size).image, render(SCENE_SOURCE, seed=seed)
        )

    def use_upload(self, value) -> None:
        """Show an uploaded picture; an unreadable file leaves the current picture and says why."""
        files = uploaded_files(value)
        if not files:
            return
        name, content = files[0]
        try:
            self._set_picture(load_image(content), render(UPLOADED_SOURCE, name=name))
        except ImageLoadError as error:
            self.output.value = _message(render(UNREADABLE_UPLOAD, name=name, error=error), ERROR_COLOUR)
            return
        self.output.value = _message(render(PRESS_ASK))

    def answer(self) -> PlaygroundAnswer | None:
        """Ask the current question about the current picture and show the answer (what Ask does)."""
        question = self.question.value.strip()
        if not question:
            self.output.value = _message(render(TYPE_A_QUESTION), ERROR_COLOUR)
            return None
        self.output.value = _message(render(THINKING))
        try:
            self.last = answer_question(
                self.model, self.processor, self.image, question, self.splitting.value
            )
        except Exception as error:  # a widget callback has nowhere to raise to: show it instead
            self.output.value = _message(
                render(COULD_NOT_ANSWER, error_type=type(error).__name__, error=error), ERROR_COLOUR
            )
            return None
        self.output.value = describe_answer(self.last, self.processor.image_seq_len)
        return self.last


def usage_playground(
    model, processor, seed: int = 0, question: str = DEFAULT_QUESTION, scene_size: int = SCENE_SIZE
) -> UsagePlayground:
    """Lesson 1's playground; display it (last line of a cell). `.answer()` is what Ask does."""
    return UsagePlayground(model, processor, seed=seed, question=question, scene_size=scene_size)


# --------------------------------------------------------------------------- lesson 2: browse results


def check_results(dataset, results: dict) -> None:
    """Every result must hold one prediction per dataset row, in the same order."""
    if not results:
        raise ValueError(render(NO_RESULTS))
    for stage, result in results.items():
        if len(result.predictions) != len(dataset):
            raise ValueError(
                render(WRONG_LENGTH, stage=stage, predictions=len(result.predictions), rows=len(dataset))
            )


def describe_row(row: dict, index: int, results: dict, question_key: str, answer_key: str) -> str:
    """The question, the truth and each stage's answer (✓ exact match, ✗ not) as HTML."""
    truth = normalise_answer(row[answer_key])
    lines = [
        f"<b>{html.escape(render(QUESTION_HEADING))}</b> {html.escape(str(row[question_key]))}",
        f"<b>{html.escape(render(TRUTH_HEADING))}</b> {html.escape(truth)}",
    ]
    for stage, result in results.items():
        predicted = result.predictions[index]
        mark = "✓" if exact_match(predicted, truth) else "✗"
        lines.append(f"{mark} <b>{html.escape(stage)}:</b> {html.escape(repr(predicted))}")
    return "<br>".join(lines)


class ResultsBrowser(_WidgetView):
    """Lesson 2's browser: one held-out question at a time, with every stage's answer."""

    def __init__(
        self,
        dataset,
        results: dict,
        image_key: str = "image",
        question_key: str = "query",
        answer_key: str = "label",
    ):
        check_results(dataset, results)
        self.dataset, self.results = dataset, results
        self.keys = (image_key, question_key, answer_key)
        self.index = widgets.IntSlider(
            value=0, min=0, max=len(dataset) - 1, description=render(QUESTION_SLIDER), continuous_update=False
        )
        self.previous = widgets.Button(description=render(PREVIOUS_BUTTON))
        self.next = widgets.Button(description=render(NEXT_BUTTON))
        self.picture = widgets.Image(format="png", layout=widgets.Layout(width=PICTURE_WIDTH))
        self.output = widgets.HTML()
        self.index.observe(lambda change: self.show(change["new"]), names="value")
        self.previous.on_click(lambda _: self.step(-1))
        self.next.on_click(lambda _: self.step(+1))
        navigation = widgets.HBox([self.previous, self.index, self.next])
        self.widget = widgets.VBox([navigation, widgets.HBox([self.picture, self.output])])
        self.show(0)

    def step(self, offset: int) -> None:
        """Move `offset` questions on (the slider bounds stop it at either end)."""
        self.index.value = min(max(self.index.value + offset, self.index.min), self.index.max)

    def show(self, index: int) -> None:
        """Show question `index`: its picture, the truth and each stage's answer."""
        image_key, question_key, answer_key = self.keys
        row = self.dataset[index]
        self.picture.value = png_bytes(load_image(row[image_key]))
        self.output.value = describe_row(row, index, self.results, question_key, answer_key)


def results_browser(
    dataset, results: dict, image_key: str = "image", question_key: str = "query", answer_key: str = "label"
) -> ResultsBrowser:
    """Browse `dataset`'s questions with each stage's answer (`results`: name -> EvalResult on it)."""
    return ResultsBrowser(dataset, results, image_key, question_key, answer_key)
