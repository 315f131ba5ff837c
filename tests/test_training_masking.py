"""The loss falls only on assistant answers: proven on real collated batches of the tiny processor."""

import pytest
import torch
from PIL import Image
from transformers import AutoProcessor

from course_utils.image_tokens import set_token_budget, tokens_per_image
from course_utils.loading import TINY_DIRS
from course_utils.masking import IGNORE_INDEX, VisionSFTCollator

IMAGE_TOKENS = ["<image>", "<fake_token_around_image>", "<global-img>"] + [
    f"<row_{r}_col_{c}>" for r in range(1, 7) for c in range(1, 7)
]


@pytest.fixture()
def processor():
    return AutoProcessor.from_pretrained(TINY_DIRS["idefics3"])


def _row(answer, question="What color is the shape?", system=None, turns=1):
    messages = [{"role": "system", "content": [{"type": "text", "text": system}]}] if system else []
    for turn in range(turns):
        content = [{"type": "text", "text": f"{question} ({turn})"}]
        if turn == 0:
            content.insert(0, {"type": "image"})
        messages.append({"role": "user", "content": content})
        messages.append({"role": "assistant", "content": [{"type": "text", "text": f"{answer}{turn}"}]})
    return {"messages": messages, "images": [Image.new("RGB", (128, 96), "red")]}


def test_only_answer_tokens_and_end_of_utterance_carry_loss(processor):
    rows = [_row("blue", system="Answer in one word."), _row("a much longer answer here", turns=2)]
    batch = VisionSFTCollator(processor)(rows)
    tokenizer = processor.tokenizer
    first = batch["labels"][0][batch["labels"][0] != IGNORE_INDEX]
    assert tokenizer.decode(first) == " blue0<end_of_utterance>"
    second = batch["labels"][1][batch["labels"][1] != IGNORE_INDEX]
    assert tokenizer.decode(second) == (
        " a much longer answer here0<end_of_utterance> a much longer answer here1<end_of_utterance>"
    )


def test_image_tokens_prompt_and_padding_are_all_ignored(processor):
    rows = [_row("red"), _row("a long answer that makes the other row padded", system="Be kind.")]
    batch = VisionSFTCollator(processor)(rows)
    labels, ids = batch["labels"], batch["input_ids"]
    image_ids = set(processor.tokenizer.convert_tokens_to_ids(IMAGE_TOKENS))
    labelled_ids = set(ids[labels != IGNORE_INDEX].tolist())
    assert labelled_ids.isdisjoint(image_ids)
    assert (labels[batch["attention_mask"] == 0] == IGNORE_INDEX).all()
    assert (batch["attention_mask"] == 0).any(), "the batch should contain padding"
    # Every <image> position is in the input but none is a target.
    image_positions = ids == processor.tokenizer.convert_tokens_to_ids("<image>")
    assert image_positions.sum() > 0 and (labels[image_positions] == IGNORE_INDEX).all()
    # The user's question never appears among the targets.
    decoded = processor.tokenizer.decode(ids[0][labels[0] != IGNORE_INDEX])
    assert "color" not in decoded and "User" not in decoded


def test_labels_agree_with_trls_assistant_mask_reference(processor):
    """trl's own SmolVLM training template marks the assistant spans; our masking must match it."""
    from pathlib import Path

    import trl
    from trl.chat_template_utils import get_training_chat_template  # noqa: F401

    template = (Path(trl.__file__).parent / "chat_templates" / "smolvlm_training.jinja").read_text()
    rows = [_row("green", turns=2)]
    ours = VisionSFTCollator(processor)(rows)
    reference = processor.apply_chat_template(
        [rows[0]["messages"]],
        chat_template=template,
        tokenize=True,
        return_dict=True,
        return_assistant_tokens_mask=True,
        processor_kwargs={"images": [rows[0]["images"]], "return_tensors": "pt"},
    )
    assert reference["input_ids"].tolist() == ours["input_ids"].tolist()
    trl_mask = torch.tensor(reference["assistant_masks"][0]).bool()
    our_mask = ours["labels"][0] != IGNORE_INDEX
    assert our_mask.sum() > 0
    assert not (our_mask & ~trl_mask).any(), "we label a token trl's reference does not"
    only_trl = ours["input_ids"][0][trl_mask & ~our_mask]
    assert processor.tokenizer.decode(only_trl) == "\n\n"  # one newline per assistant turn


def test_token_budget_changes_what_a_picture_costs(processor):
    with_splitting = set_token_budget(processor, image_splitting=True)
    without = set_token_budget(processor, image_splitting=False)
    assert without < with_splitting
    assert without == tokens_per_image(processor)
    # 16 <image> tokens per tile plus the tile's wrapper tokens; splitting adds 4 tiles.
    assert without >= 16 and with_splitting >= 5 * 16
