"""Tests for course_utils.video: seek-based frame sampling on synthetic videos whose frames
encode their second (palette colour) and frame index (top strip), plus every bad input. The odd
files (other codecs, audio, rotation, variable frame rate...) come from video_fixtures."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
import time
import warnings
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from video_fixtures import make_audio_only_file, make_video_without_frames, write_video

import course_utils.video as video
from course_utils.images import frame_grid
from course_utils.video import (
    SampledVideo,
    VideoError,
    VideoNotFoundError,
    sample_frames,
    video_processor_inputs,
)
from course_utils.video_synth import (
    COLOR_NAMES,
    FPS,
    colour_shown,
    draw_frame,
    frame_index_shown,
    make_test_video,
    palette_index_shown,
    random_colors,
)

# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="session")
def clip(video_dir):
    """10 s, 10 fps, 320x240 H.264 mp4, keyframe every 2 s."""
    return make_test_video(video_dir / "clip.mp4", seconds=10)


@pytest.fixture(scope="session")
def long_clip(video_dir):
    """2 minutes at 10 fps (1,200 frames), keyframe every 2 s, small frames."""
    return make_test_video(video_dir / "long.mp4", seconds=120, size=(160, 120))


def assert_frames_match(sampled: SampledVideo, written_times: list[float]) -> None:
    """Each frame is the written frame whose time is its timestamp, and shows that second."""
    for frame, timestamp in zip(sampled.frames, sampled.timestamps, strict=True):
        index = min(range(len(written_times)), key=lambda i: abs(written_times[i] - timestamp))
        assert written_times[index] == pytest.approx(timestamp, abs=1e-3)
        assert frame_index_shown(frame) == index % 2048
        assert palette_index_shown(frame) == int(timestamp + 1e-6) % 10


def covering_time(written_times: list[float], target: float) -> float:
    return max(t for t in written_times if t <= target + 1e-9)


# ----------------------------------------------------------------------------- sampling


def test_num_frames_gives_the_frame_on_screen_at_evenly_spaced_times(clip):
    sampled = sample_frames(clip.path, num_frames=5)
    assert sampled.timestamps == pytest.approx([0.0, 2.5, 5.0, 7.5, 9.9])
    assert [frame_index_shown(f) for f in sampled.frames] == [0, 25, 50, 75, 99]
    assert [palette_index_shown(f) for f in sampled.frames] == [0, 2, 5, 7, 9]
    assert all(f.mode == "RGB" and f.size == (320, 240) for f in sampled.frames)
    assert len(sampled) == 5
    assert (sampled.width, sampled.height) == (320, 240)
    assert sampled.duration == pytest.approx(10.0, abs=0.05)
    assert sampled.native_fps == pytest.approx(FPS)
    assert sampled.frame_count == 100
    assert sampled.source == str(clip.path)


def test_fps_mode_takes_one_frame_every_1_over_fps_seconds(clip):
    sampled = sample_frames(clip.path, fps=2)
    assert sampled.timestamps == pytest.approx([i / 2 for i in range(20)])
    assert_frames_match(sampled, clip.timestamps)


def test_fps_mode_over_an_interval(clip):
    sampled = sample_frames(clip.path, fps=1, start=2, end=5)
    assert sampled.timestamps == pytest.approx([2.0, 3.0, 4.0])
    assert [palette_index_shown(f) for f in sampled.frames] == [2, 3, 4]


def test_num_frames_over_an_interval_includes_both_ends(clip):
    sampled = sample_frames(clip.path, num_frames=3, start=4.0, end=6.0)
    assert sampled.timestamps == pytest.approx([4.0, 5.0, 6.0])
    assert [frame_index_shown(f) for f in sampled.frames] == [40, 50, 60]


def test_fps_mode_is_capped_at_max_frames_with_a_warning(clip):
    with pytest.warns(UserWarning, match="max_frames=8"):
        sampled = sample_frames(clip.path, fps=10, max_frames=8)
    assert len(sampled) == 8
    # spread evenly over the video instead (every 1.25 s), each the frame on screen then
    assert sampled.timestamps == pytest.approx([0.0, 1.2, 2.5, 3.7, 5.0, 6.2, 7.5, 8.7])
    assert_frames_match(sampled, clip.timestamps)


def test_asking_for_more_frames_than_exist_returns_each_frame_once(clip):
    with pytest.warns(
        UserWarning, match=r"clip\.mp4' has fewer frames in that span: returning 11 distinct frames"
    ):
        sampled = sample_frames(clip.path, num_frames=40, start=1.0, end=2.0)
    assert sampled.timestamps == pytest.approx([1.0 + i / 10 for i in range(11)])
    assert [frame_index_shown(f) for f in sampled.frames] == list(range(10, 21))


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("vp9.webm", {}),
        ("h264.mkv", {"audio": True}),
        ("h264.mov", {}),
        ("with_audio.mp4", {"audio": True}),
        ("opus_audio.webm", {"audio": True}),
    ],
)
def test_containers_and_audio_tracks(video_dir, name, options):
    written = write_video(video_dir / name, seconds=4, **options)
    sampled = sample_frames(written.path, num_frames=4, start=0.5)
    assert sampled.timestamps == pytest.approx([0.5, 1.6, 2.8, 3.9])
    assert_frames_match(sampled, written.timestamps)
    assert sampled.duration == pytest.approx(4.0, abs=0.1)
    with av.open(str(written.path)) as container:  # the fixture wrote what the test is about
        codecs = [stream.codec_context.name for stream in container.streams]
    assert codecs == ["vp9" if name.endswith(".webm") else "h264"] + (
        ["opus" if name.endswith(".webm") else "aac"] if options.get("audio") else []
    )


def test_variable_frame_rate_uses_real_presentation_times(video_dir):
    written = write_video(video_dir / "vfr.mp4", seconds=6, variable_frame_rate=True)
    regular = [i / FPS for i in range(len(written.timestamps))]
    assert written.timestamps != pytest.approx(regular, abs=0.01)  # the file really is VFR
    targets = np.linspace(0, 5.9, 9)
    sampled = sample_frames(written.path, num_frames=9, end=5.9)
    expected = [covering_time(written.timestamps, t) for t in targets]
    assert sampled.timestamps == pytest.approx(expected, abs=1e-3)
    assert_frames_match(sampled, written.timestamps)


@pytest.mark.parametrize(("name", "rotation"), [("r90.mp4", 90), ("r180.mov", 180), ("r270.mkv", 270)])
def test_rotation_metadata_is_applied_so_frames_are_upright(video_dir, name, rotation):
    written = write_video(video_dir / name, seconds=3, size=(320, 240), rotation=rotation)
    sampled = sample_frames(written.path, num_frames=3)
    display = (240, 320) if rotation % 180 else (320, 240)
    assert all(frame.size == display for frame in sampled.frames)
    assert (sampled.width, sampled.height) == display
    # the index strip (white marker cell first) reads correctly only when the frame is upright
    assert [frame_index_shown(f) for f in sampled.frames] == [0, 15, 29]
    assert [palette_index_shown(f) for f in sampled.frames] == [0, 1, 2]


def test_decoding_cost_follows_the_frames_requested_not_the_video_length(long_clip, monkeypatch):
    decoders = []

    class CountingDecoder(video._Decoder):
        def __init__(self, *args):
            super().__init__(*args)
            decoders.append(self)

    monkeypatch.setattr(video, "_Decoder", CountingDecoder)
    sampled = sample_frames(long_clip.path, num_frames=8)
    assert_frames_match(sampled, long_clip.timestamps)
    gop = 2 * FPS  # at most one keyframe interval decoded per requested frame
    assert decoders[-1].frames_decoded <= 8 * (gop + 2) < len(long_clip.timestamps) // 5
    assert decoders[-1].seeks == 8

    # targets inside the GOP being decoded continue decoding instead of seeking again
    sampled = sample_frames(long_clip.path, fps=5, start=60.0, end=62.0)
    assert sampled.timestamps == pytest.approx([60 + i / 5 for i in range(10)])
    assert decoders[-1].seeks == 1
    assert decoders[-1].frames_decoded <= 2 * gop + 2


def test_video_metadata_matches_transformers_fields(clip):
    from transformers.video_utils import VideoMetadata

    sampled = sample_frames(clip.path, num_frames=4)
    frames, metadata = video_processor_inputs(sampled)
    assert frames == sampled.frames
    assert isinstance(metadata, VideoMetadata)
    assert metadata.total_num_frames == 100
    assert metadata.fps == pytest.approx(10)
    assert (metadata.width, metadata.height) == (320, 240)
    assert metadata.duration == pytest.approx(10.0, abs=0.05)
    assert metadata.frames_indices == [0, 33, 66, 99]
    assert metadata.timestamps == pytest.approx(sampled.timestamps)


def test_video_metadata_shows_the_right_second_for_variable_frame_rate(video_dir):
    written = write_video(video_dir / "vfr_meta.mkv", seconds=8, fps=7, variable_frame_rate=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # irregular spacing: fewer distinct frames than targets
        sampled = sample_frames(written.path, fps=7, max_frames=200)
    assert len(sampled) > 40
    metadata = video_processor_inputs(sampled)[1]
    assert [int(t + 1e-6) for t in metadata.timestamps] == [int(t + 1e-6) for t in sampled.timestamps]


# ----------------------------------------------------------------------------- showing and models


def test_frame_grid_titles_each_frame_with_its_time(clip):
    sampled = sample_frames(clip.path, num_frames=5)
    figure = frame_grid(sampled, columns=3)
    axes = figure.get_axes()
    assert len(axes) == 6  # 2 rows x 3 columns, the last one empty
    titles = [ax.get_title() for ax in axes]
    assert titles == ["00:00.0", "00:02.5", "00:05.0", "00:07.5", "00:09.9", ""]
    assert len(axes[0].get_images()) == 1 and not axes[-1].get_images()
    plain = frame_grid(sampled.frames[:2], timestamps=[1.0, 2.0])
    assert [ax.get_title() for ax in plain.get_axes()] == ["00:01.0", "00:02.0"]


@pytest.fixture(scope="session")
def smolvlm2_processor():
    """A SmolVLM2 processor built locally: byte-level BPE tokenizer, small image/video sizes."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (
        PreTrainedTokenizerFast,
        SmolVLMImageProcessor,
        SmolVLMProcessor,
        SmolVLMVideoProcessor,
    )
    from transformers.models.smolvlm.processing_smolvlm import DEFAULT_CHAT_TEMPLATE

    specials = ["<|endoftext|>", "<|im_start|>", "<end_of_utterance>", "<fake_token_around_image>"]
    specials += ["<image>", "<global-img>", "<video>"]
    specials += [f"<row_{r}_col_{c}>" for r in range(1, 7) for c in range(1, 7)]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=specials,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    bpe.train_from_iterator(["Frame from 00:01: User: Assistant: What changes?"], trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        bos_token="<|im_start|>",
        eos_token="<end_of_utterance>",
        pad_token="<|endoftext|>",
        unk_token="<|endoftext|>",
        additional_special_tokens=specials[2:],
    )
    small = {"longest_edge": 64}
    return SmolVLMProcessor(
        image_processor=SmolVLMImageProcessor(size={"longest_edge": 128}, max_image_size=small),
        video_processor=SmolVLMVideoProcessor(size=small, max_image_size=small),
        tokenizer=tokenizer,
        image_seq_len=4,
        chat_template=DEFAULT_CHAT_TEMPLATE,
    )


def frame_lines(text: str) -> list[str]:
    return [line.split(":<")[0] for line in text.splitlines() if line.startswith("Frame from ")]


def test_smolvlm2_processor_prints_our_timestamps(clip, smolvlm2_processor):
    processor = smolvlm2_processor
    sampled = sample_frames(clip.path, fps=1, start=3, end=8)  # 3, 4, 5, 6, 7 s
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "video", "video": sampled},
                {"type": "text", "text": "What changes?"},
            ],
        }
    ]
    prompt = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert prompt.count("<video>") == 1
    frames, metadata = video_processor_inputs(sampled)
    assert frames == sampled.frames
    inputs = processor(
        text=prompt,
        videos=[frames],
        video_metadata=[metadata],
        do_sample_frames=False,
        return_tensors="pt",
    )
    assert tuple(inputs["pixel_values"].shape[:2]) == (1, 5)
    text = processor.tokenizer.decode(inputs["input_ids"][0])
    assert "following series of five frames from a 0:00:10 [H:MM:SS] video" in text
    assert frame_lines(text) == [f"Frame from 00:0{s}" for s in range(3, 8)]


def test_smolvlm2_video_processor_keeps_our_frames_and_timestamps(clip):
    from transformers import SmolVLMVideoProcessor

    sampled = sample_frames(clip.path, num_frames=4)
    frames, metadata = video_processor_inputs(sampled)
    processor = SmolVLMVideoProcessor(size={"longest_edge": 64}, max_image_size={"longest_edge": 64})
    out = processor(
        videos=[frames],
        video_metadata=[metadata],
        do_sample_frames=False,
        return_metadata=True,
        return_tensors="pt",
    )
    assert tuple(out["pixel_values"].shape) == (1, 4, 3, 64, 64)
    assert out["video_metadata"][0].timestamps == pytest.approx(sampled.timestamps)


# ----------------------------------------------------------------------------- bad input


def test_argument_mistakes_raise_value_error(clip):
    with pytest.raises(ValueError, match="exactly one of `num_frames`"):
        sample_frames(clip.path)
    with pytest.raises(ValueError, match="exactly one of `num_frames`"):
        sample_frames(clip.path, num_frames=4, fps=1)
    with pytest.raises(ValueError, match="positive integer"):
        sample_frames(clip.path, num_frames=0)
    with pytest.raises(ValueError, match="positive number"):
        sample_frames(clip.path, fps=-1)


@pytest.mark.parametrize(
    ("interval", "message"),
    [
        ({"start": 12}, r"start=12 s to end=10 s"),
        ({"end": 15}, r"start=0 s to end=15 s"),
        ({"start": 5, "end": 3}, r"start=5 s to end=3 s"),
        ({"start": 4, "end": 4}, r"start=4 s to end=4 s"),
        ({"start": -1}, r"start=-1 s to end=10 s"),
    ],
)
def test_interval_outside_the_video_is_a_clear_error(clip, interval, message):
    rule = r": it lasts 10\.000 s, and times need 0 <= start < end <= its length"
    with pytest.raises(VideoError, match=rf"Cannot sample .*clip\.mp4.* from {message}{rule}"):
        sample_frames(clip.path, num_frames=2, **interval)


def test_the_last_frame_time_rounded_up_is_still_inside(clip):
    assert sample_frames(clip.path, num_frames=2, end=10.05).timestamps == pytest.approx([0.0, 9.9])


def test_missing_file(tmp_path):
    missing = tmp_path / "holiday.mp4"
    with pytest.raises(VideoNotFoundError, match=r"Video file not found: .*holiday\.mp4") as info:
        sample_frames(missing, num_frames=2)
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, VideoError)


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(VideoError, match="is a folder, not a video file"):
        sample_frames(tmp_path, num_frames=2)


def test_text_file_is_not_a_video(tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("these are my lecture notes\n" * 20)
    with pytest.raises(VideoError, match=r"notes\.mp4.* is not a readable video"):
        sample_frames(fake, num_frames=2)


def test_renamed_png_is_reported_as_an_image(tmp_path):
    fake = tmp_path / "photo.mp4"
    Image.new("RGB", (32, 32), "red").save(fake, format="PNG")
    with pytest.raises(VideoError, match=r"photo\.mp4.* is a still image \(PNG\), not a video"):
        sample_frames(fake, num_frames=2)


def test_audio_only_file(tmp_path):
    song = make_audio_only_file(tmp_path / "song.m4a")
    with pytest.raises(VideoError, match=r"song\.m4a.* has only audio .*no video track"):
        sample_frames(song, num_frames=2)


def test_video_stream_without_frames(tmp_path):
    empty = make_video_without_frames(tmp_path / "empty.mkv")
    with pytest.raises(VideoError, match=r"No video frame could be decoded from .*empty\.mkv"):
        sample_frames(empty, num_frames=2)


def test_truncated_mp4_with_index_at_the_end_is_a_clear_error(clip, tmp_path):
    partial = tmp_path / "partial.mp4"
    partial.write_bytes(clip.path.read_bytes()[: clip.path.stat().st_size // 2])
    with pytest.raises(VideoError, match=r"partial\.mp4.* is not a readable video.*truncated"):
        sample_frames(partial, num_frames=2)


def test_truncated_faststart_mp4_gives_the_readable_frames_with_a_warning(video_dir, tmp_path):
    written = write_video(video_dir / "faststart.mp4", seconds=10, faststart=True)
    partial = tmp_path / "partial_faststart.mp4"
    partial.write_bytes(written.path.read_bytes()[: written.path.stat().st_size // 2])
    started = time.perf_counter()
    with pytest.warns(UserWarning, match=r"partial_faststart\.mp4.* looks truncated"):
        sampled = sample_frames(partial, num_frames=5)
    assert time.perf_counter() - started < 10  # never a hang
    assert 1 <= len(sampled) < 5
    assert sampled.timestamps[0] == 0.0
    assert_frames_match(sampled, written.timestamps)


def test_truncated_matroska_drops_the_times_past_its_readable_part(video_dir, tmp_path):
    written = make_test_video(video_dir / "to_cut.mkv", seconds=10)
    partial = tmp_path / "partial.mkv"
    partial.write_bytes(written.path.read_bytes()[: written.path.stat().st_size * 3 // 10])
    with pytest.warns(UserWarning, match=r"partial\.mkv.* looks truncated .*pictures stop at"):
        sampled = sample_frames(partial, num_frames=5)
    assert sampled.timestamps == pytest.approx([0.0, 2.5])
    assert_frames_match(sampled, written.timestamps)


def test_file_cut_inside_its_header(clip, tmp_path):
    header_only = tmp_path / "header_only.mp4"
    header_only.write_bytes(clip.path.read_bytes()[:40])
    with pytest.raises(VideoError, match=r"header_only\.mp4"):
        sample_frames(header_only, num_frames=2)


# ----------------------------------------------------------------------------- URLs


@pytest.fixture
def http_server(clip):
    """Serve the clip's folder over http on localhost."""
    folder = clip.path.parent

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_url(http_server, clip):
    sampled = sample_frames(f"{http_server}/clip.mp4", num_frames=3)
    assert sampled.timestamps == pytest.approx([0.0, 5.0, 9.9])
    assert_frames_match(sampled, clip.timestamps)


def test_http_url_not_found(http_server):
    with pytest.raises(VideoError, match=r"/gone\.mp4' is not a readable video: .*404"):
        sample_frames(f"{http_server}/gone.mp4", num_frames=3)


def test_http_url_that_never_answers_times_out():
    with socket.socket() as silent:  # accepts connections, never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/lecture.mp4"
        started = time.perf_counter()
        with pytest.raises(VideoError, match=r"lecture\.mp4' .*no answer within timeout=0\.5 s"):
            sample_frames(url, num_frames=3, timeout=0.5)
        assert time.perf_counter() - started < 5


def test_http_url_refused():
    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(VideoError, match=rf"'http://127\.0\.0\.1:{port}/x\.mp4' is not a readable video: "):
        sample_frames(f"http://127.0.0.1:{port}/x.mp4", num_frames=3)


def test_no_warnings_for_a_clean_sample(clip):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sample_frames(clip.path, num_frames=6)


def test_copied_file_with_other_extension_still_works(clip, tmp_path):
    renamed = tmp_path / "clip.video"
    shutil.copy(clip.path, renamed)
    assert sample_frames(renamed, num_frames=2).timestamps == pytest.approx([0.0, 9.9])


# ----------------------------------------------------------------------------- integration
# Integration with the other course modules: the embedded tiny models (course_utils.loading) and
# course_utils.generation.


@pytest.fixture(scope="session")
def load_tiny(tiny, tiny_video):
    return {"tiny": tiny, "tiny-video": tiny_video}.__getitem__


def test_integration_smolvlm_v1_gets_the_video_as_timestamped_images(clip, load_tiny):
    from course_utils.generation import ask, prepare_inputs
    from course_utils.messages import build_messages

    model, processor = load_tiny("tiny")
    sampled = sample_frames(clip.path, num_frames=3, start=1, end=5)  # 1, 3, 5 s
    messages = build_messages("What changes?", video=sampled)
    inputs = prepare_inputs(processor, [messages])
    text = processor.tokenizer.decode(inputs["input_ids"][0])
    starts = [text.index(f"Frame at 00:0{s}:") for s in (1, 3, 5)]
    assert starts == sorted(starts)
    assert text.count("<fake_token_around_image><global-img>") == 3
    assert isinstance(ask(model, processor, None, "What changes?", video=sampled), str)


def test_integration_smolvlm2_gets_the_video_with_our_timestamps(clip, load_tiny):
    from course_utils.generation import ask, prepare_inputs
    from course_utils.messages import build_messages

    model, processor = load_tiny("tiny-video")
    sampled = sample_frames(clip.path, fps=0.5, start=2, end=10)  # 2, 4, 6, 8 s
    messages = build_messages("What changes?", video=sampled)
    inputs = prepare_inputs(processor, [messages])
    assert tuple(inputs["pixel_values"].shape[:2]) == (1, 4)
    text = processor.tokenizer.decode(inputs["input_ids"][0])
    assert frame_lines(text) == [f"Frame from 00:0{s}" for s in (2, 4, 6, 8)]
    assert isinstance(ask(model, processor, None, "What changes?", video=sampled), str)


# ----------------------------------------------------------------------------- the synthetic videos


def test_random_colours_never_repeat_a_second():
    for seed in range(100):
        for seconds in (2, 3, 6, 8):
            colors = random_colors(seconds, seed)
            assert len(colors) == seconds
            assert all(first != second for first, second in zip(colors, colors[1:]))
    assert random_colors(8, 8) == random_colors(8, 8)  # a seed gives one video


def test_make_test_video_shows_the_colours_it_reports(tmp_path):
    colors = random_colors(6, seed=3)
    written = make_test_video(tmp_path / "colours.mp4", seconds=6, size=(160, 120), colors=colors)
    assert written.color_names == [COLOR_NAMES[c] for c in colors]
    assert written.timestamps == pytest.approx([i / FPS for i in range(6 * FPS)])
    sampled = sample_frames(written.path, fps=1)
    assert (sampled.width, sampled.height, sampled.native_fps) == (160, 120, FPS)
    assert [colour_shown(frame) for frame in sampled.frames] == written.color_names
    assert [palette_index_shown(frame) for frame in sampled.frames] == colors
    assert [frame_index_shown(frame) for frame in sampled.frames] == [s * FPS for s in range(6)]


def test_a_part_second_gets_its_colour_name_too(tmp_path):
    written = make_test_video(tmp_path / "short.mkv", seconds=2.5)
    assert written.color_names == ["red", "green", "blue"]
    assert sample_frames(written.path, num_frames=2).timestamps == pytest.approx([0.0, 2.4])


def test_make_test_video_needs_an_even_size(tmp_path):
    with pytest.raises(ValueError, match="even width and height"):
        make_test_video(tmp_path / "odd.mp4", seconds=1, size=(161, 120))


def test_draw_frame_reads_back_without_encoding():
    frame = draw_frame(3, 1234, (160, 120), colors=[5, 6, 7, 8])
    assert frame.size == (160, 120)
    assert (frame_index_shown(frame), colour_shown(frame)) == (1234, "grey")  # colors[3] = 8
    assert frame_index_shown(Image.new("RGB", (160, 120), "black")) == -1  # no strip


def test_tick_is_no_longer_a_name_of_the_video_module():
    assert "TICK" not in vars(video) and "clock" not in vars(video)
