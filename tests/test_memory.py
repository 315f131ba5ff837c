"""The memory estimate against the token table of benchmarks/RESULTS.md and the real-shape parameter
counts: SmolVLM architectures built on the `meta` device (no memory, no download)."""

import re
from pathlib import Path

import pytest
import torch

from course_utils.memory import GIB, T4_BYTES, estimate_training_memory, fit_report
from tools.real_shapes import REAL_SHAPES, model_classes, real_shape_config

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "RESULTS.md"
SHAPES = {
    "SmolVLM-256M": "SmolVLM-256M",
    "SmolVLM-500M": "SmolVLM-500M",
    "SmolVLM-Instruct (2.2B)": "SmolVLM-Instruct",
}
TABLE_BATCH = 8  # the table's "text activations at batch 8"


@pytest.fixture(scope="module")
def meta_models():
    models = {}
    for name in set(SHAPES.values()):
        with torch.device("meta"):
            models[name] = model_classes(name)[2](real_shape_config(name))
    return models


def token_table() -> list[tuple[str, int, float, float]]:
    """(shape, tokens per sample, activations GiB, checkpointed GiB) from RESULTS.md section e."""
    rows = []
    for line in RESULTS.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0] in SHAPES:
            activations = re.match(r"([\d.]+) / ([\d.]+) GiB", cells[4])
            rows.append((SHAPES[cells[0]], int(cells[3].replace(",", "")), *map(float, activations.groups())))
    assert len(rows) == 6, rows
    return rows


def text_activations(model, tokens, checkpointing):
    estimate = estimate_training_memory(
        model, "lora", tokens, TABLE_BATCH, tiles_per_row=0, activation_checkpointing=checkpointing
    )
    return estimate.parts["activations (text model)"] / GIB


def test_text_activations_match_the_token_table(meta_models):
    for shape, tokens, plain, checkpointed in token_table():
        assert text_activations(meta_models[shape], tokens, False) == pytest.approx(plain, abs=0.006), shape
        assert text_activations(meta_models[shape], tokens, True) == pytest.approx(checkpointed, abs=0.006), (
            shape
        )


def test_weights_are_the_real_parameter_counts_at_their_precision(meta_models):
    for shape, model in meta_models.items():
        count = REAL_SHAPES[shape]["parameters"]
        bf16 = estimate_training_memory(model, "lora", 100, 1, dtype=torch.bfloat16)
        assert bf16.parts["weights (bfloat16)"] == 2 * count
        full = estimate_training_memory(model, "full", 100, 1, dtype=torch.float32)
        assert full.parts["weights (float32)"] == full.parts["gradients"] == 4 * count
        assert full.parts["AdamW moments"] == 8 * count
        qlora = estimate_training_memory(model, "qlora", 100, 1, dtype=torch.bfloat16)
        four_bit = qlora.parts["weights (4-bit linear layers)"] + qlora.parts["weights (the rest, 16-bit)"]
        assert 0.2 * 2 * count < four_bit < 0.45 * 2 * count  # most weights sit in linear layers


def test_lora_adapters_count_rank_times_in_plus_out(meta_models):
    model = meta_models["SmolVLM-256M"]
    small = estimate_training_memory(model, "lora", 100, 1, lora_rank=8).parts[
        "LoRA adapters (+ gradients, AdamW)"
    ]
    large = estimate_training_memory(model, "lora", 100, 1, lora_rank=32).parts[
        "LoRA adapters (+ gradients, AdamW)"
    ]
    assert large == 4 * small
    # SmolVLM-256M at rank 32 on all seven projections (vision q/k/v too): 11.5M adapter weights
    assert 10e6 < large / 16 < 12.5e6
    # lesson 2's summary: LoRA trains "about 4% on SmolVLM-256M"
    import nbformat

    lesson = nbformat.read(
        str(RESULTS.parents[1] / "notebooks" / "en" / "02_vlm_finetuning.ipynb"), as_version=4
    )
    prose = "\n".join(cell.source for cell in lesson.cells if cell.cell_type == "markdown")
    claimed = int(re.search(r"about\s+(\d+)% on SmolVLM-256M", prose).group(1))
    assert round(100 * (large / 16) / REAL_SHAPES["SmolVLM-256M"]["parameters"]) == claimed
    # and its saved adapters: "about 46 MB for SmolVLM-256M at rank 32 in fp32"
    megabytes = int(re.search(r"about (\d+) MB for SmolVLM-256M at rank 32 in fp32", prose).group(1))
    assert round(large / 16 * 4 / 1e6) == megabytes


def test_the_verdicts_a_colab_learner_needs():
    with torch.device("meta"):
        small = model_classes("SmolVLM-256M")[2](real_shape_config("SmolVLM-256M"))
        large = model_classes("SmolVLM-Instruct")[2](real_shape_config("SmolVLM-Instruct"))
    # the Colab recipe: 256M, LoRA, 2x2 tiles + 1 (5 x 64 image tokens and the question), batch 8
    colab = estimate_training_memory(small, "lora", 400, 8, tiles_per_row=5, dtype=torch.float16)
    assert colab.fits(T4_BYTES) and colab.total < 8 * GIB
    # full fine-tuning of the 2.2B model with fp32 master weights on a T4: weights alone are 9 GB
    full = estimate_training_memory(large, "full", 100, 8, tiles_per_row=1, dtype=torch.float32)
    assert not full.fits(T4_BYTES)
    # the default token budget (17 tiles) at batch 16 without checkpointing does not fit either
    greedy = estimate_training_memory(
        small, "lora", 1144, 16, tiles_per_row=17, activation_checkpointing=False
    )
    assert not greedy.fits(T4_BYTES)
    report = fit_report(greedy)
    assert "does NOT fit" in report and "image splitting" in report and "total (estimate)" in report
    assert "fits on" in fit_report(colab)
    # more tokens, larger batches and no checkpointing all cost memory
    assert (
        estimate_training_memory(small, "lora", 800, 8).total
        > estimate_training_memory(small, "lora", 400, 8).total
    )
    assert estimate_training_memory(small, "lora", 400, 16).total > colab.total


def test_bad_arguments_are_named():
    with torch.device("meta"):
        model = model_classes("SmolVLM-256M")[2](real_shape_config("SmolVLM-256M"))
    with pytest.raises(ValueError, match="method must be one of"):
        estimate_training_memory(model, "qlorra", 100, 1)
    with pytest.raises(ValueError, match="at least 1"):
        estimate_training_memory(model, "lora", 0, 1)
