"""Building and validating chat messages, and the course's timestamp format."""

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from course_utils.messages import (
    MessageError,
    assistant_turn,
    build_messages,
    format_timestamp,
    split_media,
    system_turn,
    user_turn,
    validate_messages,
    video_to_image_parts,
    whole_second,
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


def test_format_timestamp_writes_the_whole_second_as_smolvlm_does():
    assert [format_timestamp(t) for t in (0, 3.7, 59.99, 60, 65.5, 3599.9)] == [
        "00:00",
        "00:03",
        "00:59",
        "01:00",
        "01:05",
        "59:59",
    ]
    assert format_timestamp(2.9999999) == "00:03"  # a float error short of 3 s is 3 s
    assert format_timestamp(-0.5) == "00:00"


def test_format_timestamp_with_decimals_for_frame_titles():
    assert format_timestamp(3.04, decimals=1) == "00:03.0"
    assert format_timestamp(75.26, decimals=1) == "01:15.3"
    assert format_timestamp(59.96, decimals=1) == "01:00.0"  # rounds before carrying the minute
    assert format_timestamp(7.256, decimals=2) == "00:07.26"


def test_whole_second_is_the_second_a_time_falls_in():
    assert [whole_second(t) for t in (0.0, 0.99, 1.0, 2.9999999, 7.5)] == [0, 0, 1, 3, 7]


def test_messages_import_no_video_decoder():
    code = "import sys, course_utils.messages; assert 'av' not in sys.modules, 'messages imported av'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
