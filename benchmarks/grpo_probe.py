"""Can GRPO teach the embedded tiny SmolVLM something on a CPU? A probe for lesson 3 (issue 25).

GRPO learns only from groups whose sampled answers differ in reward. On chart questions the tiny model
never states the right number as a bare number, but it often says it in words ("two") or inside a list
("bars: 2, 3"). With a correctness reward that reads the number an answer states (words included) and
a format reward for a bare number, its sampled groups do differ, so GRPO has something to learn: say
the number as digits.

This script measures, on the lesson's quick chart questions (count, largest and smallest value):
1. before training: greedy exact match on held-out questions, and over `--group` samples per question
   (temperature 1) the share of groups whose rewards are not all equal (1 − trl's
   `frac_reward_zero_std`);
2. `--steps` steps of trl's `GRPOTrainer` with LoRA, then the held-out exact match again, the majority
   baseline, trl's logged `frac_reward_zero_std` and the wall time.

    python benchmarks/grpo_probe.py [--steps 30] [--group 4] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import re
import time

WORDS = {
    word: value for value, word in enumerate("zero one two three four five six seven eight nine ten".split())
}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def stated_number(text: str) -> float | None:
    """The one number an answer states (digits or an English number word), None if none or several."""
    text = text.strip().lower().rstrip(".")
    found = [float(match) for match in NUMBER.findall(text)]
    found += [float(WORDS[word]) for word in re.findall(r"[a-z]+", text) if word in WORDS]
    return found[0] if len(found) == 1 else None


def completion_text(completion) -> str:
    return completion[0]["content"] if isinstance(completion, list) else str(completion)


def correctness_reward(completions, label, **_) -> list[float]:
    """1 when the number stated is the answer (ChartQA's 5 % tolerance), else 0."""
    rewards = []
    for completion, target in zip(completions, label):
        value, expected = stated_number(completion_text(completion)), float(target[0])
        rewards.append(float(value is not None and abs(value - expected) <= 0.05 * max(abs(expected), 1e-9)))
    return rewards


def format_reward(completions, **_) -> list[float]:
    """0.5 for a bare number in digits, as ChartQA's answers are written."""
    return [0.5 * bool(re.fullmatch(r"-?\d+(?:\.\d+)?", completion_text(c).strip())) for c in completions]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--group", type=int, default=4, help="answers sampled per question (num_generations)")
    parser.add_argument("--questions", type=int, default=8, help="questions per step")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-test", type=int, default=100)
    args = parser.parse_args()

    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from trl import GRPOConfig, GRPOTrainer

    from course_utils.evaluation import evaluate
    from course_utils.image_tokens import set_token_budget
    from course_utils.loading import load_vlm
    from course_utils.synthetic_data import QUICK_CHART_KINDS, make_chartqa_splits

    torch.manual_seed(args.seed)
    charts = make_chartqa_splits(400, args.n_test, seed=args.seed, kinds=QUICK_CHART_KINDS)
    model, processor = load_vlm("tiny")
    set_token_budget(processor, image_splitting=False)
    before = evaluate(model, processor, charts["test"], progress=False)

    def prompt(row):
        question = [{"type": "image"}, {"type": "text", "text": row["query"]}]
        return {
            "prompt": [{"role": "user", "content": question}],
            "image": row["image"],
            "label": row["label"],
        }

    train = Dataset.from_list([prompt(row) for row in charts["train"]])
    # 1. how often a sampled group differs in reward, before any training
    differing, probed = 0, 16
    for row in train.select(range(probed)):
        question = row["prompt"][0]["content"][1]
        messages = [{"role": "user", "content": [{"type": "image", "image": row["image"]}, question]}]
        inputs = processor.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt"
        )
        with torch.inference_mode():
            out = model.generate(
                **inputs, do_sample=True, temperature=1.0, max_new_tokens=12, num_return_sequences=args.group
            )
        texts = processor.batch_decode(out[:, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
        completions = [[{"role": "assistant", "content": text.strip()}] for text in texts]
        rewards = [
            c + f
            for c, f in zip(
                correctness_reward(completions, [row["label"]] * args.group), format_reward(completions)
            )
        ]
        differing += len(set(rewards)) > 1
    config = GRPOConfig(
        output_dir="build/grpo-probe",
        max_steps=args.steps,
        per_device_train_batch_size=args.questions * args.group,  # completions per step
        num_generations=args.group,
        max_completion_length=12,
        temperature=1.0,
        learning_rate=args.lr,
        logging_steps=1,
        use_cpu=True,
        report_to="none",
        seed=args.seed,
        disable_tqdm=True,
        save_strategy="no",
    )
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[correctness_reward, format_reward],
        args=config,
        train_dataset=train,
        processing_class=processor,
        peft_config=LoraConfig(r=16, lora_alpha=32, target_modules="all-linear", task_type="CAUSAL_LM"),
    )
    started = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - started
    after = evaluate(trainer.model, processor, charts["test"], progress=False)
    logs = [entry for entry in trainer.state.log_history if "frac_reward_zero_std" in entry]
    print(
        json.dumps(
            {
                "seed": args.seed,
                "steps": args.steps,
                "group": args.group,
                "groups_differing_before": f"{differing}/{probed}",
                "exact_before": before.exact,
                "exact_after": after.exact,
                "majority_baseline": before.majority_baseline,
                "frac_reward_zero_std_first_last": (
                    [logs[0]["frac_reward_zero_std"], logs[-1]["frac_reward_zero_std"]] if logs else None
                ),
                "reward_first_last": [logs[0].get("reward"), logs[-1].get("reward")] if logs else None,
                "train_seconds": round(seconds, 1),
                "predictions_after": after.predictions[:8],
            }
        )
    )


if __name__ == "__main__":
    main()
