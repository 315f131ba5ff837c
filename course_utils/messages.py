"""Chat messages for SmolVLM: system, user and assistant turns made of text, image and video parts.

Build conversations with `build_messages` or the `*_turn` helpers, check them with
`validate_messages` (errors say what is wrong and where), split them into the template's placeholders
plus the media with `split_media`; `video_to_image_parts` gives SmolVLM v1 a video as timestamped pictures,
each after its time written by `format_timestamp` ('Frame at 00:03:').
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image

from course_utils.i18n import message, render

ROLES = ("system", "user", "assistant")
PART_TYPES = ("text", "image", "video")


class MessageError(ValueError):
    """A conversation has the wrong structure; the message says where and how to fix it."""


def whole_second(seconds: float) -> int:
    """The whole second a time falls in, as SmolVLM labels frames: 3.7 -> 3. A time a float error
    short of a second counts as that second (2.9999999 -> 3)."""
    return math.floor(seconds + 1e-6)


def format_timestamp(seconds: float, decimals: int = 0) -> str:
    """'MM:SS' of a time in seconds, the course's one timestamp format.

    By default the whole second it falls in, as SmolVLM's prompts write frame times: 3.7 -> '00:03';
    with `decimals`, the seconds rounded to that many decimals (frame titles): 3.04, 1 -> '00:03.0'.
    """
    seconds = max(seconds, 0.0)
    if not decimals:
        minutes, rest = divmod(whole_second(seconds), 60)
        return f"{minutes:02d}:{rest:02d}"
    minutes, rest = divmod(round(seconds, decimals), 60)
    return f"{int(minutes):02d}:{rest:0{decimals + 3}.{decimals}f}"


def text_part(text: str) -> dict:
    return {"type": "text", "text": text}


def image_part(image) -> dict:
    """An image part; `image` is a PIL image, a path or an http(s) URL (opened later)."""
    return {"type": "image", "image": image}


def video_part(video) -> dict:
    """A video part holding a `SampledVideo` from `course_utils.video.sample_frames`."""
    return {"type": "video", "video": video}


def video_to_image_parts(sampled) -> list[dict]:
    """A sampled video as parts for image-only models (SmolVLM v1 / Idefics3): a 'Frame at MM:SS:'
    text part before each frame's image part."""
    parts = []
    for frame, timestamp in zip(sampled.frames, sampled.timestamps, strict=True):
        parts += [text_part(f"Frame at {format_timestamp(timestamp)}:"), image_part(frame)]
    return parts


CANNOT_BE_PART = message(
    "messages.cannot_be_part",
    "Cannot turn a {type_name} into a message part: pass text (str), an image "
    "(PIL image or Path), a sampled video, or a part dict such as {{'type': 'text', ...}}.",
)


def _as_part(item) -> dict:
    if isinstance(item, dict):
        return item
    if isinstance(item, str):
        return text_part(item)
    if isinstance(item, (Image.Image, Path)):
        return image_part(item)
    if hasattr(item, "frames") and hasattr(item, "timestamps"):
        return video_part(item)
    raise MessageError(render(CANNOT_BE_PART, type_name=type(item).__name__))


def system_turn(text: str) -> dict:
    return {"role": "system", "content": [text_part(text)]}


def user_turn(*items) -> dict:
    """A user turn from text, images (PIL or Path; use `image_part` for URLs) and videos, in order."""
    return {"role": "user", "content": [_as_part(item) for item in items]}


def assistant_turn(text: str) -> dict:
    return {"role": "assistant", "content": [text_part(text)]}


def build_messages(question: str, images=(), system: str | None = None, video=None) -> list[dict]:
    """One-question conversation: optional system prompt, then the images (or video), then text."""
    if images is None:
        images = ()
    elif isinstance(images, (Image.Image, str, Path)):
        images = (images,)
    messages = [system_turn(system)] if system else []
    media = [image_part(image) for image in images]
    if video is not None:
        media.append(video_part(video))
    messages.append({"role": "user", "content": [*media, text_part(question)]})
    validate_messages(messages)
    return messages


PART_NOT_DICT = message(
    "messages.part_not_dict",
    "{where} is a {type_name}; each part must be a dict like "
    "{{'type': 'text', 'text': '...'}} or {{'type': 'image', 'image': picture}}.",
)
UNKNOWN_PART_TYPE = message("messages.unknown_part_type", "{where} has type {kind!r}; use one of {types}.")
TEXT_NOT_STRING = message(
    "messages.text_not_string", "{where} is a text part whose 'text' is a {type_name}, not a string."
)
MEDIA_OUTSIDE_USER = message(
    "messages.media_outside_user", "{where} puts a {kind} in a {role} turn; media go in user turns."
)
MEDIA_MISSING = message(
    "messages.media_missing",
    "{where} is an {kind} part without an {kind}: write "
    "{{'type': '{kind}', '{kind}': ...}} (the {kind} itself, not only its type).",
)


def _check_part(part, where: str, role: str, allow_placeholders: bool) -> None:
    if not isinstance(part, dict):
        raise MessageError(render(PART_NOT_DICT, where=where, type_name=type(part).__name__))
    kind = part.get("type")
    if kind not in PART_TYPES:
        raise MessageError(render(UNKNOWN_PART_TYPE, where=where, kind=kind, types=PART_TYPES))
    if kind == "text" and not isinstance(part.get("text"), str):
        found = type(part.get("text")).__name__
        raise MessageError(render(TEXT_NOT_STRING, where=where, type_name=found))
    if kind in ("image", "video"):
        if role != "user":
            raise MessageError(render(MEDIA_OUTSIDE_USER, where=where, kind=kind, role=role))
        if part.get(kind) is None and not allow_placeholders:
            raise MessageError(render(MEDIA_MISSING, where=where, kind=kind))


NOT_A_CONVERSATION = message(
    "messages.not_a_conversation", "A conversation must be a non-empty list of turns (dicts)."
)
WHERE_TURN = message("messages.where_turn", "Turn {index}")
WHERE_PART = message("messages.where_part", "Turn {index} ({role}), part {part}")
TURN_NOT_DICT = message("messages.turn_not_dict", "{where} is a {type_name}; each turn must be a dict.")
UNKNOWN_ROLE = message("messages.unknown_role", "{where} has role {role!r}; use one of {roles}.")
SYSTEM_NOT_FIRST = message(
    "messages.system_not_first", "{where} is a system turn; the system prompt must come first."
)
NO_CONTENT = message(
    "messages.no_content",
    "{where} ({role}) needs 'content': a non-empty list of parts, e.g. "
    "[{{'type': 'text', 'text': 'Hello'}}].",
)


def validate_messages(messages, allow_placeholders: bool = False) -> None:
    """Raise `MessageError` naming the first problem; `allow_placeholders` accepts trl rows."""
    if not isinstance(messages, (list, tuple)) or not messages:
        raise MessageError(render(NOT_A_CONVERSATION))
    for index, turn in enumerate(messages):
        where = render(WHERE_TURN, index=index)
        if not isinstance(turn, dict):
            raise MessageError(render(TURN_NOT_DICT, where=where, type_name=type(turn).__name__))
        role = turn.get("role")
        if role not in ROLES:
            raise MessageError(render(UNKNOWN_ROLE, where=where, role=role, roles=ROLES))
        if role == "system" and index != 0:
            raise MessageError(render(SYSTEM_NOT_FIRST, where=where))
        content = turn.get("content")
        if not isinstance(content, (list, tuple)) or not content:
            raise MessageError(render(NO_CONTENT, where=where, role=role))
        for part_index, part in enumerate(content):
            part_where = render(WHERE_PART, index=index, role=role, part=part_index)
            _check_part(part, part_where, role, allow_placeholders)


def split_media(messages: list[dict], video_as_frames: bool) -> tuple[list[dict], list, list]:
    """Template-ready messages (media replaced by placeholders) plus the images and videos in order.

    With `video_as_frames` (SmolVLM v1, which has no video input) a video becomes timestamped
    images; otherwise it stays one `{"type": "video"}` input for SmolVLM2's video processor.
    """
    template, images, videos = [], [], []
    for turn in messages:
        parts = []
        for part in turn["content"]:
            if part["type"] == "video" and video_as_frames:
                expanded = video_to_image_parts(part["video"])
            else:
                expanded = [part]
            for piece in expanded:
                if piece["type"] == "image":
                    images.append(piece["image"])
                    parts.append({"type": "image"})
                elif piece["type"] == "video":
                    videos.append(piece["video"])
                    parts.append({"type": "video"})
                else:
                    parts.append(piece)
        template.append({"role": turn["role"], "content": parts})
    return template, images, videos
