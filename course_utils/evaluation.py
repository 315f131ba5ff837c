"""Measure what fine-tuning changed: exact-match and ChartQA's relaxed accuracy, tables and plots.

Relaxed accuracy (ChartQA paper, end of section 5.1) accepts a number within 5% of a numeric target
and otherwise asks for an exact match; answers are compared without case, outer spaces or a final period.

Whether a change is real, for any model: `compare` pairs two evaluations of the same questions (the
exact McNemar test on the questions only one of them gets right, and a bootstrap interval of the
gain), `above_baseline` tests a result against always giving the most frequent answer (an exact
one-sided binomial test).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from math import exp, lgamma, log, log1p

import numpy as np

from course_utils.generation import ask_batch
from course_utils.i18n import message, render

EVAL_SUMMARY = message("evaluation.summary", "exact {exact:.1%} · relaxed {relaxed:.1%} on {count} questions")
EMPTY_DATASET = message("evaluation.empty_dataset", "The evaluation dataset is empty.")
NOT_A_COLUMN = message(
    "evaluation.not_a_column", "{role}={key!r} is not a column of the dataset; its columns are {columns}."
)
COMPARISON_SUMMARY = message(
    "evaluation.comparison_summary",
    "{gain:+.1%} (95% interval {low:+.1%} to {high:+.1%}; {fixed} fixed, {broken} broken; p = {p_value:.2g})",
)
NOT_SAME_QUESTIONS = message(
    "evaluation.not_same_questions",
    "compare() needs two evaluations of the same questions, in the same order.",
)
NO_QUESTIONS = message("evaluation.no_questions", "compare() needs at least one question.")
# before_after_table: its columns, cells and baseline row
EXACT_MATCH_COLUMN = message("evaluation.exact_match_column", "exact match")
RELAXED_ACCURACY_COLUMN = message("evaluation.relaxed_accuracy_column", "relaxed accuracy")
QUESTIONS_COLUMN = message("evaluation.questions_column", "questions")
GAIN_COLUMN = message("evaluation.gain_column", "gain (95% interval)")
P_VALUE_COLUMN = message("evaluation.p_value_column", "p-value")
GAIN_CELL = message("evaluation.gain_cell", "{gain:+.1%} ({low:+.1%} to {high:+.1%})")
BASELINE_ROW = message("evaluation.baseline_row", "always {answer!r} (majority baseline)")
# plot_loss
LOSS_TITLE = message("evaluation.loss_title", "Training loss")
LOSS_YLABEL = message("evaluation.loss_ylabel", "loss (labelled tokens)")
STEP_XLABEL = message("evaluation.step_xlabel", "step")
TRAINING_LEGEND = message("evaluation.training_legend", "training")
VALIDATION_LEGEND = message("evaluation.validation_legend", "validation")
NO_LOSS = message("evaluation.no_loss", "The log history has no 'loss' entries: did training run and log?")


def _as_number(text: str) -> float | None:
    """The number an answer states, as ChartQA's reference scorer reads it ("12%" is 0.12), or None."""
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return None


def normalise_answer(text) -> str:
    if isinstance(text, (list, tuple)):
        text = text[0] if text else ""
    return str(text).strip().strip(".").lower()


def exact_match(prediction: str, target) -> bool:
    return normalise_answer(prediction) == normalise_answer(target)


def relaxed_match(prediction: str, target, tolerance: float = 0.05) -> bool:
    """ChartQA's relaxed accuracy: a number within `tolerance` (relative) of a non-zero numeric target;
    otherwise (text, or a target of zero) an exact match."""
    predicted, expected = _as_number(normalise_answer(prediction)), _as_number(normalise_answer(target))
    if predicted is not None and expected:
        return abs(predicted - expected) / abs(expected) <= tolerance
    return exact_match(prediction, target)


def logged(log_history: list[dict], key: str = "loss") -> list[tuple[int, float]]:
    """(step, value) of every entry of a trainer's `state.log_history` that logged `key`."""
    return [(entry.get("step", index), entry[key]) for index, entry in enumerate(log_history) if key in entry]


def majority_baseline(targets) -> tuple[str, float]:
    """(most frequent answer, the share of `targets` it matches): what always saying it scores."""
    targets = [normalise_answer(target) for target in targets]
    if not targets:
        return "", 0.0
    answer, count = Counter(targets).most_common(1)[0]
    return answer, count / len(targets)


@dataclass
class EvalResult:
    """Accuracies over `n` questions plus every prediction, for tables and error analysis."""

    exact: float
    relaxed: float
    n: int
    predictions: list[str] = field(repr=False, default_factory=list)
    targets: list[str] = field(repr=False, default_factory=list)
    questions: list[str] = field(repr=False, default_factory=list)

    def __str__(self) -> str:
        return render(EVAL_SUMMARY, exact=self.exact, relaxed=self.relaxed, count=self.n)

    @property
    def majority_answer(self) -> str:
        """The most frequent correct answer: what a model that always says one thing would pick."""
        return majority_baseline(self.targets)[0]

    @property
    def majority_baseline(self) -> float:
        """Exact match of always giving `majority_answer`: the score to beat."""
        return majority_baseline(self.targets)[1]

    def accuracy_by(self, kind_of: Callable[[str], str]) -> dict[str, float]:
        """Exact match per question kind; `kind_of(question)` names a question's kind, e.g.
        `course_utils.synthetic_data.chart_question_kind`."""
        hits: dict[str, list[bool]] = {}
        for question, predicted, target in zip(self.questions, self.predictions, self.targets):
            hits.setdefault(kind_of(question), []).append(exact_match(predicted, target))
        return {kind: sum(values) / len(values) for kind, values in sorted(hits.items())}


def evaluate(
    model,
    processor,
    dataset,
    image_key: str = "image",
    question_key: str = "query",
    answer_key: str = "label",
    batch_size: int = 16,
    max_new_tokens: int = 8,
    progress: bool = True,
) -> EvalResult:
    """Ask every question of `dataset` (rows with an image, a question and an answer) and score it."""
    if len(dataset) == 0:
        raise ValueError(render(EMPTY_DATASET))
    columns = getattr(dataset, "column_names", None) or list(dataset[0])
    for role, key in (("image_key", image_key), ("question_key", question_key), ("answer_key", answer_key)):
        if key not in columns:
            raise ValueError(render(NOT_A_COLUMN, role=role, key=key, columns=columns))
    rows = [dataset[index] for index in range(len(dataset))]
    pairs = [(row[image_key], row[question_key]) for row in rows]
    targets = [normalise_answer(row[answer_key]) for row in rows]
    predictions = ask_batch(
        model, processor, pairs, max_new_tokens=max_new_tokens, batch_size=batch_size, progress=progress
    )
    exact = sum(exact_match(p, t) for p, t in zip(predictions, targets)) / len(rows)
    relaxed = sum(relaxed_match(p, t) for p, t in zip(predictions, targets)) / len(rows)
    questions = [question for _, question in pairs]
    return EvalResult(exact, relaxed, len(rows), predictions, targets, questions)


def hits(result: EvalResult) -> list[bool]:
    """Which questions `result` got right (exact match), in order."""
    return [exact_match(predicted, target) for predicted, target in zip(result.predictions, result.targets)]


def binomial_tail(successes: int, trials: int, share: float) -> float:
    """P(X >= successes) for X ~ Binomial(trials, share): exact, for any test-set size."""
    if successes <= 0:
        return 1.0
    if share <= 0.0 or share >= 1.0:
        return float(share >= 1.0)

    def term(k: int) -> float:  # in logarithms: the binomial coefficients of 2,500 questions overflow a float
        return exp(
            lgamma(trials + 1)
            - lgamma(k + 1)
            - lgamma(trials - k + 1)
            + k * log(share)
            + (trials - k) * log1p(-share)
        )

    return min(1.0, sum(term(k) for k in range(successes, trials + 1)))


@dataclass(frozen=True)
class Comparison:
    """`after` against `before` on the same questions: the gain in exact match, its 95% bootstrap
    interval, and the exact McNemar p-value (how likely a gain at least this large is by chance)."""

    gain: float
    low: float
    high: float
    p_value: float
    fixed: int  # questions wrong before, right after
    broken: int  # questions right before, wrong after
    n: int

    @property
    def significant(self) -> bool:
        return self.gain > 0 and self.p_value < SIGNIFICANCE

    def __str__(self) -> str:
        return render(
            COMPARISON_SUMMARY,
            gain=self.gain,
            low=self.low,
            high=self.high,
            fixed=self.fixed,
            broken=self.broken,
            p_value=self.p_value,
        )


SIGNIFICANCE = 0.05  # a gain counts when chance alone would give it less than 5% of the time
BOOTSTRAP_SAMPLES = 2000


def compare(before: EvalResult, after: EvalResult, seed: int = 0) -> Comparison:
    """Pair two evaluations of the same questions: gain, bootstrap interval, exact McNemar test.

    Only the questions one model gets right and the other wrong say anything about which is better;
    if neither were better, each of them would fall on either side like a coin (McNemar's test, here
    exact: a two-sided binomial test on those questions). The interval resamples the questions.
    """
    if before.n != after.n or list(before.targets) != list(after.targets):
        raise ValueError(render(NOT_SAME_QUESTIONS))
    first, second = np.array(hits(before), dtype=float), np.array(hits(after), dtype=float)
    n = len(first)
    if n == 0:
        raise ValueError(render(NO_QUESTIONS))
    fixed, broken = int(((first == 0) & (second == 1)).sum()), int(((first == 1) & (second == 0)).sum())
    discordant = fixed + broken
    p_value = min(1.0, 2 * binomial_tail(max(fixed, broken), discordant, 0.5)) if discordant else 1.0
    rows = np.random.default_rng(seed).integers(0, n, size=(BOOTSTRAP_SAMPLES, n))
    gains = (second[rows] - first[rows]).mean(axis=1)
    low, high = np.quantile(gains, [0.025, 0.975])
    return Comparison(float(second.mean() - first.mean()), float(low), float(high), p_value, fixed, broken, n)


def above_baseline(result: EvalResult) -> float:
    """p-value of `result` beating the majority baseline by chance: if the model were no better than
    always giving the most frequent answer, how often would it get this many questions right?"""
    _, share = majority_baseline(result.targets)
    return binomial_tail(sum(hits(result)), result.n, share) if result.n else 1.0


def before_after_table(results: dict[str, EvalResult], baseline: bool = True):
    """A pandas table with one row per stage ("before", "after LoRA", ...) and both accuracies.

    Every stage after the first also gets its gain in exact match over the first, with its 95%
    interval and the McNemar p-value (`compare`). With `baseline`, a last row gives the majority
    baseline: always answering the most frequent correct answer of the test set. A model that does
    not beat it has learnt no skill. Column names and the baseline row are in the learner's language.
    """
    import pandas as pd  # slow to import: only when a table is made

    columns = [
        render(column)
        for column in (
            EXACT_MATCH_COLUMN,
            RELAXED_ACCURACY_COLUMN,
            QUESTIONS_COLUMN,
            GAIN_COLUMN,
            P_VALUE_COLUMN,
        )
    ]
    reference = next(iter(results.values()), None)
    rows = {}
    for name, result in results.items():
        gain = p_value = ""
        same_questions = result.n == reference.n and list(result.targets) == list(reference.targets)
        if result is not reference and same_questions and result.predictions and reference.predictions:
            change = compare(reference, result)
            gain = render(GAIN_CELL, gain=change.gain, low=change.low, high=change.high)
            p_value = f"{change.p_value:.2g}"
        rows[name] = (f"{result.exact:.1%}", f"{result.relaxed:.1%}", result.n, gain, p_value)
    if baseline and reference is not None:
        score = f"{reference.majority_baseline:.1%}"
        rows[render(BASELINE_ROW, answer=reference.majority_answer)] = (
            score,
            score,
            reference.n,
            "",
            "",
        )
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def plot_loss(log_history: list[dict], title: str | None = None, ylabel: str | None = None):
    """The loss curve from a trainer's `state.log_history` as a matplotlib Figure.

    `title` and `ylabel` default to "Training loss" and "loss (labelled tokens)", in the learner's language.

    With a validation split (`eval_dataset` and an `eval_strategy`), its loss is drawn beside the
    training loss.
    """
    from matplotlib.figure import Figure  # matplotlib loads only where a figure is drawn

    points = logged(log_history, "loss")
    if not points:
        raise ValueError(render(NO_LOSS))
    figure = Figure(figsize=(6, 3.2))
    axes = figure.subplots()
    validation = logged(log_history, "eval_loss")
    axes.plot(*zip(*points), marker="o", markersize=3, label=render(TRAINING_LEGEND))
    if validation:
        axes.plot(*zip(*validation), marker="s", markersize=4, label=render(VALIDATION_LEGEND))
        axes.legend()
    axes.set_xlabel(render(STEP_XLABEL))
    axes.set_ylabel(render(LOSS_YLABEL) if ylabel is None else ylabel)
    axes.set_title(render(LOSS_TITLE) if title is None else title)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    return figure
