"""Answer-only labels, the course's own way: every token but the assistant's answer is `IGNORE_INDEX`.

trl does this itself (`SFTConfig(assistant_only_loss=True)`, which the lessons teach); this is kept for
teaching the tiny model (`tools/teaching.py`) and as the reference trl is compared with in the tests and
benchmarks.
"""

from __future__ import annotations

import torch

IGNORE_INDEX = -100
ASSISTANT_HEADER = "\nAssistant:"
END_OF_UTTERANCE = "<end_of_utterance>"


def _find_subsequence(ids: list[int], pattern: list[int], start: int) -> int:
    """Index of the first occurrence of `pattern` in `ids` at or after `start`, or -1."""
    width = len(pattern)
    for index in range(start, len(ids) - width + 1):
        if ids[index : index + width] == pattern:
            return index
    return -1


def answer_spans(ids: list[int], tokenizer) -> list[tuple[int, int]]:
    """(start, end) of every assistant answer in a token sequence, its <end_of_utterance> included.

    An answer starts right after "\nAssistant:" and ends after the next <end_of_utterance> (or at
    the end of the sequence). These are the only tokens `mask_prompt_labels` keeps in the loss.
    """
    header = tokenizer.encode(ASSISTANT_HEADER, add_special_tokens=False)
    end_id = tokenizer.convert_tokens_to_ids(END_OF_UTTERANCE)
    spans = []
    position = _find_subsequence(ids, header, 0)
    while position != -1:
        start = position + len(header)
        end = ids.index(end_id, start) + 1 if end_id in ids[start:] else len(ids)
        spans.append((start, end))
        position = _find_subsequence(ids, header, end)
    return spans


def mask_prompt_labels(input_ids: torch.Tensor, attention_mask: torch.Tensor, tokenizer) -> torch.Tensor:
    """Labels that keep only assistant answers (and their end-of-utterance); the rest is -100.

    System and user text, every image token and padding get IGNORE_INDEX, so the loss teaches the
    model to answer, not to repeat the prompt or predict image placeholders.
    """
    labels = torch.full_like(input_ids, IGNORE_INDEX)
    for row, ids in enumerate(input_ids.tolist()):
        for start, end in answer_spans(ids, tokenizer):
            labels[row, start:end] = input_ids[row, start:end]
    labels[attention_mask == 0] = IGNORE_INDEX
    return labels


class VisionSFTCollator:
    """Turn trl-style rows (`messages` with `{"type": "image"}` placeholders + `images`) into a batch.

    `images_kwargs` go to the image processor, e.g. `{"do_image_splitting": False}` to spend fewer
    tokens per picture.
    """

    def __init__(self, processor, images_kwargs: dict | None = None):
        self.processor = processor
        self.images_kwargs = dict(images_kwargs or {})

    def __call__(self, examples: list[dict]) -> dict:
        texts = [
            self.processor.apply_chat_template(example["messages"], tokenize=False) for example in examples
        ]
        images = [list(example["images"]) for example in examples]
        batch = self.processor(
            text=texts,
            images=images if any(images) else None,
            return_tensors="pt",
            padding=True,
            padding_side="right",
            **self.images_kwargs,
        )
        batch["labels"] = mask_prompt_labels(
            batch["input_ids"], batch["attention_mask"], self.processor.tokenizer
        )
        return batch
