"""Will it fit? An estimate of a training run's peak GPU memory, before the run.

The parts, for `batch_size` rows of `tokens_per_row` tokens (pictures included):
- weights: every parameter at its precision; QLoRA stores the linear layers in 4-bit NF4 (half a byte
  per weight, plus about 3% for the block scales with double quantisation);
- adapters (LoRA/QLoRA): `r x (in + out)` per adapted linear layer, in fp32, each with its gradient and
  AdamW's two moments (16 bytes per adapter weight);
- gradients and optimiser (full fine-tuning): one gradient and two AdamW moments per weight, at the
  weights' precision (fp32 master weights when the GPU has no bf16: torch's GradScaler refuses fp16
  gradients);
- activations: 34·s·b·h bytes per transformer layer in 16-bit (Korthikanti et al., 2022, "Reducing
  Activation Recomputation in Large Transformer Models", with flash/SDPA attention: no s² term), for the
  text model over the row's tokens and the vision encoder over each tile's patches; with activation
  checkpointing 2·s·b·h bytes per layer plus one whole layer;
- logits: batch x tokens x vocabulary in fp32, and their gradient;
- the CUDA context and kernels' workspace: a fixed allowance.

It is an estimate, within about a factor of 1.5 (allocator fragmentation, temporary buffers); on a GPU
the lesson prints the measured peak (`torch.cuda.max_memory_allocated`) after training beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from course_utils.recipes import METHODS
from course_utils.training import LORA_TARGETS

GIB = 2**30
ACTIVATION_BYTES_PER_HIDDEN = 34  # per token and layer, 16-bit (Korthikanti et al. 2022)
CHECKPOINT_BYTES_PER_HIDDEN = 2  # a checkpointed layer keeps only its 16-bit input
NF4_BYTES_PER_WEIGHT = 0.5 * 1.03  # 4 bits plus the double-quantised block scales
ADAPTER_BYTES_PER_WEIGHT = 16  # fp32 weight + gradient + AdamW's two moments
CUDA_CONTEXT_BYTES = int(0.5 * GIB)
T4_BYTES = int(15.0 * GIB)  # what torch reports for Colab's free T4 (15,095 MiB)


@dataclass
class MemoryEstimate:
    """Estimated peak memory of one training step, part by part (bytes)."""

    parts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.parts.values())

    def fits(self, available: int) -> bool:
        return self.total <= available

    def __str__(self) -> str:
        lines = [f"  {name:36} {_size(size)}" for name, size in self.parts.items()]
        return "\n".join([*lines, f"  {'total (estimate)':36} {_size(self.total)}"])


def _size(size: int) -> str:
    """GiB from a tenth of a GiB up, MiB below (the tiny model's parts are a few MiB)."""
    return f"{size / GIB:7.2f} GiB" if size >= GIB / 10 else f"{size / 2**20:7.1f} MiB"


def _bytes(dtype: torch.dtype) -> int:
    return torch.empty((), dtype=dtype).element_size()


def transformer_activations(tokens: int, hidden: int, layers: int, checkpointing: bool) -> int:
    """16-bit activations of one row through `layers` transformer layers (Korthikanti et al.)."""
    if checkpointing:
        return tokens * hidden * (CHECKPOINT_BYTES_PER_HIDDEN * layers + ACTIVATION_BYTES_PER_HIDDEN)
    return tokens * hidden * ACTIVATION_BYTES_PER_HIDDEN * layers


def estimate_training_memory(
    model,
    method: str,
    tokens_per_row: int,
    batch_size: int,
    tiles_per_row: int = 1,
    dtype: torch.dtype = torch.bfloat16,
    lora_rank: int = 32,
    lora_targets: tuple[str, ...] = tuple(LORA_TARGETS),
    activation_checkpointing: bool = True,
    activation_dtype: torch.dtype | None = None,
) -> MemoryEstimate:
    """Estimate the peak GPU memory of training `model` (its structure only: a model on the "meta"
    device works) with `method` ("full", "lora" or "qlora") at the weights' precision `dtype`;
    activations at `activation_dtype` (default: `dtype`; fp16 for fp32 master weights under fp16
    mixed precision)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    if tokens_per_row < 1 or batch_size < 1 or tiles_per_row < 0:
        raise ValueError("tokens_per_row and batch_size must be at least 1, tiles_per_row at least 0.")
    linear = {name: module for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)}
    total = sum(parameter.numel() for parameter in model.parameters())
    size = _bytes(dtype)
    parts: dict[str, int] = {}
    if method == "qlora":  # bitsandbytes keeps the output layer (lm_head) in 16-bit
        quantised = sum(m.weight.numel() for name, m in linear.items() if not name.endswith("lm_head"))
        parts["weights (4-bit linear layers)"] = int(quantised * NF4_BYTES_PER_WEIGHT)
        parts["weights (the rest, 16-bit)"] = (total - quantised) * size
    else:
        parts[f"weights ({str(dtype).removeprefix('torch.')})"] = total * size
    if method == "full":
        parts["gradients"] = total * size
        parts["AdamW moments"] = 2 * total * size
    else:
        adapted = [m for name, m in linear.items() if name.rsplit(".", 1)[-1] in lora_targets]
        adapter_weights = sum(lora_rank * (m.in_features + m.out_features) for m in adapted)
        parts["LoRA adapters (+ gradients, AdamW)"] = adapter_weights * ADAPTER_BYTES_PER_WEIGHT
    config = model.config
    text = getattr(config, "text_config", config)
    # the formula counts 16-bit values; fp32 activations (training on a CPU) take twice that
    scale = max(1, _bytes(activation_dtype or dtype) // 2)
    checkpointing = activation_checkpointing
    text_bytes = transformer_activations(
        tokens_per_row, text.hidden_size, text.num_hidden_layers, checkpointing
    )
    parts["activations (text model)"] = text_bytes * batch_size * scale
    vision = getattr(config, "vision_config", None)
    if vision is not None and tiles_per_row:
        patches = (vision.image_size // vision.patch_size) ** 2 * tiles_per_row
        vision_bytes = transformer_activations(
            patches, vision.hidden_size, vision.num_hidden_layers, checkpointing
        )
        parts["activations (vision encoder)"] = vision_bytes * batch_size * scale
    parts["logits and their gradient (fp32)"] = 2 * batch_size * tokens_per_row * text.vocab_size * 4
    parts["CUDA context and workspace"] = CUDA_CONTEXT_BYTES
    return MemoryEstimate(parts)


def gpu_memory() -> tuple[str, int]:
    """(name, total bytes) of the first CUDA GPU; ("", 0) without one."""
    if not torch.cuda.is_available():
        return "", 0
    properties = torch.cuda.get_device_properties(0)
    return properties.name, properties.total_memory


def fit_report(estimate: MemoryEstimate) -> str:
    """The estimate, and whether it fits the GPU here (or Colab's free T4 where there is none)."""
    name, available = gpu_memory()
    where = f"this GPU ({name}, {available / GIB:.1f} GiB)"
    if not available:
        available = T4_BYTES
        where = f"Colab's free T4 ({available / GIB:.1f} GiB; no GPU here)"
    if estimate.fits(available):
        return f"{estimate}\n→ fits on {where}"
    return (
        f"{estimate}\n→ does NOT fit on {where} — turn image splitting off or lower the tiles, lower the "
        "batch size (raise gradient_accumulation_steps to keep the rows per update), turn activation "
        "checkpointing on, or use QLoRA"
    )
