"""What a picture costs: the prompt tokens one image takes, and the setting that chooses it.

Image splitting cuts a picture into tiles plus a global view; without it every picture is one tile.
Lesson 1 plots the cost, lesson 2 sets the token budget it trains with.
"""

from __future__ import annotations

from PIL import Image

from course_utils.i18n import message, render


def tokens_per_image(processor, image: Image.Image | None = None) -> int:
    """Prompt tokens one picture costs with the processor's current settings (default: a square)."""
    image_processor = processor.image_processor
    side = image_processor.size.get("longest_edge", 512)
    image = image or Image.new("RGB", (side, side), "white")
    batch = processor(text=["<image>"], images=[[image]])
    return len(batch["input_ids"][0])


def tile_edge(processor) -> int:
    """The side of one tile in pixels (512 on SmolVLM-256M, 384 on the 2.2B SmolVLM)."""
    return processor.image_processor.max_image_size["longest_edge"]


BAD_BUDGET = message(
    "image_tokens.bad_budget",
    "tiles must be 0 (the model's own) or more, longest_edge positive; got {tiles}, {longest_edge}.",
)


def set_token_budget(
    processor, image_splitting: bool = False, longest_edge: int | None = None, tiles: int = 0
) -> int:
    """Choose what a picture costs: image splitting on/off and the resize edge. Returns tokens/image.

    Splitting resizes a picture so its longest edge is `size["longest_edge"]` (small pictures are
    scaled up too), cuts it into tiles and adds a global view: up to 4 x 4 + 1 = 17 x 64 tokens on
    SmolVLM-256M. `tiles=N` sets that edge to N tiles (at most N x N tiles + 1 view: N=2 gives 5);
    `longest_edge` sets it in pixels; neither keeps the model's own. Without splitting every picture is
    one tile. The setting lives on the processor, so training, evaluation and `save_pretrained` agree.
    """
    if tiles < 0 or (longest_edge is not None and longest_edge < 1):
        raise ValueError(render(BAD_BUDGET, tiles=tiles, longest_edge=longest_edge))
    image_processor = processor.image_processor
    image_processor.do_image_splitting = image_splitting
    if tiles:
        longest_edge = tiles * tile_edge(processor)
    if longest_edge is not None:
        image_processor.size = {"longest_edge": longest_edge}
    return tokens_per_image(processor)
