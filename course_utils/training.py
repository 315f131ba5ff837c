"""Fine-tuning SmolVLM with SFT: the presets of `run_sft` (full / LoRA / QLoRA) and `finetune`.

The presets build the same trl objects the lessons have the learner write: `SFTConfig` with
`assistant_only_loss=True` (trl swaps in its `smolvlm_training.jinja`, so only the answer is in the
loss), `LoraConfig`, `SFTTrainer`. DPO lives in `course_utils.preferences`, the course's own answer-only
masking in `course_utils.masking`, evaluation and plots in `course_utils.evaluation`. Importing this
module also gives every trainer created in a notebook `TrainingProgress`, transformers' notebook bar
without its loss table.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from transformers import trainer as trainer_module
from transformers.utils.notebook import NotebookProgressCallback, NotebookTrainingTracker

from course_utils.i18n import message, render
from course_utils.image_tokens import set_token_budget
from course_utils.recipes import METHODS, recipe_for

UNKNOWN_METHOD = message("training.unknown_method", "method must be one of {methods}, got {method!r}.")
QLORA_NEEDS_4BIT = message(
    "training.qlora_needs_4bit",
    "QLoRA needs a 4-bit model: load it with load_vlm(..., quantization='4bit') "
    "(and reload it if it already ran generate()).",
)
TRAINABLE_SUMMARY = message(
    "training.trainable_summary", "trainable {trainable:,} of {total:,} parameters ({share:.1%})"
)
EMPTY_TRAINING_SET = message(
    "training.empty_training_set", "The training dataset is empty: nothing to fine-tune on."
)


class TrainingProgress(NotebookProgressCallback):
    """transformers' notebook progress bar for training, without its table of logged losses.

    The bar already updates one display, so a saved notebook keeps it finished; the table (a row per
    logged loss) would duplicate the loss curves the lessons plot from `trainer.state.log_history`.
    """

    def on_train_begin(self, args, state, control, **kwargs):
        self.training_tracker = NotebookTrainingTracker(state.max_steps)  # no column names: no table

    def on_log(self, args, state, control, logs=None, **kwargs):
        pass  # the log stays in `state.log_history`

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        if self.training_tracker is not None:
            self.training_tracker.remove_child()  # the finished evaluation bar
            self._force_next_update = True
        self.prediction_bar = None


# transformers picks the bar when a trainer is created (trl's trainers too): from now on, this one.
if trainer_module.DEFAULT_PROGRESS_CALLBACK is NotebookProgressCallback:
    trainer_module.DEFAULT_PROGRESS_CALLBACK = TrainingProgress

# --------------------------------------------------------------------------- presets

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class Recipe:
    """Everything a fine-tuning run needs besides the model and the data."""

    method: str
    sft_config: object
    lora_config: object | None
    image_splitting: bool = False
    longest_edge: int | None = None


def lora_config(rank: int = 32):
    """LoRA adapters (alpha = 2 x rank, no dropout) on every attention and MLP projection."""
    from peft import LoraConfig

    return LoraConfig(
        r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules=LORA_TARGETS, task_type="CAUSAL_LM"
    )


def precision_flags(device: str) -> dict:
    """fp32 on CPU, fp16 on GPUs without bf16 (T4), bf16 on Ampere and newer."""
    if not device.startswith("cuda"):
        return {"use_cpu": True, "bf16": False, "fp16": False}
    bf16 = torch.cuda.is_bf16_supported(including_emulation=False)
    return {"bf16": bf16, "fp16": not bf16}


def sft_recipe(
    method: str = "lora",
    output_dir: str = "build/sft",
    max_steps: int = 60,
    learning_rate: float | None = None,
    batch_size: int = 8,
    gradient_accumulation_steps: int = 1,
    lora_rank: int = 32,
    image_splitting: bool = False,
    longest_edge: int | None = None,
    save_steps: int | None = None,
    seed: int = 0,
    device: str | None = None,
    **overrides,
) -> Recipe:
    """An SFT recipe for `method` ("full", "lora" or "qlora") chosen for the device.

    Always `max_length=None` (truncating into image tokens is an error) and no dataset preparation
    by trl (the collator tokenises); gradient checkpointing only on GPU.
    """
    from trl import SFTConfig

    if method not in METHODS:
        raise ValueError(render(UNKNOWN_METHOD, methods=METHODS, method=method))
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    on_gpu = device.startswith("cuda")
    config = dict(
        output_dir=output_dir,
        max_steps=max_steps,
        per_device_train_batch_size=batch_size,
        gradient_accumulation_steps=gradient_accumulation_steps,
        learning_rate=learning_rate
        or recipe_for("tiny", method).sft_learning_rate,  # a real model: recipe_for(its id)
        lr_scheduler_type="cosine",
        warmup_steps=max(1, max_steps // 10),
        weight_decay=0.0,
        logging_steps=max(1, max_steps // 30),
        save_strategy="steps" if save_steps else "no",
        save_steps=save_steps or max_steps,
        report_to="none",
        max_length=None,
        assistant_only_loss=True,
        remove_unused_columns=False,
        activation_checkpointing=on_gpu,
        seed=seed,
        data_seed=seed,
        dataloader_num_workers=0,
        disable_tqdm=False,
        **precision_flags(device),
    )
    config.update(overrides)
    lora = lora_config(lora_rank) if method in ("lora", "qlora") else None
    return Recipe(method, SFTConfig(**config), lora, image_splitting, longest_edge)


def prepare_model(model, recipe: Recipe):
    """Wrap `model` for the recipe: LoRA adapters (and k-bit preparation for QLoRA) or full."""
    from peft import get_peft_model, prepare_model_for_kbit_training

    if recipe.method == "full":
        if model.dtype == torch.float16:  # fp16 mixed precision keeps fp32 master weights: GradScaler
            model = model.float()  # refuses to unscale fp16 gradients
        for parameter in model.parameters():
            parameter.requires_grad_(True)
        return model
    if recipe.method == "qlora":
        if not getattr(model, "is_loaded_in_4bit", False):
            raise ValueError(render(QLORA_NEEDS_4BIT))
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=recipe.sft_config.activation_checkpointing
        )
    return get_peft_model(model, recipe.lora_config)


def trainable_summary(model) -> str:
    """ "trainable 123,456 of 1,234,567 parameters (10.0%)"."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return render(TRAINABLE_SUMMARY, trainable=trainable, total=total, share=trainable / total)


def finetune(
    model,
    processor,
    train_rows,
    recipe: Recipe,
    resume: bool | str = False,
    collator=None,
    wrap_collator=None,
):
    """Run SFT with trl's `SFTTrainer` (trl's own answer-only collator by default); returns the trainer.

    `train_rows` is a `datasets.Dataset` (or list) of `{"messages", "images"}` rows, e.g. from
    `course_utils.formatting.format_dataset`. `resume=True` continues from the last checkpoint.
    `wrap_collator(collator)` may wrap the trainer's collator (e.g. to record which rows it saw).
    The caller's processor is left as it is: the trainer's own copy (`trainer.processing_class`)
    carries the recipe's image-token budget; evaluate and save with that one.
    """
    from datasets import Dataset
    from transformers import set_seed  # like trl, it loads transformers' trainer stack (and bitsandbytes)
    from trl import SFTTrainer

    if isinstance(train_rows, list):
        train_rows = Dataset.from_list(train_rows)
    if len(train_rows) == 0:
        raise ValueError(render(EMPTY_TRAINING_SET))
    processor = copy.deepcopy(processor)
    set_token_budget(processor, recipe.image_splitting, recipe.longest_edge)
    set_seed(recipe.sft_config.seed)  # LoRA's initial weights come from the seed too
    model = prepare_model(model, recipe)
    trainer = SFTTrainer(
        model=model,
        args=recipe.sft_config,
        train_dataset=train_rows,
        processing_class=processor,
        data_collator=collator,
    )
    if wrap_collator is not None:
        trainer.data_collator = wrap_collator(trainer.data_collator)
    trainer.train(resume_from_checkpoint=resume or None)
    return trainer
