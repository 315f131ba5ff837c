"""Training throughput: the course's SFT recipes (LoRA, QLoRA, full) against trl's "cookbook" defaults.

Same model, data and step count; samples/s after warm-up steps, peak memory (CUDA allocator on a GPU,
the process's peak RSS on CPU) and, on a GPU, model FLOPs utilisation (6·N·tokens/s over peak bf16).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import torch
from transformers import TrainerCallback

# Peak dense bf16 tensor FLOPs (fp16 on the T4, which has no bf16), from the vendors' data sheets.
PEAK_BF16_FLOPS = {
    "H200": 989e12,
    "H100 PCIe": 756e12,
    "H100": 989e12,
    "A100": 312e12,
    "L4": 121e12,
    "A10G": 70e12,
    "T4": 65e12,
}
ROOT = Path(__file__).resolve().parents[1]
RECIPES = ("course-lora", "course-qlora", "course-full", "cookbook")
BUDGETS = ("course", "own")  # the course's token budget (no splitting) or the recipe's own default


def peak_flops_for(device_name: str, override: float | None = None) -> float | None:
    """Peak bf16 FLOP/s of a GPU recognised by name ("NVIDIA H100 80GB HBM3"), or the override."""
    if override:
        return override
    for key, flops in PEAK_BF16_FLOPS.items():  # "H100 PCIe" is checked before "H100"
        if key.lower() in device_name.lower():
            return flops
    return None


def model_flops_utilisation(parameters: int, tokens_per_second: float, peak_flops: float) -> float:
    """MFU: training FLOPs actually delivered (6 per parameter per token) over the GPU's peak."""
    return 6 * parameters * tokens_per_second / peak_flops


def cookbook_collator(processor):
    """trl's default vision collator: labels are the input ids with only the padding masked."""
    from trl.trainer.sft_trainer import DataCollatorForVisionLanguageModeling

    return DataCollatorForVisionLanguageModeling(processor)


def cookbook_recipe(output_dir: str, max_steps: int, batch_size: int, device: str):
    """trl's SFTConfig defaults (only what cannot run otherwise is set), LoRA as in the course."""
    from trl import SFTConfig

    from course_utils.training import Recipe, precision_flags, sft_recipe

    config = SFTConfig(
        output_dir=output_dir,
        max_steps=max_steps,
        per_device_train_batch_size=batch_size,
        max_length=None,
        report_to="none",
        save_strategy="no",
        disable_tqdm=True,
        **precision_flags(device),
    )
    lora = sft_recipe("lora", device=device).lora_config
    return Recipe("lora", config, lora, image_splitting=True)


def course_recipe(method: str, output_dir: str, max_steps: int, batch_size: int, device: str):
    from course_utils.training import sft_recipe

    return sft_recipe(
        method,
        output_dir=output_dir,
        max_steps=max_steps,
        batch_size=batch_size,
        device=device,
        disable_tqdm=True,
        logging_steps=max_steps,
    )


class CountingCollator:
    """Wraps a collator and records, per batch, the real (non-padding) tokens and the loss tokens."""

    def __init__(self, collator):
        self.collator = collator
        self.tokens: list[int] = []
        self.loss_tokens: list[int] = []

    def __call__(self, examples):
        batch = self.collator(examples)
        self.tokens.append(int(batch["attention_mask"].sum()))
        self.loss_tokens.append(int((batch["labels"] != -100).sum()))
        return batch


class StepTimer(TrainerCallback):
    """Wall time of the optimizer steps after the first `warmup` ones (CUDA work included)."""

    def __init__(self, warmup: int):
        self.warmup = warmup
        self.started = self.finished = None
        self.timed_steps = 0

    def _now(self) -> float:
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        return time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.warmup:
            self.started = self._now()
        elif state.global_step > self.warmup:
            self.finished, self.timed_steps = self._now(), state.global_step - self.warmup

    @property
    def seconds(self) -> float:
        if self.started is None or self.finished is None:
            raise RuntimeError("No timed steps: max_steps must exceed the warm-up steps.")
        return self.finished - self.started


def peak_memory_mib(device: str) -> float:
    """Peak CUDA memory allocated, or this process's peak resident memory on CPU."""
    if device.startswith("cuda"):
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train_timed(model, processor, rows, recipe, collator, warmup: int = 2) -> dict:
    """Train `recipe` with `collator` and return samples/s, tokens/s and the share of tokens in the loss."""
    from transformers import set_seed
    from trl import SFTTrainer

    from course_utils.image_tokens import set_token_budget
    from course_utils.training import prepare_model

    tokens_per_image = set_token_budget(processor, recipe.image_splitting, recipe.longest_edge)
    set_seed(recipe.sft_config.seed)
    model = prepare_model(model, recipe)
    counting, timer = CountingCollator(collator), StepTimer(warmup)
    trainer = SFTTrainer(
        model=model,
        args=recipe.sft_config,
        train_dataset=rows,
        processing_class=processor,
        data_collator=counting,
        callbacks=[timer],
    )
    trainer.train()
    timed = slice(warmup, warmup + timer.timed_steps)
    tokens, loss_tokens = sum(counting.tokens[timed]), sum(counting.loss_tokens[timed])
    batch = recipe.sft_config.per_device_train_batch_size
    return {
        "samples_per_s": timer.timed_steps * batch / timer.seconds,
        "tokens_per_s": tokens / timer.seconds,
        "tokens_per_sample": tokens / (timer.timed_steps * batch),
        "loss_token_share": loss_tokens / tokens,
        "tokens_per_image": tokens_per_image,
        "parameters": sum(p.numel() for p in trainer.model.parameters()),
    }


def chart_rows(count: int):
    from course_utils.formatting import format_dataset
    from course_utils.synthetic_data import QUICK_CHART_KINDS, make_chartqa

    return format_dataset(make_chartqa(count, seed=0, kinds=QUICK_CHART_KINDS))


def measure(
    recipe_name: str,
    budget: str,
    model_source: str,
    steps: int,
    batch_size: int,
    warmup: int = 2,
    peak_flops: float | None = None,
) -> dict:
    """Load a fresh model, train one recipe at one token budget, return its figures."""
    from course_utils.loading import load_vlm

    device = "cuda" if torch.cuda.is_available() else "cpu"
    output_dir = str(ROOT / "build" / "benchmarks" / f"train-{recipe_name}-{budget}")
    if recipe_name == "cookbook":
        recipe = cookbook_recipe(output_dir, steps, batch_size, device)
        make_collator = cookbook_collator
    else:
        from course_utils.masking import VisionSFTCollator

        recipe = course_recipe(recipe_name.split("-")[1], output_dir, steps, batch_size, device)
        make_collator = VisionSFTCollator
    if budget == "course":
        recipe.image_splitting, recipe.longest_edge = False, None
    model, processor = load_vlm(model_source, quantization="4bit" if recipe.method == "qlora" else None)
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    figures = train_timed(
        model, processor, chart_rows(steps * batch_size), recipe, make_collator(processor), warmup
    )
    figures.update(
        recipe=recipe_name,
        budget=budget,
        steps=steps,
        batch_size=batch_size,
        device=torch.cuda.get_device_name() if device.startswith("cuda") else "cpu",
        peak_memory_mib=peak_memory_mib(device),
    )
    peak = peak_flops_for(figures["device"], peak_flops) if device.startswith("cuda") else None
    figures["mfu"] = (
        model_flops_utilisation(figures["parameters"], figures["tokens_per_s"], peak)
        if peak and recipe.method == "full"
        else None
    )
    return figures


def measure_in_subprocess(
    recipe_name: str,
    budget: str,
    model_source: str,
    steps: int,
    batch_size: int,
    peak_flops: float | None = None,
) -> dict:
    """`measure` in a fresh Python process, so each recipe's peak memory is its own."""
    arguments = dict(
        recipe_name=recipe_name,
        budget=budget,
        model_source=model_source,
        steps=steps,
        batch_size=batch_size,
        peak_flops=peak_flops,
    )
    command = [sys.executable, str(Path(__file__).resolve()), json.dumps(arguments)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{recipe_name} ({budget} budget) failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT ") :])


if __name__ == "__main__":  # child process: python bench_training.py '{"recipe_name": ...}'
    print("RESULT " + json.dumps(measure(**json.loads(sys.argv[1]))), flush=True)
