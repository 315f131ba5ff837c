"""What a picture costs: the prompt tokens one image takes, and the setting that chooses it.

Image splitting cuts a picture into tiles plus a global view; without it every picture is one tile.
Lesson 1 plots the cost, lesson 2 sets the token budget it trains with.
"""

from __future__ import annotations

from PIL import Image


def tokens_per_image(processor, image: Image.Image | None = None) -> int:
    """Prompt tokens one picture costs with the processor's current settings (default: a square)."""
    image_processor = processor.image_processor
    side = image_processor.size.get("longest_edge", 512)
    image = image or Image.new("RGB", (side, side), "white")
    batch = processor(text=["<image>"], images=[[image]])
    return len(batch["input_ids"][0])


def set_token_budget(processor, image_splitting: bool = False, longest_edge: int | None = None) -> int:
    """Choose what a picture costs: image splitting on/off and the resize edge. Returns tokens/image.

    Splitting cuts a picture into tiles plus a global view (up to 17 x 64 tokens on SmolVLM-256M);
    without it every picture is one tile. The setting lives on the processor, so training,
    evaluation and `save_pretrained` all agree.
    """
    image_processor = processor.image_processor
    image_processor.do_image_splitting = image_splitting
    if longest_edge is not None:
        image_processor.size = {"longest_edge": longest_edge}
    return tokens_per_image(processor)
