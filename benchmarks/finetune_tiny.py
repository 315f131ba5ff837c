"""Fine-tuning figures on the embedded tiny SmolVLM, on this machine's CPU.

For full fine-tuning, LoRA, QLoRA and DPO: training time, held-out exact-match accuracy before and
after on synthetic chart QA, and peak memory (each method runs in its own process so the peaks are
separate). Usage: python benchmarks/finetune_tiny.py [--steps 600] [--methods lora qlora] [--lora-lr 2e-3]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

N_TRAIN, N_TEST = 4000, 100
LEARNING_RATES = {"full": 1e-3, "lora": 2e-3, "qlora": 2e-3, "dpo": 2e-3}


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(method: str, steps: int) -> dict:
    """Train one method from the embedded model and return its figures."""
    from course_utils.evaluation import evaluate
    from course_utils.formatting import format_dataset
    from course_utils.image_tokens import set_token_budget
    from course_utils.loading import load_vlm
    from course_utils.preferences import dpo_config, make_preference_rows, reward_accuracy, train_dpo
    from course_utils.synthetic_data import QUICK_CHART_KINDS, make_chartqa_splits
    from course_utils.training import finetune, sft_recipe

    charts = make_chartqa_splits(N_TRAIN, N_TEST, seed=0, kinds=QUICK_CHART_KINDS)
    quantization = "4bit" if method == "qlora" else None
    model, processor = load_vlm("tiny", quantization=quantization)
    set_token_budget(processor, image_splitting=False)
    before = evaluate(model, processor, charts["test"], progress=False)
    figures = {"method": method, "steps": steps}
    started = time.perf_counter()
    if method == "dpo":
        rows, mistakes = make_preference_rows(
            model, processor, charts["train"].select(range(1000)), progress=False
        )
        config = dpo_config(
            output_dir="build/bench-dpo",
            max_steps=steps,
            batch_size=8,
            learning_rate=LEARNING_RATES[method],
            disable_tqdm=True,
        )
        trainer = train_dpo(model, processor, rows, config)
        figures["reward_accuracy"] = reward_accuracy(trainer.state.log_history)
        figures["mistake_share"] = mistakes
    else:
        if quantization:
            model, processor = load_vlm("tiny", quantization=quantization)
        rows = format_dataset(charts["train"])
        started = time.perf_counter()
        recipe = sft_recipe(
            method,
            output_dir=f"build/bench-{method}",
            max_steps=steps,
            batch_size=16,
            learning_rate=LEARNING_RATES[method],
            disable_tqdm=True,
        )
        trainer = finetune(model, processor, rows, recipe)
    figures["train_seconds"] = time.perf_counter() - started
    after = evaluate(trainer.model, processor, charts["test"], progress=False)
    figures.update(before=before.exact, after=after.exact, peak_rss_mib=_peak_rss_mib())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--dpo-steps", type=int, default=200)
    parser.add_argument("--methods", nargs="+", default=["full", "lora", "qlora", "dpo"])
    parser.add_argument("--lora-lr", type=float, default=LEARNING_RATES["lora"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    LEARNING_RATES["lora"] = LEARNING_RATES["qlora"] = args.lora_lr
    if args.child:
        steps = args.dpo_steps if args.child == "dpo" else args.steps
        print("RESULT " + json.dumps(measure(args.child, steps)), flush=True)
        return
    rows = []
    for method in args.methods:
        print(f"... {method}", flush=True)
        command = [
            sys.executable,
            __file__,
            "--child",
            method,
            "--lora-lr",
            str(args.lora_lr),
            "--steps",
            str(args.steps),
            "--dpo-steps",
            str(args.dpo_steps),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if not lines:
            print(done.stdout[-2000:], done.stderr[-2000:])
            continue
        rows.append(json.loads(lines[-1][len("RESULT ") :]))
    print(f"\nChart QA on the embedded tiny SmolVLM ({N_TRAIN} train / {N_TEST} held-out questions)")
    print(f"{'method':7} {'steps':>5} {'train s':>8} {'before':>7} {'after':>7} {'peak MiB':>9}  extra")
    for row in rows:
        extra = ""
        if "reward_accuracy" in row:
            extra = f"reward accuracy {row['reward_accuracy']:.2f}"
        print(
            f"{row['method']:7} {row['steps']:5d} {row['train_seconds']:8.1f} {row['before']:7.0%} "
            f"{row['after']:7.0%} {row['peak_rss_mib']:9.0f}  {extra}"
        )


if __name__ == "__main__":
    main()
