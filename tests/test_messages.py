"""Building and validating chat messages."""

from pathlib import Path

import pytest
from PIL import Image

from course_utils.messages import (
    MessageError,
    assistant_turn,
    build_messages,
    split_media,
    system_turn,
    user_turn,
    validate_messages,
    video_to_image_parts,
)
from course_utils.video import SampledVideo

PICTURE = Image.new("RGB", (32, 32), "red")


def test_build_messages_puts_system_images_then_question():
    messages = build_messages("What is it?", images=[PICTURE, PICTURE], system="Be brief.")
    assert [m["role"] for m in messages] == ["system", "user"]
    assert [p["type"] for p in messages[1]["content"]] == ["image", "image", "text"]
    assert messages[1]["content"][0]["image"] is PICTURE
    assert messages[1]["content"][-1]["text"] == "What is it?"


def test_build_messages_accepts_a_single_image_or_none():
    assert [p["type"] for p in build_messages("Hi", images=PICTURE)[0]["content"]] == [
        "image",
        "text",
    ]
    assert [p["type"] for p in build_messages("Hi", images=None)[0]["content"]] == ["text"]


def test_turn_helpers_make_a_valid_multi_turn_conversation():
    messages = [
        system_turn("You are helpful."),
        user_turn(PICTURE, Path("x.png"), "Compare them."),
        assistant_turn("They differ."),
        user_turn("Why?"),
    ]
    validate_messages(messages)
    assert messages[1]["content"][1] == {"type": "image", "image": Path("x.png")}


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([], "non-empty list"),
        ("hello", "non-empty list"),
        ([{"role": "bot", "content": [{"type": "text", "text": "x"}]}], "role 'bot'"),
        ([{"role": "user", "content": [{"type": "image"}]}], "without an image"),
        ([{"role": "user", "content": [{"type": "text", "text": 42}]}], "is a int, not a string"),
        ([{"role": "user", "content": [{"type": "audio"}]}], "type 'audio'"),
        ([{"role": "user"}], "needs 'content'"),
        ([{"role": "user", "content": ["plain string"]}], "each part must be a dict"),
        (
            [user_turn("a"), {"role": "system", "content": [{"type": "text", "text": "s"}]}],
            "system prompt must come first",
        ),
        (
            [{"role": "assistant", "content": [{"type": "image", "image": PICTURE}]}],
            "media go in user turns",
        ),
    ],
)
def test_bad_structures_raise_clear_errors(messages, expected):
    with pytest.raises(MessageError, match=expected):
        validate_messages(messages)


def test_placeholders_are_allowed_for_training_rows_only():
    row = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "q"}]}]
    validate_messages(row, allow_placeholders=True)
    with pytest.raises(MessageError):
        validate_messages(row)


def test_user_turn_rejects_unknown_objects():
    with pytest.raises(MessageError, match="Cannot turn a int"):
        user_turn(3)


def test_split_media_replaces_images_with_placeholders_in_order():
    other = Image.new("RGB", (8, 8), "blue")
    template, images, videos = split_media([user_turn(PICTURE, "and", other, "?")], video_as_frames=True)
    assert images == [PICTURE, other]
    assert videos == []
    assert template[0]["content"] == [
        {"type": "image"},
        {"type": "text", "text": "and"},
        {"type": "image"},
        {"type": "text", "text": "?"},
    ]


def test_a_video_becomes_timestamped_image_parts_for_image_only_models():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "green", "blue")]
    sampled = SampledVideo(frames, [0.0, 4.96, 65.5], 70.0, 10.0, 700, 8, 8, "clip.mp4")
    parts = video_to_image_parts(sampled)
    assert [p["type"] for p in parts] == ["text", "image"] * 3
    assert [p["text"] for p in parts[::2]] == ["Frame at 00:00:", "Frame at 00:04:", "Frame at 01:05:"]
    assert [p["image"] for p in parts[1::2]] == frames
