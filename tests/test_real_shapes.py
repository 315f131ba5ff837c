"""The real-shape profile: exact SmolVLM parameter counts and image-token costs, offline."""

import pytest
import torch
from PIL import Image
from transformers import AutoModelForImageTextToText, AutoProcessor

from tools.real_shapes import (
    REAL_SHAPES,
    build_real_shape,
    count_parameters,
    image_seq_len,
    image_tokens_per_image,
    real_shape_config,
    real_shape_processor,
    silence_unknown_tokens,
)
from tools.tiny import build_tokenizer

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


def test_smolvlm2_256m_is_the_256m_architecture_with_video_input():
    config = real_shape_config("SmolVLM2-256M")
    assert config.model_type == "smolvlm"
    assert config.to_dict()["text_config"] == real_shape_config("SmolVLM-256M").to_dict()["text_config"]
    assert count_parameters("SmolVLM2-256M") == HUB_PARAMETERS["SmolVLM-256M"]
    processor = real_shape_processor("SmolVLM2-256M")
    assert type(processor).__name__ == "SmolVLMProcessor"
    assert processor.video_processor.max_image_size == {"longest_edge": 512}  # one tile per frame
    assert processor.image_seq_len == 64


def test_silence_unknown_tokens_makes_greedy_decoding_pick_known_ids():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=500, hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2
        )
    )
    silence_unknown_tokens(model, known=40)
    weight = model.get_output_embeddings().weight
    assert weight.shape[0] == 500 and not weight[40:].any() and weight[:40].abs().sum(dim=1).all()
    with torch.no_grad():
        logits = model(input_ids=torch.randint(0, 40, (4, 12))).logits
    assert (logits.argmax(dim=-1) < 40).all()


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
        ("SmolVLM2-256M", 640, 480, 13 * 64),  # the same image processor
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


@pytest.mark.slow
@pytest.mark.parametrize("short_answers", [False, True])
def test_short_answers_stop_after_the_first_word(tmp_path, short_answers):
    out = build_real_shape("SmolVLM-256M", tmp_path / "smolvlm-256m", short_answers=short_answers)
    model = AutoModelForImageTextToText.from_pretrained(out, dtype=torch.float32)
    processor = AutoProcessor.from_pretrained(out)
    processor.tokenizer.padding_side = "left"
    inputs = processor(text=["User: hello", "User: what is it?"], padding=True, return_tensors="pt")
    output = model.generate(**inputs, max_new_tokens=8, do_sample=False)
    new = output[:, inputs["input_ids"].shape[1] :]
    words = processor.batch_decode(new, skip_special_tokens=True)
    assert all(word.strip() for word in words), words  # text, not ""
    assert new.shape[1] == (1 if short_answers else 8), words  # random weights never end by themselves
