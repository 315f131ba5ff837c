"""Learning rates that fit the model: measured for the embedded tiny model, sourced for real SmolVLMs.

A learning rate tuned for the 855k-parameter tiny model (2e-3 with LoRA) makes a real SmolVLM diverge;
a real one's (1e-4) leaves the tiny model untaught in a lesson's few hundred steps. `recipe_for` gives
each its own:

- tiny: measured on the embedded model with the lesson's defaults (benchmarks/RESULTS.md).
- real SmolVLM, LoRA/QLoRA SFT: 1e-4, the SmolVLM fine-tuning notebook of the SmolLM repository
  (huggingface/smollm, `vision/finetuning/Smol_VLM_FT.ipynb`: QLoRA/LoRA on VQAv2, `learning_rate=1e-4`).
- real SmolVLM, full SFT: 2e-5, trl's `SFTConfig` default (trl 1.16).
- real SmolVLM, DPO: trl's `DPOConfig` default 1e-6 for full DPO; with LoRA 10x that, 1e-5, after the
  finding that LoRA's best learning rate is about ten times full fine-tuning's (Schulman et al.,
  "LoRA Without Regret", Thinking Machines Lab, 2025). An estimate, not measured on a GPU here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course_utils.loading import TINY_DIRS, TINY_NAMES

METHODS = ("full", "lora", "qlora")


@dataclass(frozen=True)
class Recipe:
    """The learning rates of one model and method, and where they come from."""

    sft_learning_rate: float
    dpo_learning_rate: float
    source: str

    def __str__(self) -> str:
        return f"SFT learning rate {self.sft_learning_rate:g}, DPO {self.dpo_learning_rate:g} ({self.source})"


_TINY = {
    "full": Recipe(2e-4, 1e-4, "measured on the tiny model"),
    "lora": Recipe(2e-3, 1e-3, "measured on the tiny model"),
    "qlora": Recipe(2e-3, 1e-3, "measured on the tiny model"),
}
_REAL = {
    "full": Recipe(2e-5, 1e-6, "trl's SFTConfig and DPOConfig defaults"),
    "lora": Recipe(1e-4, 1e-5, "SmolLM's SmolVLM fine-tuning notebook; DPO: 10x trl's default"),
    "qlora": Recipe(1e-4, 1e-5, "SmolLM's SmolVLM fine-tuning notebook; DPO: 10x trl's default"),
}


def is_tiny(model) -> bool:
    """Whether `model` names the embedded tiny model ("tiny", "tiny-video" or their folders)."""
    if str(model) in TINY_NAMES:
        return True
    try:
        return Path(model).resolve() in {folder.resolve() for folder in TINY_DIRS.values()}
    except (TypeError, OSError):
        return False


def recipe_for(model, method: str) -> Recipe:
    """The learning rates for `model` (a name, Hub id or folder) trained with `method`."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    return (_TINY if is_tiny(model) else _REAL)[method]
