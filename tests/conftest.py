"""Shared fixtures, built once per test session, offline.

Two kinds of tiny model:

- `random_tiny` / `random_tiny_video`: a real transformers Idefics3 / SmolVLM model with *random*
  weights, built in milliseconds from the embedded model's own config, with the embedded processor.
  Plumbing tests (shapes, masking, padding, errors, two code paths agreeing) use these, so
  re-teaching the embedded model can never break them. With random weights the generated text is
  arbitrary (often odd tokens) but deterministic (seed 0, greedy): such tests compare the model with
  itself (batch vs one-by-one, masked vs unmasked ids), never with expected words, and check that
  what they compare is not trivially empty.
- `tiny` / `tiny_video`: the *taught* embedded models (`load_vlm`). Only tests that measure what the
  model learned (tests/test_taught_model.py, the lesson checks, training floors) need them.
"""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# One CPU thread per test process (and the notebook kernels they start): `make test` runs two pytest
# workers side by side, and two processes each spinning two OpenMP threads on two cores slow each
# other down many times over. Set before torch is imported; a value in the environment wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest  # noqa: E402

from course_utils import i18n  # noqa: E402


def _random_model(name):
    """(model, processor): `name`'s embedded config and processor, random weights (seed 0), eval mode."""
    import torch
    from transformers import AutoConfig, AutoModelForImageTextToText, AutoProcessor, GenerationConfig

    from course_utils.loading import TINY_NAMES

    path = TINY_NAMES[name]
    config = AutoConfig.from_pretrained(path)
    torch.manual_seed(0)
    model = AutoModelForImageTextToText.from_config(config)
    model.generation_config = GenerationConfig.from_pretrained(path)  # the same eos/pad ids as load_vlm
    return model.eval(), AutoProcessor.from_pretrained(path)


@pytest.fixture(scope="session")
def random_tiny():
    """The tiny SmolVLM (Idefics3) architecture and processor with random weights: for plumbing tests."""
    return _random_model("tiny")


@pytest.fixture(scope="session")
def random_tiny_video():
    """The tiny SmolVLM2 architecture and processor with random weights: for plumbing tests."""
    return _random_model("tiny-video")


@pytest.fixture(scope="session")
def make_random_tiny():
    """Builds a fresh random-weight tiny model each call, for tests that train or change the model."""
    return _random_model


@pytest.fixture(scope="session")
def tiny():
    from course_utils.loading import load_vlm

    return load_vlm("tiny")


@pytest.fixture(scope="session")
def tiny_video():
    from course_utils.loading import load_vlm

    return load_vlm("tiny-video")


@pytest.fixture(autouse=True)
def learner_language_restored():
    """Each test starts and ends in English: a test that picks a language (`set_language`,
    `use_language`, `$COURSE_LANG`) cannot change the messages of the next one in its worker."""
    saved = os.environ.get(i18n.LANGUAGE_ENV)
    chosen = i18n._chosen
    yield
    i18n._chosen = chosen
    if saved is None:
        os.environ.pop(i18n.LANGUAGE_ENV, None)
    else:
        os.environ[i18n.LANGUAGE_ENV] = saved


@pytest.fixture(scope="module")
def lesson(request, tiny):
    """The tiny model set up for the checks of the test module's lesson (its `ex` module), in English."""
    model, processor = tiny
    request.module.ex.setup(model, processor, language="en")
    yield model, processor
    i18n.set_language(None)


# The longest tests (minutes at one CPU thread). Their file starts first, then the other files with
# slow tests: `make test` runs two pytest-xdist workers, file by file (`--dist loadfile`, so a module's
# fixtures are built once), and the longest work begun first lets both workers finish together.
LONGEST = ("test_finetuning_lesson_with_the_colab_parameters", "test_usage_lesson_with_the_colab_hub_ids")


def pytest_collection_modifyitems(config, items):
    """The longest tests first, then the other slow ones. Tests marked `gpu` are reported as skipped
    (not run, never passed) when CUDA is unavailable."""

    def order(item):
        name = getattr(item, "originalname", item.name)
        return (
            LONGEST.index(name) if name in LONGEST else len(LONGEST),
            item.get_closest_marker("slow") is None,
        )

    items.sort(key=order)
    gpu_items = [item for item in items if item.get_closest_marker("gpu")]
    if not gpu_items:
        return
    import torch

    if torch.cuda.is_available():
        return
    reason = "NOT RUN: needs a CUDA GPU (torch.cuda.is_available() is False); run `pytest -m gpu` on a GPU"
    for item in gpu_items:
        item.add_marker(pytest.mark.skip(reason=reason))
