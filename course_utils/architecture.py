"""The numbers of a loaded SmolVLM, read from its own config and processor, and a figure of them.

Picture -> tiles -> vision encoder patches -> pixel shuffle -> projection -> language model: what each
stage of `architecture_numbers` holds for whichever model is loaded (the tiny one or a real SmolVLM).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Architecture:
    """What one tile costs and how wide each part is, for one loaded model."""

    tile: int  # tile edge in pixels (the vision encoder's input size)
    patch: int  # patch edge in pixels
    patches_per_tile: int  # (tile / patch) ** 2 patch embeddings
    vision_width: int
    vision_layers: int
    scale: int  # pixel shuffle folds scale x scale neighbouring patches into one token
    tokens_per_tile: int  # patches_per_tile / scale ** 2
    text_width: int
    text_layers: int
    parameters: dict[str, int]  # vision encoder, connector, language model


def architecture_numbers(model, processor) -> Architecture:
    """The loaded model's architecture as numbers (raises a clear error for a non-SmolVLM model)."""
    config = getattr(model, "config", None)
    if not hasattr(config, "scale_factor") or not hasattr(config, "vision_config"):
        raise ValueError(
            f"{type(model).__name__} is not a SmolVLM / Idefics3 model (its config has no scale_factor)."
        )
    vision, text = config.vision_config, config.get_text_config()
    patches = (vision.image_size // vision.patch_size) ** 2
    inner = model.model
    parts = {
        "vision encoder": [inner.vision_model],
        "connector": [inner.connector],
        "language model": [inner.text_model, model.lm_head],  # its output layer included
    }
    return Architecture(
        tile=vision.image_size,
        patch=vision.patch_size,
        patches_per_tile=patches,
        vision_width=vision.hidden_size,
        vision_layers=vision.num_hidden_layers,
        scale=config.scale_factor,
        tokens_per_tile=getattr(processor, "image_seq_len", patches // config.scale_factor**2),
        text_width=text.hidden_size,
        text_layers=text.num_hidden_layers,
        parameters={
            name: sum(p.numel() for module in modules for p in module.parameters())
            for name, modules in parts.items()
        },
    )


def architecture_figure(model, processor, title: str | None = None):
    """A left-to-right diagram of one tile's way through the model, with this model's numbers."""
    from matplotlib.figure import Figure  # matplotlib loads only where a figure is drawn
    from matplotlib.patches import FancyBboxPatch

    arch = architecture_numbers(model, processor)
    side = arch.tile // arch.patch
    token_side = side // arch.scale
    stages = [
        ("one tile", f"{arch.tile}×{arch.tile} px", "#e8e8e8"),
        (
            "vision encoder\n(SigLIP)",
            f"{side}×{side} = {arch.patches_per_tile:,} patches\nof {arch.patch}×{arch.patch} px"
            f"\n× {arch.vision_width} wide, {arch.vision_layers} layers",
            "#cfe3f7",
        ),
        (
            "pixel shuffle",
            f"{arch.scale}×{arch.scale} patches → 1 token\n{token_side}×{token_side} = "
            f"{arch.tokens_per_tile:,} tokens\n× {arch.vision_width * arch.scale**2} wide",
            "#d9efd5",
        ),
        ("projection", f"{arch.vision_width * arch.scale**2} → {arch.text_width} wide", "#d9efd5"),
        (
            "language model\n(SmolLM2)",
            f"{arch.tokens_per_tile:,} image tokens\n+ your words\n{arch.text_width} wide, "
            f"{arch.text_layers} layers",
            "#fbe3c8",
        ),
    ]
    figure = Figure(figsize=(11, 2.6))
    axes = figure.subplots()
    axes.set_xlim(0, len(stages))
    axes.set_ylim(0, 1)
    axes.axis("off")
    for index, (name, detail, colour) in enumerate(stages):
        box = FancyBboxPatch(
            (index + 0.06, 0.08), 0.82, 0.84, boxstyle="round,pad=0.02", facecolor=colour, edgecolor="#555"
        )
        axes.add_patch(box)
        axes.text(index + 0.47, 0.75, name, ha="center", va="center", fontsize=9)
        axes.text(index + 0.47, 0.38, detail, ha="center", va="center", fontsize=8)
        if index:
            axes.annotate(
                "", xy=(index + 0.06, 0.5), xytext=(index - 0.1, 0.5), arrowprops={"arrowstyle": "->"}
            )
    axes.set_title(
        title or f"{arch.tokens_per_tile} tokens per {arch.tile} px tile: {type(model).__name__}", fontsize=10
    )
    figure.tight_layout()
    return figure
