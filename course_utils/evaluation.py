"""Measure what fine-tuning changed: exact-match and ChartQA's relaxed accuracy, tables and plots.

Relaxed accuracy (from the ChartQA paper) accepts a numeric answer within 5% of the target and
otherwise asks for an exact (case-insensitive) match.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from course_utils.generation import ask_batch


def _as_number(text: str) -> float | None:
    try:
        return float(str(text).strip().rstrip("%").replace(",", ""))
    except ValueError:
        return None


def normalise_answer(text) -> str:
    if isinstance(text, (list, tuple)):
        text = text[0] if text else ""
    return str(text).strip().strip(".").lower()


def exact_match(prediction: str, target) -> bool:
    return normalise_answer(prediction) == normalise_answer(target)


def relaxed_match(prediction: str, target, tolerance: float = 0.05) -> bool:
    """ChartQA's relaxed accuracy: numbers within `tolerance` (relative), text exact."""
    predicted, expected = _as_number(normalise_answer(prediction)), _as_number(normalise_answer(target))
    if predicted is not None and expected is not None:
        if expected == 0:
            return predicted == 0
        return abs(predicted - expected) / abs(expected) <= tolerance
    return exact_match(prediction, target)


@dataclass
class EvalResult:
    """Accuracies over `n` questions plus every prediction, for tables and error analysis."""

    exact: float
    relaxed: float
    n: int
    predictions: list[str] = field(repr=False, default_factory=list)
    targets: list[str] = field(repr=False, default_factory=list)

    def __str__(self) -> str:
        return f"exact {self.exact:.1%} · relaxed {self.relaxed:.1%} on {self.n} questions"


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
    rows = [dataset[index] for index in range(len(dataset))]
    pairs = [(row[image_key], row[question_key]) for row in rows]
    targets = [normalise_answer(row[answer_key]) for row in rows]
    predictions = ask_batch(
        model, processor, pairs, max_new_tokens=max_new_tokens, batch_size=batch_size, progress=progress
    )
    exact = sum(exact_match(p, t) for p, t in zip(predictions, targets)) / len(rows)
    relaxed = sum(relaxed_match(p, t) for p, t in zip(predictions, targets)) / len(rows)
    return EvalResult(exact, relaxed, len(rows), predictions, targets)


def before_after_table(results: dict[str, EvalResult]):
    """A pandas table with one row per stage ("before", "after LoRA", ...) and both accuracies."""
    import pandas as pd

    return pd.DataFrame(
        {
            "exact match": [f"{r.exact:.1%}" for r in results.values()],
            "relaxed accuracy": [f"{r.relaxed:.1%}" for r in results.values()],
            "questions": [r.n for r in results.values()],
        },
        index=list(results),
    )


def plot_loss(log_history: list[dict], title: str = "Training loss"):
    """The loss curve from a trainer's `state.log_history` as a matplotlib Figure."""
    from matplotlib.figure import Figure

    points = [(entry["step"], entry["loss"]) for entry in log_history if "loss" in entry]
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
