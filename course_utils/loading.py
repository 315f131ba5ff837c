"""Load a SmolVLM (model + processor) from a Hub id, a local folder, or the embedded tiny model.

`load_vlm` picks the device and dtype (bf16 on Ampere+ GPUs, fp16 on older GPUs such as the T4,
fp32 on CPU) and can quantise to 4-bit NF4 or 8-bit with bitsandbytes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import torch
from transformers import AutoModelForImageTextToText, AutoProcessor, BitsAndBytesConfig
from transformers.utils import logging as transformers_logging

from course_utils.i18n import message, render

ASSETS = Path(__file__).resolve().parent / "assets"
# The embedded tiny SmolVLM (v1) and SmolVLM2 folders shipped in the package (`python -m tools.tiny build`).
TINY_DIRS = {"idefics3": ASSETS / "tiny-smolvlm", "smolvlm": ASSETS / "tiny-smolvlm2"}
# Lesson 3's starting point: the v1 folder taught to answer chart questions, one number only some of
# the time (tools/teaching.py, `hedged_chart_example`).
TINY_CHARTS_DIR = ASSETS / "tiny-smolvlm-charts"
TINY_NAMES = {
    "tiny": TINY_DIRS["idefics3"],
    "tiny-video": TINY_DIRS["smolvlm"],
    "tiny-charts": TINY_CHARTS_DIR,
}
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
QUANTIZATIONS = (None, "4bit", "8bit")
# transformers' bars while it copies weights into a model and writes them to disk: seconds at most
WEIGHT_BARS = ("Loading weights", "Writing model shards")


class ModelLoadError(RuntimeError):
    """The model could not be loaded; the message says why and what to do instead."""


DTYPES = ("auto", "float32", "float16", "bfloat16")


BAD_DEVICE = message(
    "loading.bad_device", "device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}."
)
NO_GPU = message(
    "loading.no_gpu", "device {device!r} asks for a GPU, but torch sees none here; use 'auto' or 'cpu'."
)


def pick_device(device: str = "auto") -> str:
    """ "auto" means the first CUDA GPU if there is one, otherwise the CPU."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    kind, _, index = str(device).partition(":")
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()):
        raise ValueError(render(BAD_DEVICE, device=device))
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(render(NO_GPU, device=device))
    return str(device)


BAD_DTYPE = message("loading.bad_dtype", "dtype must be one of {dtypes} (or a torch.dtype), got {dtype!r}.")


def pick_dtype(device: str, dtype: str | torch.dtype = "auto") -> torch.dtype:
    """ "auto": bfloat16 on GPUs that support it (Ampere+), float16 on older GPUs (T4), float32 on CPU."""
    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype not in DTYPES:
        raise ValueError(render(BAD_DTYPE, dtypes=DTYPES, dtype=dtype))
    if dtype != "auto":
        return getattr(torch, dtype)
    if not str(device).startswith("cuda"):
        return torch.float32
    return torch.bfloat16 if torch.cuda.is_bf16_supported(including_emulation=False) else torch.float16


BAD_QUANTIZATION = message(
    "loading.bad_quantization", "quantization must be one of {quantizations}, got {quantization!r}."
)


def quantization_config(quantization: str | None, compute_dtype: torch.dtype):
    """bitsandbytes settings: "4bit" is NF4 with double quantisation, "8bit" is LLM.int8()."""
    if quantization not in QUANTIZATIONS:
        raise ValueError(render(BAD_QUANTIZATION, quantizations=QUANTIZATIONS, quantization=quantization))
    if quantization == "4bit":
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=compute_dtype,
        )
    if quantization == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True)
    return None


NOT_A_MODEL_FOLDER = message(
    "loading.not_a_model_folder",
    "{path!r} is not a model folder (it has no config.json). Pass a folder made by "
    "save_pretrained(), a Hub id like 'HuggingFaceTB/SmolVLM-256M-Instruct', or 'tiny'.",
)
NOT_A_MODEL_NAME = message(
    "loading.not_a_model_name",
    "{name!r} is neither an existing folder nor a Hub id of the form 'owner/name'. "
    "Use 'tiny' for the embedded model, a Hub id, or the path of a saved model folder.",
)


def resolve_model_source(model: str | os.PathLike) -> tuple[str, bool]:
    """(what to pass to from_pretrained, whether it is a local folder)."""
    name = str(model)
    if name in TINY_NAMES:
        return str(TINY_NAMES[name]), True
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelLoadError(render(NOT_A_MODEL_FOLDER, path=str(path)))
        return str(path), True
    if HUB_ID.match(name):
        return name, False
    raise ModelLoadError(render(NOT_A_MODEL_NAME, name=name))


def model_path(model: str | os.PathLike) -> str:
    """What `from_pretrained` takes: "tiny" / "tiny-video" -> the folder shipped in this package; a Hub
    id or a model folder as given (a clear error for anything else)."""
    return resolve_model_source(model)[0]


HUB_OFFLINE = message("loading.hub_offline", "HF_HUB_OFFLINE is set")
HUB_UNREACHABLE = message("loading.hub_unreachable", "the Hugging Face Hub could not be reached")
NOT_CACHED = message(
    "loading.not_cached",
    "Could not load {model_id!r}: {why} and it is not in the local cache ({error_type}). "
    "Use load_vlm('tiny') for the embedded model that works offline, or download the model "
    "where there is internet (huggingface-cli download ...) and pass its local folder.",
)


def _hub_unreachable(model_id: str, error: Exception) -> ModelLoadError:
    offline = os.environ.get("HF_HUB_OFFLINE", "0") not in ("", "0", "false", "False")
    why = render(HUB_OFFLINE if offline else HUB_UNREACHABLE)
    return ModelLoadError(render(NOT_CACHED, model_id=model_id, why=why, error_type=type(error).__name__))


def _hide_weight_bars(factory, args, kwargs):
    """tqdm hook: no bar while weights load or save (seconds at most); download bars are kept."""
    if kwargs.get("desc") in WEIGHT_BARS:
        kwargs = {**kwargs, "disable": True}
    return factory(*args, **kwargs)


# Learners call `from_pretrained` themselves in the lessons: the hook holds for every load after
# `import course_utils.loading`, not only inside `load_vlm`.
transformers_logging.set_tqdm_hook(_hide_weight_bars)


TORCHVISION_MISSING = message("loading.torchvision_missing", "torchvision is missing")
NEEDS_TORCHVISION = message(
    "loading.needs_torchvision",
    "{source!r} needs torchvision for SmolVLM2's video processor ({why}). Install the "
    "torchvision build that matches your torch (Colab ships one; in this repository: "
    "pip install -c constraints.txt -e '.[video]'), or use a SmolVLM v1 model such as 'tiny', "
    "which takes a video as timestamped frames.",
)


def _needs_torchvision(source: str, error: ImportError) -> ModelLoadError:
    why = next((line for line in str(error).splitlines() if line.strip()), None) or render(
        TORCHVISION_MISSING
    )
    return ModelLoadError(render(NEEDS_TORCHVISION, source=source, why=why.strip()))


INCOMPLETE_FOLDER = message(
    "loading.incomplete_folder",
    "The folder {source!r} does not hold a complete model ({error}). "
    "It needs config.json, the safetensors weights and the processor files.",
)


def load_vlm(
    model: str | os.PathLike = "tiny",
    quantization: str | None = None,
    device: str = "auto",
    dtype: str | torch.dtype = "auto",
):
    """Return `(model, processor)` ready for generation, in eval mode.

    `model` is "tiny" (embedded SmolVLM), "tiny-video" (embedded SmolVLM2 with video input),
    a Hub id such as "HuggingFaceTB/SmolVLM-Instruct", or a local folder.
    """
    source, is_local = resolve_model_source(model)
    device = pick_device(device)
    torch_dtype = pick_dtype(device, dtype)
    options = dict(dtype=torch_dtype, use_safetensors=True, trust_remote_code=False)
    quant = quantization_config(quantization, torch_dtype)
    if quant is not None:
        options.update(quantization_config=quant, device_map={"": device})
    try:
        processor = AutoProcessor.from_pretrained(source, trust_remote_code=False)
        loaded = AutoModelForImageTextToText.from_pretrained(source, **options)
    except ImportError as error:
        if "torchvision" not in str(error).lower():
            raise
        raise _needs_torchvision(source, error) from None
    except OSError as error:
        if is_local:
            raise ModelLoadError(render(INCOMPLETE_FOLDER, source=source, error=error)) from None
        raise _hub_unreachable(source, error) from None
    if quant is None:
        loaded = loaded.to(device)
    return loaded.eval(), processor
