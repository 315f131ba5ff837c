"""Generation speed: `ask_batch` (one padded batch of 16) against `ask` called once per question.

Both answer the same chart questions greedily with the same `max_new_tokens`; figures are answers/s.
"""

from __future__ import annotations

import time

import torch


def _now() -> float:
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter()


def chart_questions(count: int) -> list[tuple]:
    """`count` (image, question) pairs from the synthetic chart data set."""
    from course_utils.synthetic_data import make_chartqa

    charts = make_chartqa(count, seed=1)
    return [(row["image"], row["query"]) for row in charts]


def answers_per_second(model, processor, pairs, batch_size: int, max_new_tokens: int = 16) -> float:
    """Answers/s: `ask` one by one when `batch_size` is 1, otherwise `ask_batch` in batches."""
    from course_utils.generation import ask, ask_batch

    started = _now()
    if batch_size == 1:
        answers = [
            ask(model, processor, image, question, max_new_tokens=max_new_tokens) for image, question in pairs
        ]
    else:
        answers = ask_batch(
            model, processor, pairs, max_new_tokens=max_new_tokens, batch_size=batch_size, progress=False
        )
    seconds = _now() - started
    if len(answers) != len(pairs):
        raise RuntimeError(f"expected {len(pairs)} answers, got {len(answers)}")
    return len(answers) / seconds


def measure(model, processor, count: int = 16, batch_size: int = 16, max_new_tokens: int = 16) -> dict:
    """Batched and one-by-one answers/s on the same questions, after one warm-up answer."""
    pairs = chart_questions(count)
    answers_per_second(model, processor, pairs[:1], 1, max_new_tokens)  # warm-up
    one_by_one = answers_per_second(model, processor, pairs, 1, max_new_tokens)
    batched = answers_per_second(model, processor, pairs, batch_size, max_new_tokens)
    return {
        "one_by_one": one_by_one,
        "batched": batched,
        "speedup": batched / one_by_one,
        "batch_size": batch_size,
        "questions": count,
        "max_new_tokens": max_new_tokens,
    }
