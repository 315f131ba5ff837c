"""Ask a VLM questions: prompt in, answer text out (only the new tokens, never the echoed prompt).

`chat` answers one conversation, `ask` one question about some images, and `ask_batch` many
(images, question) pairs at once with left padding, returning answers in input order.
"""

from __future__ import annotations

import torch

from course_utils.i18n import message, render
from course_utils.images import load_image
from course_utils.messages import MessageError, build_messages, split_media, validate_messages
from course_utils.progress import progress_bar
from course_utils.video import video_processor_inputs

DEFAULT_MAX_NEW_TOKENS = 32


def supports_video(processor) -> bool:
    """SmolVLM2 processors take a video input; SmolVLM v1 gets a video as timestamped images."""
    return getattr(processor, "video_processor", None) is not None


def encode_conversations(
    processor,
    conversations: list[list[dict]],
    add_generation_prompt: bool,
    padding_side: str,
    **images_kwargs,
) -> dict:
    """Template and tokenise conversations with their pictures and videos into one padded batch.

    `images_kwargs` go to the image processor (e.g. `do_image_splitting=False`). `prepare_inputs`
    (left padding, answer prompt) is the generation case; training collators pad on the right.
    """
    texts, images, videos = [], [], []
    for messages in conversations:
        template, sample_images, sample_videos = split_media(
            messages, video_as_frames=not supports_video(processor)
        )
        texts.append(
            processor.apply_chat_template(
                template, add_generation_prompt=add_generation_prompt, tokenize=False
            )
        )
        images.append([load_image(image) for image in sample_images])
        videos.extend(sample_videos)
    kwargs = dict(text=texts, return_tensors="pt", padding=True, padding_side=padding_side)
    if any(images):
        kwargs.update(images_kwargs, images=images)
    if videos:
        frames, metadata = zip(*(video_processor_inputs(video) for video in videos))
        kwargs.update(videos=list(frames), video_metadata=list(metadata), do_sample_frames=False)
    return processor(**kwargs)


LAST_TURN_NOT_USER = message(
    "generation.last_turn_not_user",
    "The last turn must be a user turn: the model answers the user. "
    "This conversation ends with a {role} turn.",
)


def prepare_inputs(processor, conversations: list[list[dict]]) -> dict:
    """Tokenise conversations (ending in a user turn) into one left-padded batch."""
    for messages in conversations:
        validate_messages(messages)
        if messages[-1]["role"] != "user":
            raise MessageError(render(LAST_TURN_NOT_USER, role=messages[-1]["role"]))
    return encode_conversations(processor, conversations, add_generation_prompt=True, padding_side="left")


@torch.inference_mode()
def generate_answers(
    model, processor, conversations: list[list[dict]], max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
) -> list[str]:
    """Greedy answers for a batch of conversations: only the newly generated text, stripped."""
    inputs = prepare_inputs(processor, conversations).to(model.device, dtype=model.dtype)
    output = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    new_tokens = output[:, inputs["input_ids"].shape[1] :]
    return [text.strip() for text in processor.batch_decode(new_tokens, skip_special_tokens=True)]


def chat(model, processor, messages: list[dict], max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> str:
    """The model's answer to one conversation (a list of turns ending with a user turn)."""
    return generate_answers(model, processor, [messages], max_new_tokens)[0]


def ask(
    model,
    processor,
    images,
    question: str,
    system: str | None = None,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
    video=None,
) -> str:
    """Ask one question about `images` (one, several, or None) and/or a sampled `video`."""
    messages = build_messages(question, images=images, system=system, video=video)
    return chat(model, processor, messages, max_new_tokens)


BAD_BATCH_SIZE = message(
    "generation.bad_batch_size",
    "batch_size must be a whole number of questions, at least 1; got {batch_size!r}.",
)
NOT_A_PAIR = message(
    "generation.not_a_pair",
    "pairs[{index}] is a {type_name}, not an (images, question) pair: "
    "pass a list such as [(image, 'What colour is the shape?'), ...].",
)
BATCHES = message("generation.batches", "batches")


def ask_batch(
    model,
    processor,
    pairs,
    system: str | None = None,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
    batch_size: int = 16,
    progress: bool = True,
) -> list[str]:
    """Answers to many `(images, question)` pairs, generated `batch_size` at a time, in input order."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(render(BAD_BATCH_SIZE, batch_size=batch_size))
    pairs = list(pairs)
    for index, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(render(NOT_A_PAIR, index=index, type_name=type(pair).__name__))
    conversations = [build_messages(question, images, system) for images, question in pairs]
    answers: list[str] = []
    starts = range(0, len(conversations), batch_size)
    for start in progress_bar(starts, desc=render(BATCHES), disable=not progress or len(starts) < 2):
        chunk = conversations[start : start + batch_size]
        answers.extend(generate_answers(model, processor, chunk, max_new_tokens))
    return answers
