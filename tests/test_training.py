"""Fine-tuning on the embedded model: LoRA/QLoRA/full SFT raise accuracy, DPO learns preferences.

The slow tests measure learning and start from the embedded model (`load_vlm("tiny")`); the plumbing
tests (which weights train, refusals, dtypes, preference rows) use random-weight tiny models.

The LoRA test runs lesson 2's own defaults (read from its parameters cell) and asserts thresholds
with a margin below the minimum measured over 3 seeds and every CPU kernel (benchmarks/RESULTS.md).
"""

from pathlib import Path

import pytest
import torch

from course_utils.dataset_checks import DatasetError
from course_utils.evaluation import evaluate, exact_match
from course_utils.formatting import format_dataset
from course_utils.image_tokens import set_token_budget
from course_utils.loading import load_vlm
from course_utils.preferences import dpo_config, make_preference_rows, reward_accuracy, train_dpo
from course_utils.synthetic_data import (
    QUICK_CHART_KINDS,
    chart_question_kind,
    make_chartqa_splits,
    make_shape_positions,
)
from course_utils.training import finetune, sft_recipe
from tools.notebooks import parameter_values

LESSON_2 = Path(__file__).resolve().parents[1] / "notebooks" / "en" / "02_vlm_finetuning.ipynb"
SEED = 11  # not one of the benchmark's seeds 0-4


@pytest.fixture(scope="module")
def lesson():
    return parameter_values(LESSON_2)


@pytest.fixture(scope="module")
def charts(lesson):
    sizes = lesson["N_TRAIN"], lesson["N_TEST"]
    return make_chartqa_splits(*sizes, seed=SEED, kinds=QUICK_CHART_KINDS)


@pytest.fixture(scope="module")
def chart_rows(charts):
    return format_dataset(charts["train"])


def _before_and_after(method, charts, chart_rows, steps, tmp_path):
    quantization = "4bit" if method == "qlora" else None
    model, processor = load_vlm("tiny", quantization=quantization)
    set_token_budget(processor, image_splitting=False)
    before = evaluate(model, processor, charts["test"], progress=False)
    if quantization:  # a 4-bit model that ran generate() must be reloaded before training
        model, processor = load_vlm("tiny", quantization=quantization)
    recipe = sft_recipe(
        method, output_dir=str(tmp_path), max_steps=steps, batch_size=16, seed=SEED, disable_tqdm=True
    )
    trainer = finetune(model, processor, chart_rows, recipe)
    after = evaluate(trainer.model, trainer.processing_class, charts["test"], progress=False)
    return before, after, trainer


@pytest.mark.slow  # the solved lesson 2 trains the same way in every environment
def test_lora_sft_teaches_chart_questions_with_the_lessons_defaults(lesson, charts, chart_rows, tmp_path):
    before, after, trainer = _before_and_after("lora", charts, chart_rows, lesson["STEPS"], tmp_path)
    assert before.exact <= 0.10, f"the task is not new to the model: {before}"
    kinds = after.accuracy_by(chart_question_kind)
    # Issue 9's targets, well below the minimum over seeds 0-4 x default/avx2/avx512
    # (benchmarks/RESULTS.md: after >= 99%, worst kind >= 97%, >= 59 points above the majority baseline).
    assert after.exact >= 0.85, f"LoRA reached only {after}, per kind {kinds}"
    assert min(kinds.values()) >= 0.75, kinds
    assert after.exact >= after.majority_baseline + 0.40, (after.exact, after.majority_baseline)
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    assert losses[-1] < losses[0] / 3
    trainable = [name for name, p in trainer.model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in name for name in trainable)


@pytest.mark.slow  # the matrix loads 4- and 8-bit models in tests/test_loading.py
def test_qlora_trains_a_4bit_model_and_improves(lesson, charts, chart_rows, tmp_path):
    before, after, trainer = _before_and_after("qlora", charts, chart_rows, lesson["STEPS"], tmp_path)
    assert any(type(m).__name__ == "Linear4bit" for m in trainer.model.modules())
    print(f"QLoRA: {before.exact:.0%} -> {after.exact:.0%} (majority baseline {after.majority_baseline:.0%})")
    assert after.exact >= before.exact + 0.3, f"QLoRA: {before.exact:.0%} -> {after.exact:.0%}"


def test_full_finetune_updates_every_weight(charts, chart_rows, tmp_path, make_random_tiny):
    model, processor = make_random_tiny("tiny")  # plumbing: any weights do, and this copy gets trained
    first = model.model.vision_model.embeddings.patch_embedding.weight.detach().clone()
    trainer = finetune(
        model,
        processor,
        chart_rows.select(range(64)),
        sft_recipe("full", output_dir=str(tmp_path), max_steps=4, batch_size=8, disable_tqdm=True),
    )
    assert all(p.requires_grad for p in trainer.model.parameters())
    # the recipe's token budget is on the trainer's processor, the caller's is left alone
    assert trainer.processing_class is not processor
    assert (
        processor.image_processor.do_image_splitting
        and not trainer.processing_class.image_processor.do_image_splitting
    )
    assert not torch.equal(first, model.model.vision_model.embeddings.patch_embedding.weight)


@pytest.mark.slow  # the solved lesson 2 trains the same way in every environment
def test_dpo_from_the_models_own_mistakes_reaches_high_reward_accuracy(charts, tmp_path):
    model, processor = load_vlm("tiny")
    set_token_budget(processor, image_splitting=False)
    rows, mistake_share = make_preference_rows(
        model, processor, charts["train"].select(range(400)), progress=False
    )
    assert mistake_share > 0.5  # the untaught model gets most chart questions wrong
    for row in rows[:20]:
        assert row["chosen"][0]["content"][0]["text"] != row["rejected"][0]["content"][0]["text"]
    trainer = train_dpo(
        model,
        processor,
        rows,
        dpo_config(output_dir=str(tmp_path), max_steps=100, batch_size=8, disable_tqdm=True),
    )
    assert reward_accuracy(trainer.state.log_history) > 0.8


def test_recipes_fit_the_device():
    recipe = sft_recipe("lora", device="cpu", max_steps=10)
    config = recipe.sft_config
    assert config.max_length is None and config.use_cpu and not config.bf16 and not config.fp16
    assert not config.gradient_checkpointing
    assert config.assistant_only_loss  # trl's own answer-only labels, as the lessons write them
    assert recipe.lora_config.r == 32 and sft_recipe("full", device="cpu").lora_config is None
    with pytest.raises(ValueError, match="method must be one of"):
        sft_recipe("prefix-tuning")
    assert dpo_config(device="cpu").loss_type == ["sigmoid"]  # plain DPO by default
    with_sft = dpo_config(device="cpu", sft_weight=0.5)
    assert with_sft.loss_type == ["sigmoid", "sft"] and with_sft.loss_weights == [1.0, 0.5]


def test_qlora_refuses_a_full_precision_model(chart_rows, tmp_path, make_random_tiny):
    model, processor = make_random_tiny("tiny")
    with pytest.raises(ValueError, match="QLoRA needs a 4-bit model"):
        finetune(
            model,
            processor,
            chart_rows.select(range(8)),
            sft_recipe("qlora", output_dir=str(tmp_path), max_steps=1),
        )


def test_bad_datasets_fail_before_training_with_row_and_column(charts, tmp_path, make_random_tiny):
    with pytest.raises(DatasetError, match="empty"):
        format_dataset(charts["train"].select([]))
    no_answer = [{"image": charts["train"][0]["image"], "query": "How many bars?", "label": []}]
    with pytest.raises(DatasetError, match="row 0.*'label'"):
        format_dataset(no_answer)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    with pytest.raises(DatasetError, match="row 0.*'image'"):
        format_dataset([{"image": str(broken), "query": "q?", "label": ["1"]}])
    with pytest.raises(DatasetError, match="no column 'image'"):
        format_dataset(charts["train"].rename_column("image", "picture").select(range(2)))
    model, processor = make_random_tiny("tiny")
    with pytest.raises(ValueError, match="empty"):
        finetune(model, processor, [], sft_recipe("lora", output_dir=str(tmp_path), max_steps=1))


def test_preference_rows_take_other_column_names_and_reject_the_models_own_answers(random_tiny):
    model, processor = random_tiny  # plumbing: rows follow whatever the model says, so random weights do
    shapes = make_shape_positions(8, seed=3)
    columns = {"image_key": "picture", "question_key": "question", "answer_key": "answer"}
    rows, mistake_share = make_preference_rows(model, processor, shapes, progress=False, **columns)
    said = evaluate(model, processor, shapes, progress=False, **columns).predictions
    assert len(rows) == 8 and 0 <= mistake_share <= 1 and all(said)
    for row, source, answer in zip(rows, shapes, said):
        assert row["images"] == [source["picture"]]
        assert row["prompt"][0]["content"][1]["text"] == source["question"]
        assert row["chosen"][0]["content"][0]["text"] == source["answer"]
        rejected = row["rejected"][0]["content"][0]["text"]
        assert rejected != source["answer"] and (exact_match(answer, source["answer"]) or rejected == answer)


def test_full_fine_tuning_of_fp16_weights_keeps_fp32_master_weights(make_random_tiny):
    """On a T4 (fp16, no bf16) torch's GradScaler refuses fp16 gradients: full fine-tuning must train
    fp32 weights under fp16 autocast, as transformers' mixed precision expects."""
    from course_utils.training import prepare_model

    model = make_random_tiny("tiny")[0].to(torch.float16)
    assert model.dtype == torch.float16
    prepared = prepare_model(model, sft_recipe("full", device="cpu"))
    assert prepared.dtype == torch.float32
    assert all(parameter.requires_grad for parameter in prepared.parameters())
