"""Cheap CPU checks of the benchmark helpers: collators, throughput, MFU, token costs and the table.

No timed assertions: figures must only be positive and consistent, the arithmetic exact.
"""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_table  # noqa: E402
import bench_tokens  # noqa: E402
import bench_training  # noqa: E402

from course_utils.masking import IGNORE_INDEX, VisionSFTCollator  # noqa: E402


@pytest.fixture(scope="module")
def chart_rows():
    return bench_training.chart_rows(4)


@pytest.fixture()
def processor():
    from course_utils.loading import load_vlm

    return load_vlm("tiny")[1]


def test_cookbook_collator_keeps_prompt_and_image_tokens_in_the_loss(processor, chart_rows):
    rows = [chart_rows[index] for index in range(2)]
    image_id = processor.tokenizer.convert_tokens_to_ids("<image>")
    cookbook = bench_training.cookbook_collator(processor)(rows)
    course = VisionSFTCollator(processor)(rows)
    real = cookbook["attention_mask"] == 1
    assert (cookbook["labels"][real] == cookbook["input_ids"][real]).all()  # only padding masked
    assert (cookbook["labels"] == image_id).any()
    assert not (course["labels"] == image_id).any()
    assert (course["labels"] != IGNORE_INDEX).sum() < (cookbook["labels"] != IGNORE_INDEX).sum() / 3


def test_throughput_of_a_few_tiny_steps_is_positive():
    figures = bench_training.measure("course-lora", "course", "tiny", steps=3, batch_size=2, warmup=1)
    assert figures["samples_per_s"] > 0 and figures["tokens_per_s"] > 0
    assert 0 < figures["loss_token_share"] < 0.5
    assert figures["tokens_per_image"] < figures["tokens_per_sample"]
    assert figures["peak_memory_mib"] > 0
    assert figures["mfu"] is None  # no GPU peak to divide by on CPU


def test_cookbook_own_defaults_split_images_and_train_on_every_token():
    figures = bench_training.measure("cookbook", "own", "tiny", steps=3, batch_size=2, warmup=1)
    assert figures["loss_token_share"] == 1.0
    lora = bench_training.measure("course-lora", "course", "tiny", steps=3, batch_size=2, warmup=1)
    assert figures["tokens_per_image"] > 3 * lora["tokens_per_image"]


def test_step_timer_needs_steps_after_the_warm_up():
    with pytest.raises(RuntimeError, match="warm-up"):
        _ = bench_training.StepTimer(warmup=5).seconds


def test_mfu_formula_on_known_numbers():
    # 1e9 parameters at 50,000 tokens/s: 6 * 1e9 * 5e4 = 3e14 FLOP/s, a third of 9e14.
    assert bench_training.model_flops_utilisation(10**9, 50_000, 9e14) == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    "name, peak",
    [
        ("NVIDIA H100 80GB HBM3", 989e12),
        ("NVIDIA H100 PCIe", 756e12),
        ("NVIDIA A100-SXM4-40GB", 312e12),
        ("Tesla T4", 65e12),
        ("Some Future GPU", None),
    ],
)
def test_peak_flops_are_detected_by_gpu_name(name, peak):
    assert bench_training.peak_flops_for(name) == peak


def test_peak_flops_override_wins():
    assert bench_training.peak_flops_for("Tesla T4", override=1e15) == 1e15


def test_activation_estimate_scales_and_checkpointing_saves_memory():
    plain = bench_tokens.activation_gib(1024, 8, 2048, 24, checkpointing=False)
    assert plain == pytest.approx(1024 * 8 * 2048 * 34 * 24 / 2**30)
    assert bench_tokens.activation_gib(2048, 8, 2048, 24, False) == pytest.approx(2 * plain)
    assert bench_tokens.activation_gib(1024, 8, 2048, 24, checkpointing=True) < plain / 5


def test_splitting_costs_more_tokens_per_sample(processor):
    with_split = bench_tokens.sample_tokens(processor, splitting=True)
    without = bench_tokens.sample_tokens(processor, splitting=False)
    assert with_split[0] > without[0] and with_split[1] > without[1]
    assert processor.image_processor.do_image_splitting  # the caller's processor is left alone


def test_table_renders_text_markdown_and_json(tmp_path):
    rows = [
        bench_table.Row("c. training", "course QLoRA samples/s", 12.3456, "samples/s", "note"),
        bench_table.Row("c. training", "MFU", None),
        bench_table.Row("e. tokens", "per image", 1088),
    ]
    text = bench_table.render_text(rows)
    assert "12.3" in text and "n/a" in text and "1,088" in text
    header, rule = text.splitlines()[:2]
    assert header.split() == list(bench_table.COLUMNS) and set(rule.replace(" ", "")) == {"-"}
    assert [len(dashes) for dashes in rule.split()][:2] == [len("c. training"), len("course QLoRA samples/s")]
    markdown = bench_table.render_markdown(rows)
    assert [cell.strip(" -") for cell in markdown.splitlines()[1].split("|")] == [""] * 7  # a rule, 5 columns
    assert len(markdown.splitlines()) == 2 + len(rows)
    json_path, markdown_path = bench_table.write_tables(rows, tmp_path, {"cpu": "test"})
    saved = json.loads(json_path.read_text())
    assert saved["meta"] == {"cpu": "test"} and saved["rows"][2]["value"] == 1088
    assert "- cpu: test" in markdown_path.read_text()


def test_run_all_defaults_follow_the_profile():
    import run_all

    tiny = run_all.parse_arguments(["--skip-suite"])
    assert tiny.profile == "tiny" and tiny.steps == 10 and tiny.skip_suite
    real = run_all.parse_arguments(["--profile", "real", "--steps", "30"])
    assert real.steps == 30 and real.video_seconds == 600
