"""The numbers of a loaded SmolVLM, read from its own config and processor, and a figure of them.

Picture -> tiles -> vision encoder patches -> pixel shuffle -> projection -> language model: what each
stage of `architecture_numbers` holds for whichever model is loaded (the tiny one or a real SmolVLM).
"""

from __future__ import annotations

from dataclasses import dataclass

from course_utils.i18n import message, render


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
    parameters: dict[str, int]  # by module: vision encoder, connector, language model (+ lm_head)


NOT_SMOLVLM = message(
    "architecture.not_smolvlm",
    "{model_type} is not a SmolVLM / Idefics3 model (its config has no scale_factor).",
)


def architecture_numbers(model, processor) -> Architecture:
    """The loaded model's architecture as numbers (raises a clear error for a non-SmolVLM model)."""
    config = getattr(model, "config", None)
    if not hasattr(config, "scale_factor") or not hasattr(config, "vision_config"):
        raise ValueError(render(NOT_SMOLVLM, model_type=type(model).__name__))
    vision, text = config.vision_config, config.get_text_config()
    patches = (vision.image_size // vision.patch_size) ** 2
    inner = model.model
    parts = {  # named by their modules, as in `model.named_parameters()` (the same in every language)
        "model.vision_model": [inner.vision_model],
        "model.connector": [inner.connector],
        "model.text_model + lm_head": [inner.text_model, model.lm_head],  # its output layer included
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


# The figure's stages: name, then what one tile is at that stage.
TILE_NAME = message("architecture.tile_name", "one tile")
TILE_DETAIL = message("architecture.tile_detail", "{tile}×{tile} px")
ENCODER_NAME = message("architecture.encoder_name", "vision encoder\n(SigLIP)")
ENCODER_DETAIL = message(
    "architecture.encoder_detail",
    "{side}×{side} = {patches:,} patches\nof {patch}×{patch} px\n× {width} wide, {layers} layers",
)
SHUFFLE_NAME = message("architecture.shuffle_name", "pixel shuffle")
SHUFFLE_DETAIL = message(
    "architecture.shuffle_detail",
    "{scale}×{scale} patches → 1 token\n{token_side}×{token_side} = {tokens:,} tokens\n× {width} wide",
)
PROJECTION_NAME = message("architecture.projection_name", "projection")
PROJECTION_DETAIL = message("architecture.projection_detail", "{vision_width} → {text_width} wide")
LANGUAGE_MODEL_NAME = message("architecture.language_model_name", "language model\n(SmolLM2)")
LANGUAGE_MODEL_DETAIL = message(
    "architecture.language_model_detail",
    "{tokens:,} image tokens\n+ your words\n{width} wide, {layers} layers",
)
FIGURE_TITLE = message("architecture.figure_title", "{tokens} tokens per {tile} px tile: {model_type}")


def architecture_figure(model, processor, title: str | None = None):
    """A left-to-right diagram of one tile's way through the model, with this model's numbers."""
    from matplotlib.figure import Figure  # matplotlib loads only where a figure is drawn
    from matplotlib.patches import FancyBboxPatch

    arch = architecture_numbers(model, processor)
    side = arch.tile // arch.patch
    token_side = side // arch.scale
    shuffled_width = arch.vision_width * arch.scale**2
    stages = [
        (render(TILE_NAME), render(TILE_DETAIL, tile=arch.tile), "#e8e8e8"),
        (
            render(ENCODER_NAME),
            render(
                ENCODER_DETAIL,
                side=side,
                patches=arch.patches_per_tile,
                patch=arch.patch,
                width=arch.vision_width,
                layers=arch.vision_layers,
            ),
            "#cfe3f7",
        ),
        (
            render(SHUFFLE_NAME),
            render(
                SHUFFLE_DETAIL,
                scale=arch.scale,
                token_side=token_side,
                tokens=arch.tokens_per_tile,
                width=shuffled_width,
            ),
            "#d9efd5",
        ),
        (
            render(PROJECTION_NAME),
            render(PROJECTION_DETAIL, vision_width=shuffled_width, text_width=arch.text_width),
            "#d9efd5",
        ),
        (
            render(LANGUAGE_MODEL_NAME),
            render(
                LANGUAGE_MODEL_DETAIL,
                tokens=arch.tokens_per_tile,
                width=arch.text_width,
                layers=arch.text_layers,
            ),
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
    default_title = render(
        FIGURE_TITLE, tokens=arch.tokens_per_tile, tile=arch.tile, model_type=type(model).__name__
    )
    axes.set_title(title or default_title, fontsize=10)
    figure.tight_layout()
    return figure
