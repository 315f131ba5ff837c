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

from course_utils.i18n import Message, message, render
from course_utils.recipes import METHODS
from course_utils.training import LORA_TARGETS, UNKNOWN_METHOD

GIB = 2**30
ACTIVATION_BYTES_PER_HIDDEN = 34  # per token and layer, 16-bit (Korthikanti et al. 2022)
CHECKPOINT_BYTES_PER_HIDDEN = 2  # a checkpointed layer keeps only its 16-bit input
NF4_BYTES_PER_WEIGHT = 0.5 * 1.03  # 4 bits plus the double-quantised block scales
ADAPTER_BYTES_PER_WEIGHT = 16  # fp32 weight + gradient + AdamW's two moments
CUDA_CONTEXT_BYTES = int(0.5 * GIB)
T4_BYTES = int(15.0 * GIB)  # what torch reports for Colab's free T4 (15,095 MiB)

# The parts of an estimate: `MemoryEstimate.parts` is keyed by their English, `str()` shows them translated.
WEIGHTS_4BIT = message("memory.weights_4bit", "weights (4-bit linear layers)")
WEIGHTS_REST_16BIT = message("memory.weights_rest_16bit", "weights (the rest, 16-bit)")
WEIGHTS = message("memory.weights", "weights ({dtype})")
GRADIENTS = message("memory.gradients", "gradients")
ADAMW_MOMENTS = message("memory.adamw_moments", "AdamW moments")
LORA_ADAPTERS = message("memory.lora_adapters", "LoRA adapters (+ gradients, AdamW)")
TEXT_ACTIVATIONS = message("memory.text_activations", "activations (text model)")
VISION_ACTIVATIONS = message("memory.vision_activations", "activations (vision encoder)")
LOGITS = message("memory.logits", "logits and their gradient (fp32)")
CUDA_CONTEXT = message("memory.cuda_context", "CUDA context and workspace")
TOTAL_ESTIMATE = message("memory.total_estimate", "total (estimate)")
BAD_SIZES = message(
    "memory.bad_sizes", "tokens_per_row and batch_size must be at least 1, tiles_per_row at least 0."
)
# fit_report
THIS_GPU = message("memory.this_gpu", "this GPU ({name}, {gib:.1f} GiB)")
COLAB_T4 = message("memory.colab_t4", "Colab's free T4 ({gib:.1f} GiB; no GPU here)")
FITS = message("memory.fits", "→ fits on {where}")
DOES_NOT_FIT = message(
    "memory.does_not_fit",
    "→ does NOT fit on {where} — turn image splitting off or lower the tiles, lower the "
    "batch size (raise gradient_accumulation_steps to keep the rows per update), turn activation "
    "checkpointing on, or use QLoRA",
)


@dataclass
class MemoryEstimate:
    """Estimated peak memory of one training step, part by part (bytes)."""

    parts: dict[str, int] = field(default_factory=dict)  # keyed by the English name of each part
    # each part's name as a message and its fields, shown in the learner's language by `str()`
    labels: dict[str, tuple[Message, dict]] = field(default_factory=dict, repr=False, compare=False)

    def add(self, part: Message, size: int, **fields) -> None:
        """Count `size` bytes for `part` (a message naming it, with its `fields`)."""
        name = part.english.format(**fields)
        self.parts[name] = size
        self.labels[name] = (part, fields)

    def label(self, name: str) -> str:
        """The name of a part in the learner's language."""
        part, fields = self.labels.get(name, (None, {}))
        return name if part is None else render(part, **fields)

    @property
    def total(self) -> int:
        return sum(self.parts.values())

    def fits(self, available: int) -> bool:
        return self.total <= available

    def __str__(self) -> str:
        lines = [f"  {self.label(name):36} {_size(size)}" for name, size in self.parts.items()]
        return "\n".join([*lines, f"  {render(TOTAL_ESTIMATE):36} {_size(self.total)}"])


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
        raise ValueError(render(UNKNOWN_METHOD, methods=METHODS, method=method))
    if tokens_per_row < 1 or batch_size < 1 or tiles_per_row < 0:
        raise ValueError(render(BAD_SIZES))
    linear = {name: module for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)}
    total = sum(parameter.numel() for parameter in model.parameters())
    size = _bytes(dtype)
    estimate = MemoryEstimate()
    if method == "qlora":  # bitsandbytes keeps the output layer (lm_head) in 16-bit
        quantised = sum(m.weight.numel() for name, m in linear.items() if not name.endswith("lm_head"))
        estimate.add(WEIGHTS_4BIT, int(quantised * NF4_BYTES_PER_WEIGHT))
        estimate.add(WEIGHTS_REST_16BIT, (total - quantised) * size)
    else:
        estimate.add(WEIGHTS, total * size, dtype=str(dtype).removeprefix("torch."))
    if method == "full":
        estimate.add(GRADIENTS, total * size)
        estimate.add(ADAMW_MOMENTS, 2 * total * size)
    else:
        adapted = [m for name, m in linear.items() if name.rsplit(".", 1)[-1] in lora_targets]
        adapter_weights = sum(lora_rank * (m.in_features + m.out_features) for m in adapted)
        estimate.add(LORA_ADAPTERS, adapter_weights * ADAPTER_BYTES_PER_WEIGHT)
    config = model.config
    text = getattr(config, "text_config", config)
    # the formula counts 16-bit values; fp32 activations (training on a CPU) take twice that
    scale = max(1, _bytes(activation_dtype or dtype) // 2)
    checkpointing = activation_checkpointing
    text_bytes = transformer_activations(
        tokens_per_row, text.hidden_size, text.num_hidden_layers, checkpointing
    )
    estimate.add(TEXT_ACTIVATIONS, text_bytes * batch_size * scale)
    vision = getattr(config, "vision_config", None)
    if vision is not None and tiles_per_row:
        patches = (vision.image_size // vision.patch_size) ** 2 * tiles_per_row
        vision_bytes = transformer_activations(
            patches, vision.hidden_size, vision.num_hidden_layers, checkpointing
        )
        estimate.add(VISION_ACTIVATIONS, vision_bytes * batch_size * scale)
    estimate.add(LOGITS, 2 * batch_size * tokens_per_row * text.vocab_size * 4)
    estimate.add(CUDA_CONTEXT, CUDA_CONTEXT_BYTES)
    return estimate


def gpu_memory() -> tuple[str, int]:
    """(name, total bytes) of the first CUDA GPU; ("", 0) without one."""
    if not torch.cuda.is_available():
        return "", 0
    properties = torch.cuda.get_device_properties(0)
    return properties.name, properties.total_memory


def fit_report(estimate: MemoryEstimate) -> str:
    """The estimate, and whether it fits the GPU here (or Colab's free T4 where there is none)."""
    name, available = gpu_memory()
    if available:
        where = render(THIS_GPU, name=name, gib=available / GIB)
    else:
        available = T4_BYTES
        where = render(COLAB_T4, gib=available / GIB)
    return f"{estimate}\n{render(FITS if estimate.fits(available) else DOES_NOT_FIT, where=where)}"
