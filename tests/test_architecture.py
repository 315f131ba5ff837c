"""Lesson 1's architecture figure reads the loaded model's own config: the tiny model's numbers, and the
real SmolVLM sizes (DESIGN.md, model cards) on real-shape configs built on the `meta` device.

Only the config matters here, so the tiny model is the random-weight one (`random_tiny`) built from the
embedded model's own config."""

import pytest
import torch
from matplotlib.figure import Figure

from course_utils.architecture import architecture_figure, architecture_numbers
from tools.real_shapes import model_classes, real_shape_config, real_shape_processor

# Published sizes: SmolVLM-256M text 576 x 30 layers, vision 768 x 12 at 512 px / patch 16, scale 4,
# 64 tokens per tile; SmolVLM-Instruct text 2048 x 24, SigLIP 1152 x 27 at 384 px / patch 14, scale 3, 81.
REAL = {
    "SmolVLM-256M": dict(
        tile=512, patch=16, patches_per_tile=1024, scale=4, tokens_per_tile=64, text_width=576, text_layers=30
    ),
    "SmolVLM-Instruct": dict(
        tile=384, patch=14, patches_per_tile=729, scale=3, tokens_per_tile=81, text_width=2048, text_layers=24
    ),
}


def test_tiny_models_numbers_come_from_its_config(random_tiny):
    model, processor = random_tiny
    numbers = architecture_numbers(model, processor)
    vision = model.config.vision_config
    assert (numbers.tile, numbers.patch) == (vision.image_size, vision.patch_size) == (64, 8)
    assert numbers.patches_per_tile == 64 and numbers.scale == 2
    assert numbers.tokens_per_tile == processor.image_seq_len == 16
    assert sum(numbers.parameters.values()) == model.num_parameters()


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_smolvlm_sizes(name):
    with torch.device("meta"):
        model = model_classes(name)[2](real_shape_config(name))
    numbers = architecture_numbers(model, real_shape_processor(name))
    for field, expected in REAL[name].items():
        assert getattr(numbers, field) == expected, (field, getattr(numbers, field), expected)


def test_figure_shows_the_numbers(random_tiny):
    model, processor = random_tiny
    figure = architecture_figure(model, processor)
    assert isinstance(figure, Figure)
    texts = " ".join(text.get_text() for text in figure.axes[0].texts)
    assert "8×8 = 64 patches" in texts and "4×4 = 16 tokens" in texts and "128 wide, 2 layers" in texts


def test_a_model_without_pixel_shuffle_is_refused(random_tiny):
    _, processor = random_tiny
    with pytest.raises(ValueError, match="not a SmolVLM"):
        architecture_numbers(torch.nn.Linear(2, 2), processor)
