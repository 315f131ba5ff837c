"""Fine-tuning SmolVLM: the presets of `run_sft` (full / LoRA / QLoRA SFT, DPO) and DPO pairs.

The presets build the same trl objects the lessons have the learner write: `SFTConfig` with
`assistant_only_loss=True` (trl swaps in its `smolvlm_training.jinja`, so only the answer is in the
loss), `LoraConfig`, `SFTTrainer`, `DPOConfig`, `DPOTrainer`. `VisionSFTCollator` / `mask_prompt_labels`
are the course's own answer-only masking, kept for teaching the tiny model (`tools/teaching.py`) and as
the reference trl is compared with in the tests and benchmarks.
Evaluation and plots live in `course_utils.evaluation`. Importing this module also gives every
trainer created in a notebook `TrainingProgress`, transformers' notebook bar without its loss table.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass

import torch
from transformers import trainer as trainer_module
from transformers.utils.notebook import NotebookProgressCallback, NotebookTrainingTracker

from course_utils.evaluation import evaluate, exact_match, logged
from course_utils.image_tokens import set_token_budget
from course_utils.recipes import METHODS, recipe_for


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

IGNORE_INDEX = -100
ASSISTANT_HEADER = "\nAssistant:"
END_OF_UTTERANCE = "<end_of_utterance>"


def _find_subsequence(ids: list[int], pattern: list[int], start: int) -> int:
    """Index of the first occurrence of `pattern` in `ids` at or after `start`, or -1."""
    width = len(pattern)
    for index in range(start, len(ids) - width + 1):
        if ids[index : index + width] == pattern:
            return index
    return -1


def answer_spans(ids: list[int], tokenizer) -> list[tuple[int, int]]:
    """(start, end) of every assistant answer in a token sequence, its <end_of_utterance> included.

    An answer starts right after "\nAssistant:" and ends after the next <end_of_utterance> (or at
    the end of the sequence). These are the only tokens `mask_prompt_labels` keeps in the loss.
    """
    header = tokenizer.encode(ASSISTANT_HEADER, add_special_tokens=False)
    end_id = tokenizer.convert_tokens_to_ids(END_OF_UTTERANCE)
    spans = []
    position = _find_subsequence(ids, header, 0)
    while position != -1:
        start = position + len(header)
        end = ids.index(end_id, start) + 1 if end_id in ids[start:] else len(ids)
        spans.append((start, end))
        position = _find_subsequence(ids, header, end)
    return spans


def mask_prompt_labels(input_ids: torch.Tensor, attention_mask: torch.Tensor, tokenizer) -> torch.Tensor:
    """Labels that keep only assistant answers (and their end-of-utterance); the rest is -100.

    System and user text, every image token and padding get IGNORE_INDEX, so the loss teaches the
    model to answer, not to repeat the prompt or predict image placeholders.
    """
    labels = torch.full_like(input_ids, IGNORE_INDEX)
    for row, ids in enumerate(input_ids.tolist()):
        for start, end in answer_spans(ids, tokenizer):
            labels[row, start:end] = input_ids[row, start:end]
    labels[attention_mask == 0] = IGNORE_INDEX
    return labels


class VisionSFTCollator:
    """Turn trl-style rows (`messages` with `{"type": "image"}` placeholders + `images`) into a batch.

    `images_kwargs` go to the image processor, e.g. `{"do_image_splitting": False}` to spend fewer
    tokens per picture.
    """

    def __init__(self, processor, images_kwargs: dict | None = None):
        self.processor = processor
        self.images_kwargs = dict(images_kwargs or {})

    def __call__(self, examples: list[dict]) -> dict:
        texts = [
            self.processor.apply_chat_template(example["messages"], tokenize=False) for example in examples
        ]
        images = [list(example["images"]) for example in examples]
        batch = self.processor(
            text=texts,
            images=images if any(images) else None,
            return_tensors="pt",
            padding=True,
            padding_side="right",
            **self.images_kwargs,
        )
        batch["labels"] = mask_prompt_labels(
            batch["input_ids"], batch["attention_mask"], self.processor.tokenizer
        )
        return batch


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
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
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
            raise ValueError(
                "QLoRA needs a 4-bit model: load it with load_vlm(..., quantization='4bit') "
                "(and reload it if it already ran generate())."
            )
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=recipe.sft_config.activation_checkpointing
        )
    return get_peft_model(model, recipe.lora_config)


def trainable_summary(model) -> str:
    """ "trainable 123,456 of 1,234,567 parameters (10.0%)"."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return f"trainable {trainable:,} of {total:,} parameters ({trainable / total:.1%})"


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
        raise ValueError("The training dataset is empty: nothing to fine-tune on.")
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


# --------------------------------------------------------------------------- preference optimisation (DPO)


def _different_answer(answer: str, pool: list[str], rng) -> str:
    """A plausible wrong answer: another answer of the same sort (number or word) from `pool`."""
    numeric = answer.strip().isdigit()
    candidates = sorted({a for a in pool if a != answer and a.strip().isdigit() == numeric})
    if candidates:
        return rng.choice(candidates)
    return str(int(answer) + 1) if numeric else f"not {answer}"


def make_preference_rows(
    model, processor, dataset, seed: int = 0, progress: bool = True, **columns
) -> tuple[list[dict], float]:
    """DPO pairs built from the model's own mistakes; returns (rows, share of real mistakes).

    chosen = the correct answer; rejected = what the model answered when it was wrong, otherwise a
    perturbed answer of the same sort. Rows use trl's conversational vision format. `columns` name
    the dataset's columns as for `evaluate` (`image_key=`, `question_key=`, `answer_key=`).
    """
    rng = random.Random(seed)
    scored = evaluate(model, processor, dataset, progress=progress, **columns)
    targets, predictions = scored.targets, scored.predictions
    preference_rows, mistakes = [], 0
    for image, question, target, predicted in zip(scored.images, scored.questions, targets, predictions):
        wrong = bool(predicted) and not exact_match(predicted, target)
        mistakes += wrong
        rejected = predicted if wrong else _different_answer(target, targets, rng)
        preference_rows.append(
            {
                "images": [image],
                "prompt": [
                    {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]}
                ],
                "chosen": [{"role": "assistant", "content": [{"type": "text", "text": target}]}],
                "rejected": [{"role": "assistant", "content": [{"type": "text", "text": rejected}]}],
            }
        )
    return preference_rows, mistakes / scored.n


def dpo_config(
    output_dir: str = "build/dpo",
    max_steps: int = 40,
    learning_rate: float = 1e-3,
    beta: float = 0.1,
    sft_weight: float = 0.0,
    batch_size: int = 8,
    seed: int = 0,
    device: str | None = None,
    **overrides,
):
    """trl DPOConfig for LoRA-DPO on the current device (no truncation, no dataset pre-pass).

    `sft_weight` > 0 adds trl's "sft" loss (the negative log-likelihood of the chosen answer, as in
    RPO) to the DPO ("sigmoid") loss with that weight; 0 (the default) is plain DPO. Plain DPO can
    win every pair by making the rejected answers unlikely without making the chosen ones likely.
    """
    from trl import DPOConfig

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    losses = {"loss_type": ["sigmoid", "sft"], "loss_weights": [1.0, sft_weight]} if sft_weight else {}
    config = dict(
        output_dir=output_dir,
        max_steps=max_steps,
        per_device_train_batch_size=batch_size,
        learning_rate=learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=max(1, max_steps // 10),
        beta=beta,
        max_length=None,
        logging_steps=max(1, max_steps // 20),
        save_strategy="no",
        report_to="none",
        remove_unused_columns=False,
        activation_checkpointing=device.startswith("cuda"),
        seed=seed,
        **losses,
        **precision_flags(device),
    )
    config.update(overrides)
    return DPOConfig(**config)


def train_dpo(model, processor, preference_rows, config, lora_rank: int = 16):
    """LoRA-DPO with trl's DPOTrainer (the frozen base, adapters off, is the reference model)."""
    from datasets import Dataset
    from trl import DPOTrainer

    if not preference_rows:
        raise ValueError("No preference pairs: build them with make_preference_rows first.")
    trainer = DPOTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list(preference_rows),
        processing_class=processor,
        peft_config=lora_config(lora_rank),
    )
    trainer.train()
    return trainer


def reward_accuracy(log_history: list[dict], last: int = 3) -> float:
    """Mean DPO reward accuracy (chosen beats rejected) over the last `last` logged steps."""
    values = [value for _, value in logged(log_history, "rewards/accuracies")]
    if not values:
        raise ValueError("No 'rewards/accuracies' in the log: did DPO training run and log?")
    tail = values[-last:]
    return sum(tail) / len(tail)
