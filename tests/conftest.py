"""Shared fixtures: the embedded tiny models, loaded once per test session, offline."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402

from course_utils import i18n  # noqa: E402


@pytest.fixture(scope="session")
def tiny():
    from course_utils.loading import load_vlm

    return load_vlm("tiny")


@pytest.fixture(scope="session")
def tiny_video():
    from course_utils.loading import load_vlm

    return load_vlm("tiny-video")


@pytest.fixture(scope="module")
def lesson(request, tiny):
    """The tiny model set up for the checks of the test module's lesson (its `ex` module), in English."""
    model, processor = tiny
    request.module.ex.setup(model, processor, language="en")
    yield model, processor
    i18n.set_language(None)


def pytest_collection_modifyitems(config, items):
    """Tests marked `gpu` are reported as skipped (not run, never passed) when CUDA is unavailable."""
    gpu_items = [item for item in items if item.get_closest_marker("gpu")]
    if not gpu_items:
        return
    import torch

    if torch.cuda.is_available():
        return
    reason = "NOT RUN: needs a CUDA GPU (torch.cuda.is_available() is False); run `pytest -m gpu` on a GPU"
    for item in gpu_items:
        item.add_marker(pytest.mark.skip(reason=reason))
