"""The `real-shape` profile: SmolVLM architectures at their real sizes, with random weights.

Benchmarks and the real-shape lesson tests build these folders offline (no Hub download): the same
config and image tiling as the Hub checkpoints, the embedded tiny tokenizer, untrained weights.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from transformers import (
    Idefics3Config,
    Idefics3ForConditionalGeneration,
    Idefics3ImageProcessor,
    Idefics3Processor,
    LlamaConfig,
    PreTrainedTokenizerFast,
    SmolVLMConfig,
    SmolVLMForConditionalGeneration,
    SmolVLMImageProcessor,
    SmolVLMProcessor,
    SmolVLMVideoProcessor,
)
from transformers.models.idefics3.configuration_idefics3 import Idefics3VisionConfig
from transformers.models.smolvlm.configuration_smolvlm import SmolVLMVisionConfig

from tools.tiny import CHAT_TEMPLATE, build_tokenizer

# Vision tower shared by the 256M and 500M models: SigLIP base, patch 16, 512 px.
_SIGLIP_BASE_512 = dict(
    hidden_size=768,
    intermediate_size=3072,
    num_hidden_layers=12,
    num_attention_heads=12,
    image_size=512,
    patch_size=16,
)
# Image processor of the 256M and 500M models: 512 px tiles, resized to at most 4 x 4 tiles.
_PROCESSOR_512 = dict(
    size={"longest_edge": 2048}, max_image_size={"longest_edge": 512}, do_image_splitting=True
)

# Video frames of SmolVLM2: each one squared to a single 512 px tile (never split).
_VIDEO_PROCESSOR_512 = dict(size={"longest_edge": 512}, max_image_size={"longest_edge": 512})
# SmolLM2-135M, the language model of the 256M models.
_SMOLLM2_135M = dict(
    hidden_size=576,
    intermediate_size=1536,
    num_hidden_layers=30,
    num_attention_heads=9,
    num_key_value_heads=3,
    vocab_size=49280,
    rope_theta=100000.0,
    max_position_embeddings=8192,
    tie_word_embeddings=False,
)
# The transformers classes of each model kind: SmolVLM v1 is `idefics3`, SmolVLM2 `smolvlm`.
MODEL_CLASSES = {
    "idefics3": (Idefics3Config, Idefics3VisionConfig, Idefics3ForConditionalGeneration),
    "smolvlm": (SmolVLMConfig, SmolVLMVisionConfig, SmolVLMForConditionalGeneration),
}

# Every spec is an `idefics3` model unless its `kind` says otherwise.
REAL_SHAPES: dict[str, dict[str, Any]] = {
    "SmolVLM-256M": dict(
        hub_id="HuggingFaceTB/SmolVLM-256M-Instruct",
        text=_SMOLLM2_135M,
        vision=_SIGLIP_BASE_512,
        scale_factor=4,
        image_token_id=49190,
        processor=_PROCESSOR_512,
        parameters=256_484_928,
    ),
    # SmolVLM2-256M-Video-Instruct is fine-tuned from SmolVLM-256M-Instruct: the same architecture
    # (so the same parameter count), with SmolVLM2's video input.
    "SmolVLM2-256M": dict(
        hub_id="HuggingFaceTB/SmolVLM2-256M-Video-Instruct",
        kind="smolvlm",
        text=_SMOLLM2_135M,
        vision=_SIGLIP_BASE_512,
        scale_factor=4,
        image_token_id=49190,
        processor=_PROCESSOR_512,
        video_processor=_VIDEO_PROCESSOR_512,
        parameters=256_484_928,
    ),
    "SmolVLM-500M": dict(
        hub_id="HuggingFaceTB/SmolVLM-500M-Instruct",
        text=dict(
            hidden_size=960,
            intermediate_size=2560,
            num_hidden_layers=32,
            num_attention_heads=15,
            num_key_value_heads=5,
            vocab_size=49280,
            rope_theta=100000.0,
            max_position_embeddings=8192,
            tie_word_embeddings=False,
        ),
        vision=_SIGLIP_BASE_512,
        scale_factor=4,
        image_token_id=49190,
        processor=_PROCESSOR_512,
        parameters=507_482_304,
    ),
    "SmolVLM-Instruct": dict(
        hub_id="HuggingFaceTB/SmolVLM-Instruct",
        text=dict(
            hidden_size=2048,
            intermediate_size=8192,
            num_hidden_layers=24,
            num_attention_heads=32,
            num_key_value_heads=32,
            vocab_size=49155,
            rope_theta=273768.0,
            max_position_embeddings=16384,
            tie_word_embeddings=False,
        ),
        vision=dict(
            hidden_size=1152,
            intermediate_size=4304,
            num_hidden_layers=27,
            num_attention_heads=16,
            image_size=384,
            patch_size=14,
        ),
        scale_factor=3,
        image_token_id=49153,
        processor=dict(
            size={"longest_edge": 1536},
            max_image_size={"longest_edge": 384},
            do_image_splitting=True,
        ),
        parameters=2_246_272_880,
    ),
}


def shape_spec(name: str) -> dict[str, Any]:
    """The spec of one real shape; a clear error names the known shapes."""
    if name not in REAL_SHAPES:
        raise KeyError(f"Unknown real shape {name!r}; choose one of {sorted(REAL_SHAPES)}.")
    return REAL_SHAPES[name]


def model_classes(name: str) -> tuple[type, type, type]:
    """(config, vision config, model) classes of a real shape's kind."""
    return MODEL_CLASSES[shape_spec(name).get("kind", "idefics3")]


def image_seq_len(name: str) -> int:
    """`<image>` tokens per tile: patches per side squared, shrunk by the pixel shuffle."""
    spec = shape_spec(name)
    patches = spec["vision"]["image_size"] // spec["vision"]["patch_size"]
    return patches**2 // spec["scale_factor"] ** 2


def real_shape_config(
    name: str, tokenizer: PreTrainedTokenizerFast | None = None
) -> Idefics3Config | SmolVLMConfig:
    """The config of a real shape; with `tokenizer`, token ids follow that tokenizer.

    The vocabulary size stays the real one, so the parameter count does not change.
    """
    spec = shape_spec(name)
    text = dict(spec["text"], rms_norm_eps=1e-5)
    image_token_id = spec["image_token_id"]
    if tokenizer is not None:
        text.update(
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
        image_token_id = tokenizer.convert_tokens_to_ids("<image>")
    config_class, vision_config_class, _ = model_classes(name)
    return config_class(
        text_config=LlamaConfig(**text),
        vision_config=vision_config_class(**spec["vision"]),
        scale_factor=spec["scale_factor"],
        image_token_id=image_token_id,
        tie_word_embeddings=spec["text"]["tie_word_embeddings"],
        pad_token_id=text.get("pad_token_id"),
    )


def count_parameters(name: str) -> int:
    """Parameters of a real shape, counted on the `meta` device (no memory is allocated)."""
    model_class = model_classes(name)[2]
    with torch.device("meta"):
        model = model_class(real_shape_config(name))
    return sum(p.numel() for p in model.parameters())


def real_shape_image_processor(name: str) -> Idefics3ImageProcessor | SmolVLMImageProcessor:
    """SmolVLM's image processor with the real resize target and tile size of `name`."""
    spec = shape_spec(name)
    if spec.get("kind") == "smolvlm":
        return SmolVLMImageProcessor(**spec["processor"])
    return Idefics3ImageProcessor(**spec["processor"])


def real_shape_processor(
    name: str, tokenizer: PreTrainedTokenizerFast | None = None
) -> Idefics3Processor | SmolVLMProcessor:
    """The full processor: real image tiling, the embedded tiny tokenizer and chat template."""
    spec = shape_spec(name)
    common = dict(
        image_processor=real_shape_image_processor(name),
        tokenizer=tokenizer if tokenizer is not None else build_tokenizer(),
        image_seq_len=image_seq_len(name),
        chat_template=CHAT_TEMPLATE,
    )
    if spec.get("kind") == "smolvlm":
        return SmolVLMProcessor(video_processor=SmolVLMVideoProcessor(**spec["video_processor"]), **common)
    return Idefics3Processor(**common)


@lru_cache(maxsize=8)
def image_tokens_per_image(name: str, width: int, height: int) -> int:
    """`<image>` tokens the real processor spends on one `width` x `height` image.

    Runs the real image processor on a blank image and counts the tiles it returns (the split
    tiles plus the global view), each worth `image_seq_len(name)` tokens.
    """
    blank = Image.fromarray(np.zeros((height, width, 3), dtype=np.uint8))
    pixels = real_shape_image_processor(name)(images=[[blank]], return_tensors="pt")
    return pixels["pixel_values"].shape[1] * image_seq_len(name)


@torch.no_grad()
def silence_unknown_tokens(model, known: int) -> None:
    """Zero the output rows of the token ids >= `known` (ids the tiny tokenizer cannot decode).

    The model keeps the real vocabulary size, but only the first `known` ids are tokens of the
    embedded tokenizer. With random weights their logits are random and those of the zeroed rows
    are 0, so greedy decoding picks tokens the tokenizer can write out: answers are text, not "".
    """
    model.get_output_embeddings().weight[known:] = 0


def build_real_shape(
    name: str,
    out_dir: str | Path,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.bfloat16,
    seed: int = 0,
    short_answers: bool = False,
) -> Path:
    """Write a loadable model folder of shape `name` with random weights; returns the folder.

    `AutoModelForImageTextToText.from_pretrained(out_dir)` and `AutoProcessor.from_pretrained`
    work offline. The tokenizer is the embedded tiny one; the model keeps the real vocabulary.
    `short_answers`: random weights never write the end-of-answer token, so each answer would run to
    `max_new_tokens`, where a real SmolVLM stops after a few words; with it, `generate` stops after the
    first word (the folder's generation config lists every word as an end token). Tests that run a
    whole lesson at a real shape use it; every code path still runs, in a fraction of the time.
    """
    out_dir = Path(out_dir)
    tokenizer = build_tokenizer()
    config = real_shape_config(name, tokenizer=tokenizer)
    torch.manual_seed(seed)
    with torch.device(device):
        model = model_classes(name)[2]._from_config(config, dtype=dtype)
    silence_unknown_tokens(model, len(tokenizer))
    for key in ("bos_token_id", "eos_token_id", "pad_token_id"):
        setattr(model.generation_config, key, getattr(tokenizer, key))
    if short_answers:
        special = set(tokenizer.all_special_ids)
        words = [index for index in range(len(tokenizer)) if index not in special]
        model.generation_config.eos_token_id = [tokenizer.eos_token_id, *words]
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    real_shape_processor(name, tokenizer=tokenizer).save_pretrained(out_dir)
    return out_dir
