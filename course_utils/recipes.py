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

from course_utils.i18n import Message, message, render
from course_utils.loading import TINY_DIRS, TINY_NAMES

METHODS = ("full", "lora", "qlora")


RECIPE_LINE = message("recipes.recipe_line", "SFT learning rate {sft_rate:g}, DPO {dpo_rate:g} ({source})")
MEASURED_ON_TINY = message("recipes.measured_on_tiny", "measured on the tiny model")
TRL_DEFAULTS = message("recipes.trl_defaults", "trl's SFTConfig and DPOConfig defaults")
SMOLLM_NOTEBOOK = message(
    "recipes.smollm_notebook", "SmolLM's SmolVLM fine-tuning notebook; DPO: 10x trl's default"
)


@dataclass(frozen=True)
class Recipe:
    """The learning rates of one model and method, and where they come from (`origin`, shown as
    `source` in the learner's language)."""

    sft_learning_rate: float
    dpo_learning_rate: float
    origin: Message

    @property
    def source(self) -> str:
        return render(self.origin)

    def __str__(self) -> str:
        return render(
            RECIPE_LINE, sft_rate=self.sft_learning_rate, dpo_rate=self.dpo_learning_rate, source=self.source
        )


_TINY = {
    "full": Recipe(2e-4, 1e-4, MEASURED_ON_TINY),
    "lora": Recipe(2e-3, 1e-3, MEASURED_ON_TINY),
    "qlora": Recipe(2e-3, 1e-3, MEASURED_ON_TINY),
}
_REAL = {
    "full": Recipe(2e-5, 1e-6, TRL_DEFAULTS),
    "lora": Recipe(1e-4, 1e-5, SMOLLM_NOTEBOOK),
    "qlora": Recipe(1e-4, 1e-5, SMOLLM_NOTEBOOK),
}


def is_tiny(model) -> bool:
    """Whether `model` names the embedded tiny model ("tiny", "tiny-video" or their folders)."""
    if str(model) in TINY_NAMES:
        return True
    try:
        return Path(model).resolve() in {folder.resolve() for folder in TINY_DIRS.values()}
    except (TypeError, OSError):
        return False


UNKNOWN_METHOD = message("recipes.unknown_method", "method must be one of {methods}, got {method!r}.")


def recipe_for(model, method: str) -> Recipe:
    """The learning rates for `model` (a name, Hub id or folder) trained with `method`."""
    if method not in METHODS:
        raise ValueError(render(UNKNOWN_METHOD, methods=METHODS, method=method))
    return (_TINY if is_tiny(model) else _REAL)[method]
