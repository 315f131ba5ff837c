"""Library start-up noise the lessons hide: messages that tell a learner nothing they can act on.

`import course_utils` (any of its modules) calls `hide_library_noise()`, so the lessons stay quiet
whether the learner imports transformers, trl, peft or bitsandbytes before or after the course.
"""

from __future__ import annotations

import logging
import warnings


def hide_library_noise() -> None:
    """Silence three known messages of our pinned libraries (constraints.txt); nothing else."""
    # bitsandbytes 0.50 on CPUs with AVX512-BF16: "Failed to load CPU gemm_4bit_forward from
    # kernels-community" (an optional faster kernel fetched from the Hub; the built-in one is used).
    logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(logging.ERROR)
    # peft 0.21 and trl 1.16 still read `is_gradient_checkpointing`, renamed in transformers 5.23.
    warnings.filterwarnings(
        "ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning
    )
    # trl 1.16's SFTConfig / DPOConfig default to `gradient_checkpointing=True`, the name transformers
    # 5.23 renamed to `activation_checkpointing`: every config warns, whatever the learner writes.
    warnings.filterwarnings(
        "ignore", message="`gradient_checkpointing` is deprecated", category=FutureWarning
    )
