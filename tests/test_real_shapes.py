"""The real-shape profile: exact SmolVLM parameter counts and image-token costs, offline."""

import pytest
import torch
from PIL import Image
from transformers import AutoModelForImageTextToText, AutoProcessor

from course_utils.real_shapes import (
    REAL_SHAPES,
    build_real_shape,
    count_parameters,
    image_seq_len,
    image_tokens_per_image,
    real_shape_config,
    real_shape_processor,
)
from course_utils.tiny import build_tokenizer

# Published sizes of the Hub checkpoints (safetensors metadata of each model page).
HUB_PARAMETERS = {
    "SmolVLM-256M": 256_484_928,
    "SmolVLM-500M": 507_482_304,
    "SmolVLM-Instruct": 2_246_272_880,
}


@pytest.mark.parametrize("name", sorted(HUB_PARAMETERS))
def test_parameter_count_matches_the_hub_checkpoint(name):
    assert count_parameters(name) == HUB_PARAMETERS[name]
    assert REAL_SHAPES[name]["parameters"] == HUB_PARAMETERS[name]


def test_tokens_per_tile():
    assert image_seq_len("SmolVLM-256M") == 64
    assert image_seq_len("SmolVLM-500M") == 64
    assert image_seq_len("SmolVLM-Instruct") == 81


def test_config_carries_the_real_sizes():
    config = real_shape_config("SmolVLM-Instruct")
    assert config.text_config.hidden_size == 2048
    assert config.text_config.num_hidden_layers == 24
    assert config.vision_config.hidden_size == 1152
    assert config.vision_config.num_hidden_layers == 27
    assert config.scale_factor == 3
    assert config.image_token_id == 49153
    assert not config.tie_word_embeddings


def test_config_with_tokenizer_uses_its_token_ids():
    tokenizer = build_tokenizer()
    config = real_shape_config("SmolVLM-256M", tokenizer=tokenizer)
    assert config.image_token_id == tokenizer.convert_tokens_to_ids("<image>")
    assert config.text_config.eos_token_id == tokenizer.eos_token_id
    assert config.text_config.vocab_size == 49280


def test_unknown_shape_names_the_known_ones():
    with pytest.raises(KeyError, match="SmolVLM-256M"):
        count_parameters("SmolVLM-7B")


@pytest.mark.parametrize(
    "name, width, height, tokens",
    [
        ("SmolVLM-256M", 2048, 2048, 17 * 64),  # 4 x 4 tiles of 512 px + the global view
        ("SmolVLM-256M", 512, 512, 17 * 64),  # upscaled to the 2048 px longest edge first
        ("SmolVLM-256M", 640, 480, 13 * 64),  # 2048 x 1536: 4 x 3 tiles + global
        ("SmolVLM-Instruct", 384, 384, 17 * 81),  # 1536 px: 4 x 4 tiles of 384 px + global
        ("SmolVLM-Instruct", 3000, 1000, 9 * 81),  # 1536 x 512: 4 x 2 tiles + global
    ],
)
def test_image_tokens_per_image(name, width, height, tokens):
    assert image_tokens_per_image(name, width, height) == tokens


@pytest.mark.parametrize("name, width, height", [("SmolVLM-Instruct", 640, 480)])
def test_image_tokens_match_the_full_processor(name, width, height):
    processor = real_shape_processor(name)
    image_id = processor.tokenizer.convert_tokens_to_ids("<image>")
    ids = processor(text="User:<image>What is it?", images=[Image.new("RGB", (width, height))])
    assert ids["input_ids"][0].count(image_id) == image_tokens_per_image(name, width, height)


@pytest.mark.slow
def test_build_256m_folder_loads_offline(tmp_path):
    out = build_real_shape("SmolVLM-256M", tmp_path / "smolvlm-256m")
    model = AutoModelForImageTextToText.from_pretrained(out)
    processor = AutoProcessor.from_pretrained(out)
    assert sum(p.numel() for p in model.parameters()) == HUB_PARAMETERS["SmolVLM-256M"]
    assert model.dtype == torch.bfloat16

    image_id = processor.tokenizer.convert_tokens_to_ids("<image>")
    assert model.config.image_token_id == image_id
    batch = processor(text="User:<image>Hi", images=[Image.new("RGB", (512, 512))])
    assert batch["input_ids"][0].count(image_id) == 1088
    assert len(batch["pixel_values"][0]) == 17

    with torch.no_grad():
        logits = model(**processor(text="User: hello", return_tensors="pt")).logits
    assert logits.shape[-1] == 49280
    assert torch.isfinite(logits).all()
