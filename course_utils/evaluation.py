"""Measure what fine-tuning changed: exact-match and ChartQA's relaxed accuracy, tables and plots.

Relaxed accuracy (ChartQA paper, end of section 5.1) accepts a number within 5% of a numeric target
and otherwise asks for an exact match; answers are compared without case, outer spaces or a final period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from course_utils.generation import ask_batch


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
    images: list = field(repr=False, default_factory=list)  # the pictures asked about, in order

    def __str__(self) -> str:
        return f"exact {self.exact:.1%} · relaxed {self.relaxed:.1%} on {self.n} questions"

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
        raise ValueError("The evaluation dataset is empty.")
    columns = getattr(dataset, "column_names", None) or list(dataset[0])
    for role, key in (("image_key", image_key), ("question_key", question_key), ("answer_key", answer_key)):
        if key not in columns:
            raise ValueError(f"{role}={key!r} is not a column of the dataset; its columns are {columns}.")
    rows = [dataset[index] for index in range(len(dataset))]
    pairs = [(row[image_key], row[question_key]) for row in rows]
    targets = [normalise_answer(row[answer_key]) for row in rows]
    predictions = ask_batch(
        model, processor, pairs, max_new_tokens=max_new_tokens, batch_size=batch_size, progress=progress
    )
    exact = sum(exact_match(p, t) for p, t in zip(predictions, targets)) / len(rows)
    relaxed = sum(relaxed_match(p, t) for p, t in zip(predictions, targets)) / len(rows)
    images, questions = (list(column) for column in zip(*pairs))
    return EvalResult(exact, relaxed, len(rows), predictions, targets, questions, images)


def before_after_table(results: dict[str, EvalResult], baseline: bool = True):
    """A pandas table with one row per stage ("before", "after LoRA", ...) and both accuracies.

    With `baseline`, a last row gives the majority baseline: always answering the most frequent
    correct answer of the test set. A model that does not beat it has learnt no skill.
    """
    import pandas as pd  # slow to import: only when a table is made

    rows = {name: (f"{r.exact:.1%}", f"{r.relaxed:.1%}", r.n) for name, r in results.items()}
    if baseline and results:
        reference = next(iter(results.values()))
        score = f"{reference.majority_baseline:.1%}"
        rows[f"always {reference.majority_answer!r} (majority baseline)"] = (score, score, reference.n)
    return pd.DataFrame.from_dict(
        rows, orient="index", columns=["exact match", "relaxed accuracy", "questions"]
    )


def plot_loss(log_history: list[dict], title: str = "Training loss"):
    """The loss curve from a trainer's `state.log_history` as a matplotlib Figure."""
    from matplotlib.figure import Figure  # matplotlib loads only where a figure is drawn

    points = logged(log_history, "loss")
    if not points:
        raise ValueError("The log history has no 'loss' entries: did training run and log?")
    figure = Figure(figsize=(6, 3.2))
    axes = figure.subplots()
    steps, losses = zip(*points)
    axes.plot(steps, losses, marker="o", markersize=3)
    axes.set_xlabel("step")
    axes.set_ylabel("loss (answer tokens only)")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    return figure
