"""The exercise machinery shared by every lesson: check / hint / solution, feedback and results.

A check never raises into the notebook: it shows ✅, ❌ with what to fix, or "not attempted yet",
returns an `Outcome`, and appends it to `$COURSE_RESULTS_FILE` (one JSON line) when that is set.
Every message's English is written beside the check that raises it, as `message(key, english)`;
`make translations` extracts them (Babel) into the catalogues.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from course_utils.i18n import Message, message, render, set_language, verbatim
from course_utils.links import file_url

RESULTS_ENV = "COURSE_RESULTS_FILE"
SOLUTIONS_URL = file_url("course_utils/solutions")
PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not_attempted"
ICONS = {PASSED: "✅", FAILED: "❌", NOT_ATTEMPTED: "⏳"}
LABELS = {
    PASSED: message("core.label.passed", "Correct"),
    FAILED: message("core.label.failed", "Not yet"),
    NOT_ATTEMPTED: message("core.label.not_attempted", "Not attempted yet"),
}
HINT_LABEL = message("core.label.hint", "Hint")
SOLUTION_LABEL = message("core.label.solution", "Solution")
NOT_ATTEMPTED_MESSAGE = message(
    "core.not_attempted",
    "replace the `None` / `...` in the exercise cell with your code, run that cell, then run this "
    "check again.",
)
INCOMPLETE = message(
    "core.incomplete", "`{name}` is still the starter value `{value}`: finish that part of the exercise."
)
WRONG_TYPE = message("core.wrong_type", "`{name}` is a `{got}`, but it should be {expected}.")
RAISED = message(
    "core.raised",
    "your code raised `{error_type}`: {error}. Fix it, run the exercise cell again, then this check.",
)
INTERNAL_ERROR = message(
    "core.internal_error",
    "the check itself failed (`{error_type}`: {error}). This is a bug in the course, not in your "
    "answer: please report it.",
)
NOT_SET_UP = message(
    "core.not_set_up",
    "run `ex.setup(model, processor)` first (in the cell that loads the model), so the check can ask "
    "the model itself.",
)
NO_MORE_HINTS = message("core.no_more_hints", "There are only {count} hints; here is the last one.")
SOLUTION_MISSING = message(
    "core.solution_missing",
    "The solution file `{path}` is missing from this installation of `course_utils`; read it online: {url}",
)

__all__ = ["Exercise", "Failure", "Lesson", "Message", "Outcome", "message", "verbatim"]


class Failure(Exception):
    """Raised inside a check: the answer is wrong, `msg` (with `fields`) says why."""

    def __init__(self, msg: Message, **fields) -> None:
        super().__init__(msg.key)
        self.msg, self.fields = msg, fields


@dataclass
class Outcome:
    """What one check found: `status` (passed / failed / not_attempted) and the message `code`."""

    lesson: str
    exercise: str
    status: str
    code: str
    message: str
    fields: dict = field(default_factory=dict, repr=False)
    shown: bool = field(default=False, repr=False)

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def as_record(self) -> dict:
        return {
            "lesson": self.lesson,
            "exercise": self.exercise,
            "outcome": self.status,
            "code": self.code,
            "fields": self.fields,
        }

    def _ipython_display_(self) -> None:
        # `check` has already shown the feedback; a bare `ex.one_image.check(...)` must not repeat it.
        if not self.shown:
            show(self.message)
            self.shown = True


def _in_notebook() -> bool:
    try:  # IPython is there in Jupyter and Colab; plain Python (a script, the tests) may lack it
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def show(markdown: str) -> None:
    """Markdown in a notebook, plain text elsewhere."""
    if _in_notebook():
        from IPython.display import Markdown, display  # only in a notebook, where IPython is loaded

        display(Markdown(markdown))
    else:
        print(markdown)


def record(outcome: Outcome) -> None:
    """Append the outcome as one JSON line to `$COURSE_RESULTS_FILE`, if that is set."""
    path = os.environ.get(RESULTS_ENV)
    if not path:
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as results:
        results.write(json.dumps(outcome.as_record(), ensure_ascii=False, default=str) + "\n")


def solution_source(lesson: str, exercise: str) -> str | None:
    """The reference solution of `exercise`, shipped as package data in `course_utils/solutions/`."""
    path = resources.files("course_utils") / "solutions" / lesson / f"{exercise}.py"
    return path.read_text(encoding="utf-8").rstrip() if path.is_file() else None


def _stub(*args, **kwargs):
    """A function whose body is only a docstring and `...` (the starter of function exercises)."""
    ...


def is_starter(value) -> bool:
    """True for the values exercise cells start with: `None`, `...` or a function stub."""
    if value is None or value is Ellipsis:
        return True
    code = getattr(value, "__code__", None)
    return code is not None and code.co_code == _stub.__code__.co_code


def type_name(value) -> str:
    return type(value).__name__


def wrong_type(name: str, value, expected: Message) -> Failure:
    """The failure for a learner's `name` of the wrong type: it is a `got`, it should be `expected`."""
    return Failure(WRONG_TYPE, name=name, got=type_name(value), expected=render(expected))


def failure_for(error: Exception, msg: Message = RAISED) -> Failure:
    """The failure `msg` naming an exception that the learner's code (or the model) raised."""
    return Failure(msg, error_type=type_name(error), error=short_error(error))


class Lesson:
    """What the checks of one lesson share: its name and the model they ask."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.model = None
        self.processor = None
        self.exercises: dict[str, Exercise] = {}  # filled in as the lesson's exercises are made

    def setup(self, model, processor, language: str | None = None) -> None:
        """Give the checks the model and processor the notebook uses (and the feedback language)."""
        self.model, self.processor = model, processor
        if language:
            set_language(language)

    def require_model(self):
        if self.model is None or self.processor is None:
            raise Failure(NOT_SET_UP)
        return self.model, self.processor


class Exercise:
    """One exercise: subclasses set `name` (what it is), `tier` (🐢 / 🐕 / 🦁), `value_names`, the
    `passed` message and two `hints`, and implement `verify`."""

    name = "exercise"
    tier = ""
    value_names: tuple[str, ...] = ()
    passed: Message
    hints: tuple[Message, ...] = ()

    def __init__(self, lesson: Lesson) -> None:
        self.lesson = lesson
        self.last_outcome: Outcome | None = None
        lesson.exercises[self.name] = self

    @property
    def title(self) -> str:
        return f"{self.tier} {self.name}".strip()

    # ------------------------------------------------------------------ the learner's API
    def check(self, *values, **options) -> Outcome:
        """Judge the learner's values; show ✅ / ❌ / not attempted; record and return the outcome."""
        try:
            status, msg, fields = self._judge(values, options)
        except Exception as error:  # a bug in the check must not reach the learner as a traceback
            failure = failure_for(error, INTERNAL_ERROR)
            status, msg, fields = FAILED, failure.msg, failure.fields
        outcome = Outcome(
            self.lesson.name, self.name, status, msg.key, self._render(status, msg, fields), fields
        )
        self.last_outcome = outcome
        record(outcome)
        show(outcome.message)
        outcome.shown = True
        return outcome

    def hint(self, level: int = 1) -> None:
        """Show hint `level` (1: where to look, 2: nearly the code)."""
        level = max(1, int(level))
        note = ""
        if level > len(self.hints):
            note, level = render(NO_MORE_HINTS, count=len(self.hints)) + "\n\n", len(self.hints)
        hint = render(self.hints[level - 1])
        show(f"💡 **{render(HINT_LABEL)} {level}** ({self.title}): {note}{hint}")

    def solution(self) -> None:
        """Show the reference solution (`course_utils/solutions/<lesson>/<exercise>.py`)."""
        code = solution_source(self.lesson.name, self.name)
        if code is None:
            where = f"{self.lesson.name}/{self.name}.py"
            show(render(SOLUTION_MISSING, path=where, url=f"{SOLUTIONS_URL}/{where}"))
            return
        show(f"**{render(SOLUTION_LABEL)}** ({self.title}):\n\n```python\n{code}\n```")

    # ------------------------------------------------------------------ for subclasses
    def verify(self, *values, **options) -> dict:
        """Raise `Failure(message(...), **fields)` when an answer is wrong; return the passed fields."""
        raise NotImplementedError

    def call_learner(self, function, *args, **kwargs):
        """Call the learner's code; an exception becomes a ❌ naming it."""
        try:
            return function(*args, **kwargs)
        except Exception as error:
            raise failure_for(error) from None

    @staticmethod
    def require_callable(value, name: str, expected: Message) -> None:
        """Fail with `core.wrong_type` unless the learner's `name` is a function."""
        if not callable(value):
            raise wrong_type(name, value, expected)

    # ------------------------------------------------------------------ internals
    def _judge(self, values: tuple, options: dict) -> tuple[str, Message, dict]:
        starters = [is_starter(value) for value in values]
        if not values or all(starters):
            return NOT_ATTEMPTED, NOT_ATTEMPTED_MESSAGE, {}
        for name, value, starter in zip(self.value_names, values, starters):
            if starter:
                return FAILED, INCOMPLETE, {"name": name, "value": "..." if value is ... else value}
        try:
            fields = self.verify(*values, **options) or {}
        except Failure as failure:
            return FAILED, failure.msg, failure.fields
        return PASSED, self.passed, fields

    def _render(self, status: str, msg: Message, fields: dict) -> str:
        """The feedback line; `render` never raises, whatever the catalogue or the fields hold."""
        return f"{ICONS[status]} **{render(LABELS[status])}** ({self.title}): {render(msg, **fields)}"


def short_error(error: Exception, limit: int = 300) -> str:
    """An exception's message cut to `limit` characters, for feedback that names what went wrong."""
    text = str(error) or type_name(error)
    return text if len(text) <= limit else text[: limit - 1] + "…"
