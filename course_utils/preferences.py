"""Preference optimisation (DPO): pairs built from the model's own mistakes, trl's `DPOConfig` /
`DPOTrainer` with LoRA, and the reward accuracy it logs."""

from __future__ import annotations

import random
from inspect import signature

import torch

from course_utils.evaluation import evaluate, exact_match, logged
from course_utils.i18n import message, render
from course_utils.training import lora_config, precision_flags

NO_PREFERENCE_PAIRS = message(
    "preferences.no_preference_pairs", "No preference pairs: build them with make_preference_rows first."
)
NO_REWARD_ACCURACY = message(
    "preferences.no_reward_accuracy", "No 'rewards/accuracies' in the log: did DPO training run and log?"
)


def _different_answer(answer: str, pool: list[str], rng) -> str:
    """A plausible wrong answer: another answer of the same sort (number or word) from `pool`."""
    numeric = answer.strip().isdigit()
    candidates = sorted({a for a in pool if a != answer and a.strip().isdigit() == numeric})
    if candidates:
        return rng.choice(candidates)
    # a rejected answer the model is trained on, not a text for the learner: it stays English
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
    image_key = columns.get("image_key", signature(evaluate).parameters["image_key"].default)
    preference_rows, mistakes = [], 0
    for index, (question, target, predicted) in enumerate(zip(scored.questions, targets, predictions)):
        image = dataset[index][image_key]  # the picture asked about, read again from the dataset
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
        raise ValueError(render(NO_PREFERENCE_PAIRS))
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
        raise ValueError(render(NO_REWARD_ACCURACY))
    tail = values[-last:]
    return sum(tail) / len(tail)
