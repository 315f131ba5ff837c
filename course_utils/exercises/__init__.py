"""Exercises for the lessons, learntools-style: one module per lesson holding its checks.

`from course_utils.exercises import usage as ex` gives `ex.setup(model, processor)` and the
exercises `ex.turtle`, `ex.dog`, `ex.lion`, each with `check(...)`, `hint(level)`, `solution()`.
"""
