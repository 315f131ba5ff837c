"""Exercises for the lessons, learntools-style: one module per lesson holding its checks.

`from course_utils.exercises import usage as ex` gives `ex.setup(model, processor)` and the
exercises, named for what they practise (`ex.one_image`, `ex.left_padded_batch`, ...; the tier 🐢 / 🐕 / 🦁
is a label), each with `check(...)`, `hint(level)`, `solution()`. `LESSONS` maps each lesson to its
module; `lesson.exercises` lists a lesson's exercises (the tests and tools derive everything from it).
"""

from __future__ import annotations

import importlib
from types import ModuleType

# lesson (the notebook's name) -> the module holding its exercises; a new lesson adds one line here.
LESSONS = {
    "01_vlm_usage": "course_utils.exercises.usage",
    "02_vlm_finetuning": "course_utils.exercises.finetuning",
    "03_vlm_grpo": "course_utils.exercises.grpo",
}


def lesson_module(lesson: str) -> ModuleType:
    """The exercise module of `lesson` (imported on first use: it loads torch and transformers)."""
    return importlib.import_module(LESSONS[lesson])
