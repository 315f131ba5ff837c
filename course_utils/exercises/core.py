"""The exercise machinery shared by every lesson: check / hint / solution, feedback and results.

A check never raises into the notebook: it shows ✅, ❌ with what to fix, or "not attempted yet",
returns an `Outcome`, and appends it to `$COURSE_RESULTS_FILE` (one JSON line) when that is set.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from course_utils.i18n import set_language, t
from course_utils.links import file_url

RESULTS_ENV = "COURSE_RESULTS_FILE"
SOLUTIONS_ENV = "COURSE_SOLUTIONS_DIR"
SOLUTIONS_URL = file_url("solutions")
PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not_attempted"
ICONS = {PASSED: "✅", FAILED: "❌", NOT_ATTEMPTED: "⏳"}
SHARED_PREFIXES = ("core.", "type.")


class Failure(Exception):
    """Raised inside a check: the answer is wrong; `code` is the catalogue key explaining why."""

    def __init__(self, code: str, **fields) -> None:
        super().__init__(code)
        self.code, self.fields = code, fields


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
        # `check` has already shown the feedback; a bare `ex.turtle.check(...)` must not repeat it.
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


def solutions_dir() -> Path:
    """`$COURSE_SOLUTIONS_DIR`, else the `solutions/` folder next to the `course_utils` package."""
    configured = os.environ.get(SOLUTIONS_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(__file__).resolve().parents[2] / "solutions"


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


def wrong_type(name: str, value, expected_key: str) -> Failure:
    """The failure for a learner's `name` of the wrong type: it is a `got`, it should be `expected`."""
    return Failure("core.wrong_type", name=name, got=type_name(value), expected=t(expected_key))


def failure_for(error: Exception, code: str = "core.raised") -> Failure:
    """The failure `code` naming an exception that the learner's code (or the model) raised."""
    return Failure(code, error_type=type_name(error), error=short_error(error))


class Lesson:
    """What the checks of one lesson share: its name and the model they ask."""

    def __init__(self, name: str, catalogue_prefix: str = "") -> None:
        self.name = name
        # Lessons reuse exercise names (turtle, dog, lion): a prefix such as "finetuning." keeps
        # their catalogue entries apart while outcomes still record "turtle.passed" and the like.
        self.catalogue_prefix = catalogue_prefix
        self.model = None
        self.processor = None

    def message_key(self, code: str) -> str:
        """The catalogue key of a message code: shared `core.` / `type.` codes are not prefixed."""
        if code.startswith(SHARED_PREFIXES):
            return code
        return self.catalogue_prefix + code

    def setup(self, model, processor, language: str | None = None) -> None:
        """Give the checks the model and processor the notebook uses (and the feedback language)."""
        self.model, self.processor = model, processor
        if language:
            set_language(language)

    def require_model(self):
        if self.model is None or self.processor is None:
            raise Failure("core.not_set_up")
        return self.model, self.processor


class Exercise:
    """One exercise: subclasses set `name`, `emoji`, `value_names` and implement `verify`."""

    name = "exercise"
    emoji = ""
    value_names: tuple[str, ...] = ()
    hint_count = 2

    def __init__(self, lesson: Lesson) -> None:
        self.lesson = lesson
        self.last_outcome: Outcome | None = None

    @property
    def title(self) -> str:
        return f"{self.emoji} {self.name}".strip()

    # ------------------------------------------------------------------ the learner's API
    def check(self, *values, **options) -> Outcome:
        """Judge the learner's values; show ✅ / ❌ / not attempted; record and return the outcome."""
        try:
            status, code, fields = self._judge(values, options)
        except Exception as error:  # a bug in the check must not reach the learner as a traceback
            failure = failure_for(error, "core.internal_error")
            status, code, fields = FAILED, failure.code, failure.fields
        outcome = Outcome(
            self.lesson.name, self.name, status, code, self._render(status, code, fields), fields
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
        if level > self.hint_count:
            note, level = t("core.no_more_hints", count=self.hint_count) + "\n\n", self.hint_count
        hint = t(self.lesson.message_key(f"{self.name}.hint.{level}"))
        show(f"💡 **{t('core.label.hint')} {level}** ({self.title}): {note}{hint}")

    def solution(self) -> None:
        """Show the reference solution from `solutions/<lesson>/<exercise>.py`."""
        path = solutions_dir() / self.lesson.name / f"{self.name}.py"
        if not path.is_file():
            url = f"{SOLUTIONS_URL}/{self.lesson.name}/{self.name}.py"
            show(t("core.solution_missing", path=path, url=url))
            return
        code = path.read_text(encoding="utf-8").rstrip()
        show(f"**{t('core.label.solution')}** ({self.title}):\n\n```python\n{code}\n```")

    # ------------------------------------------------------------------ for subclasses
    def verify(self, *values, **options) -> dict:
        """Raise `Failure(code, **fields)` when an answer is wrong; return the passed fields."""
        raise NotImplementedError

    def call_learner(self, function, *args, **kwargs):
        """Call the learner's code; an exception becomes a ❌ naming it."""
        try:
            return function(*args, **kwargs)
        except Exception as error:
            raise failure_for(error) from None

    @staticmethod
    def require_callable(value, name: str, expected_key: str = "type.function") -> None:
        """Fail with `core.wrong_type` unless the learner's `name` is a function."""
        if not callable(value):
            raise wrong_type(name, value, expected_key)

    # ------------------------------------------------------------------ internals
    def _judge(self, values: tuple, options: dict) -> tuple[str, str, dict]:
        starters = [is_starter(value) for value in values]
        if not values or all(starters):
            return NOT_ATTEMPTED, "core.not_attempted", {}
        for name, value, starter in zip(self.value_names, values, starters):
            if starter:
                return (
                    FAILED,
                    "core.incomplete",
                    {"name": name, "value": "..." if value is ... else value},
                )
        try:
            fields = self.verify(*values, **options) or {}
        except Failure as failure:
            return FAILED, failure.code, failure.fields
        return PASSED, f"{self.name}.passed", fields

    def _render(self, status: str, code: str, fields: dict) -> str:
        label = t(f"core.label.{status}")
        return f"{ICONS[status]} **{label}** ({self.title}): {t(self.lesson.message_key(code), **fields)}"


def short_error(error: Exception, limit: int = 300) -> str:
    """An exception's message cut to `limit` characters, for feedback that names what went wrong."""
    text = str(error) or type_name(error)
    return text if len(text) <= limit else text[: limit - 1] + "…"
