"""Learning rates per model: the tiny model's own, and sourced values for real SmolVLMs."""

import pytest

from course_utils.loading import TINY_DIRS
from course_utils.recipes import is_tiny, recipe_for
from course_utils.training import sft_recipe


def test_the_tiny_model_and_a_real_smolvlm_get_their_own_learning_rates():
    tiny, real = recipe_for("tiny", "lora"), recipe_for("HuggingFaceTB/SmolVLM-256M-Instruct", "lora")
    assert tiny.sft_learning_rate == 2e-3 and real.sft_learning_rate == 1e-4
    assert real.dpo_learning_rate == 1e-5 and recipe_for("some/model", "full").dpo_learning_rate == 1e-6
    assert recipe_for("HuggingFaceTB/SmolVLM-Instruct", "full").sft_learning_rate == 2e-5
    # every real rate is far below the tiny model's: the tiny ones would make a real model diverge
    for method in ("full", "lora", "qlora"):
        real_rate, tiny_rate = (
            recipe_for("a/b", method).sft_learning_rate,
            recipe_for("tiny", method).sft_learning_rate,
        )
        assert real_rate * 10 <= tiny_rate
        assert recipe_for("a/b", method).source and "measured" in recipe_for("tiny", method).source


def test_tiny_is_recognised_by_name_and_by_folder(tmp_path):
    assert is_tiny("tiny") and is_tiny(TINY_DIRS["idefics3"]) and is_tiny(str(TINY_DIRS["smolvlm"]))
    assert not is_tiny(tmp_path) and not is_tiny("HuggingFaceTB/SmolVLM-256M-Instruct")


def test_an_unknown_method_is_named():
    with pytest.raises(ValueError, match="method must be one of"):
        recipe_for("tiny", "dora")


def test_sft_recipe_defaults_to_the_tiny_recipe_and_takes_any_other():
    assert sft_recipe("lora", device="cpu").sft_config.learning_rate == 2e-3
    assert sft_recipe("full", device="cpu", learning_rate=2e-5).sft_config.learning_rate == 2e-5
