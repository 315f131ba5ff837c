"""Token costs: `<image>` tokens per picture and tokens per training sample, with and without image
splitting, for the embedded tiny model and each real SmolVLM shape, and the activation memory they imply.
"""

from __future__ import annotations

import copy

SQUARE_SIDE = 1536  # a large photo or chart: every shape resizes it to its own longest edge


def activation_gib(tokens: int, batch_size: int, hidden: int, layers: int, checkpointing: bool) -> float:
    """Estimated text-model activation memory of one training step, in GiB (the rule of
    `course_utils.memory`, the lessons' memory estimate)."""
    from course_utils.memory import GIB, transformer_activations

    return transformer_activations(tokens, hidden, layers, checkpointing) * batch_size / GIB


def sample_tokens(processor, splitting: bool) -> tuple[int, int]:
    """(tokens per image, tokens per chart training sample) with splitting on or off."""
    from PIL import Image

    from course_utils.formatting import format_dataset
    from course_utils.image_tokens import set_token_budget, tokens_per_image
    from course_utils.masking import VisionSFTCollator
    from course_utils.synthetic_data import make_chartqa

    processor = copy.deepcopy(processor)
    set_token_budget(processor, image_splitting=splitting)
    per_image = tokens_per_image(processor, Image.new("RGB", (SQUARE_SIDE, SQUARE_SIDE), "white"))
    row = format_dataset(make_chartqa(1, seed=0))[0]
    batch = VisionSFTCollator(processor)([row])
    return per_image, int(batch["attention_mask"].sum())


def shape_rows(name: str, processor, hidden: int, layers: int, batch_size: int) -> list[dict]:
    """One row per splitting setting: tokens and the activation estimate at `batch_size`."""
    rows = []
    for splitting in (True, False):
        per_image, per_sample = sample_tokens(processor, splitting)
        rows.append(
            {
                "model": name,
                "splitting": splitting,
                "tokens_per_image": per_image,
                "tokens_per_sample": per_sample,
                "batch_size": batch_size,
                "activations_gib": activation_gib(per_sample, batch_size, hidden, layers, False),
                "activations_checkpointed_gib": activation_gib(per_sample, batch_size, hidden, layers, True),
            }
        )
    return rows


def measure(batch_size: int = 8) -> list[dict]:
    """Token costs of the tiny model and of every real shape (processors only, no weights)."""
    from transformers import AutoConfig, AutoProcessor

    from course_utils.loading import TINY_DIRS
    from tools.real_shapes import REAL_SHAPES, image_tokens_per_image, real_shape_processor

    tiny_config = AutoConfig.from_pretrained(TINY_DIRS["idefics3"]).text_config
    rows = shape_rows(
        "tiny",
        AutoProcessor.from_pretrained(TINY_DIRS["idefics3"]),
        tiny_config.hidden_size,
        tiny_config.num_hidden_layers,
        batch_size,
    )
    for name, spec in REAL_SHAPES.items():
        found = shape_rows(
            name,
            real_shape_processor(name),
            spec["text"]["hidden_size"],
            spec["text"]["num_hidden_layers"],
            batch_size,
        )
        found[0]["image_tokens_per_image"] = image_tokens_per_image(name, SQUARE_SIDE, SQUARE_SIDE)
        rows += found
    return rows
