"""load_vlm: the embedded model, local folders, Hub ids offline, dtypes and quantisation.

These test the loader, so they load the embedded model with `load_vlm`, but none asserts what it
answers: the quantised models' answer floors are in tests/test_taught_model.py."""

import shutil
import subprocess
import sys

import pytest
import torch

from course_utils import loading
from course_utils.loading import TINY_DIRS, ModelLoadError, load_vlm, pick_dtype, resolve_model_source


def test_tiny_loads_in_eval_mode_in_float32_on_cpu(tiny):
    model, processor = tiny
    assert not model.training
    assert model.dtype == torch.float32
    assert model.device.type == "cpu"
    assert processor.tokenizer.eos_token == "<end_of_utterance>"


def test_a_local_folder_loads_the_same_way(tmp_path):
    folder = shutil.copytree(TINY_DIRS["idefics3"], tmp_path / "my-model")
    model, _ = load_vlm(folder)
    assert model.config.model_type == "idefics3"


def test_a_folder_without_config_is_refused_clearly(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelLoadError, match="not a model folder.*config.json"):
        load_vlm(tmp_path)


def test_a_folder_without_weights_is_refused_clearly(tmp_path):
    folder = tmp_path / "half"
    shutil.copytree(TINY_DIRS["idefics3"], folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="does not hold a complete model"):
        load_vlm(folder)


def test_hub_id_while_offline_says_how_to_use_the_embedded_model(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError) as caught:
        load_vlm("HuggingFaceTB/SmolVLM-256M-Instruct")
    message = str(caught.value)
    assert "HuggingFaceTB/SmolVLM-256M-Instruct" in message
    assert "load_vlm('tiny')" in message


def test_nonsense_names_are_neither_folder_nor_hub_id():
    with pytest.raises(ModelLoadError, match="neither an existing folder nor a Hub id"):
        resolve_model_source("no such model here")
    assert resolve_model_source("HuggingFaceTB/SmolVLM-Instruct") == (
        "HuggingFaceTB/SmolVLM-Instruct",
        False,
    )


def test_unknown_quantization_is_refused():
    with pytest.raises(ValueError, match="quantization must be one of"):
        load_vlm("tiny", quantization="3bit")


def test_auto_dtype_follows_the_hardware(monkeypatch):
    assert pick_dtype("cpu") == torch.float32
    assert pick_dtype("cuda", "float16") == torch.float16
    assert pick_dtype("cpu", torch.bfloat16) == torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: True)
    assert pick_dtype("cuda") == torch.bfloat16  # Ampere and newer
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: False)
    assert pick_dtype("cuda:0") == torch.float16  # T4-class


def test_never_trusts_remote_code_and_uses_safetensors(monkeypatch):
    seen = {}
    real = loading.AutoModelForImageTextToText.from_pretrained

    def spy(source, **options):
        seen.update(options)
        return real(source, **options)

    monkeypatch.setattr(loading.AutoModelForImageTextToText, "from_pretrained", spy)
    load_vlm("tiny")
    assert seen["trust_remote_code"] is False and seen["use_safetensors"] is True


def test_4bit_nf4_loads_on_cpu():
    model, _ = load_vlm("tiny", quantization="4bit")
    linear_types = {type(module).__name__ for module in model.modules()}
    assert "Linear4bit" in linear_types
    weight = model.model.text_model.layers[0].self_attn.q_proj.weight
    assert weight.quant_state.quant_type == "nf4"
    assert weight.quant_state.nested  # double quantisation


def test_8bit_loads_on_cpu():
    model, _ = load_vlm("tiny", quantization="8bit")
    assert any(type(module).__name__ == "Linear8bitLt" for module in model.modules())


def test_loading_a_model_needs_neither_the_tiny_model_builder_nor_the_trainer(tmp_path):
    """`course_utils.loading` knows the shipped folders itself: no tools/, trl, peft or datasets."""
    code = (
        "import sys, course_utils.loading; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('tools', 'trl', 'peft', 'datasets') or m == 'course_utils.training'))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ({"dtype": "float33"}, "dtype must be one of"),
        ({"device": "tpu"}, "device must be"),
        ({"device": "cuda:x"}, "device must be"),
    ],
)
def test_a_wrong_dtype_or_device_is_named_with_the_choices(setting, named):
    with pytest.raises(ValueError, match=named):
        load_vlm("tiny", **setting)


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is there")
def test_asking_for_a_gpu_where_there_is_none_says_so():
    with pytest.raises(ValueError, match="torch sees none here"):
        load_vlm("tiny", device="cuda")
