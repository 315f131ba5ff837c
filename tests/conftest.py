"""Shared fixtures: the embedded tiny models, loaded once per test session, offline."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tiny():
    from course_utils.loading import load_vlm

    return load_vlm("tiny")


@pytest.fixture(scope="session")
def tiny_video():
    from course_utils.loading import load_vlm

    return load_vlm("tiny-video")
