"""The course's main job (`make course`): run it on the embedded model and summarise.

Loads the embedded tiny SmolVLM and answers questions about freshly generated scenes.
"""

from __future__ import annotations

import time

from course_utils.generation import ask_batch
from course_utils.loading import load_vlm
from course_utils.scenes import make_scene_questions


def smoke_run(n_questions: int = 12, seed: int = 2026) -> float:
    """Ask the embedded model about `n_questions` fresh scenes; print a table; return accuracy."""
    started = time.perf_counter()
    model, processor = load_vlm("tiny")
    print(f"Loaded the embedded tiny SmolVLM in {time.perf_counter() - started:.1f} s")
    examples = make_scene_questions(n_questions, seed=seed)
    answers = ask_batch(model, processor, [(scene.image, q) for scene, q, _, _ in examples])
    correct = 0
    print(f"{'question':34} {'expected':18} {'model':18}")
    for (_, question, expected, _), answer in zip(examples, answers):
        correct += answer == expected
        mark = "✅" if answer == expected else "❌"
        print(f"{question:34} {expected:18} {answer:18} {mark}")
    accuracy = correct / len(examples)
    print(f"Accuracy on fresh scenes: {accuracy:.0%} ({correct}/{len(examples)})")
    return accuracy


def main() -> None:
    smoke_run()


if __name__ == "__main__":
    main()
