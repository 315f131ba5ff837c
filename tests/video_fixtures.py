"""Odd video files for the tests (and the benchmark's long video): other frame rates, VP9 in WebM,
audio tracks, rotation metadata, variable frame rate, mp4 with its index first, a file with only
audio, and a video track without frames. Frames are drawn as in `course_utils.video_synth`, so
`frame_index_shown` and `palette_index_shown` read them back.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from course_utils.messages import whole_second
from course_utils.video_synth import COLOR_NAMES, FPS, PALETTE, SyntheticVideo, _h264_stream, draw_frame

TIME_BASE = Fraction(1, 90_000)  # the MPEG clock: exact for 24, 25, 30, 60 fps and for milliseconds
AUDIO_RATE = 48_000


def frame_times(seconds: float, fps: float, variable_frame_rate: bool = False) -> list[float]:
    """Presentation times of the frames: regular 1/fps steps, or irregular ones (VFR, same mean rate)."""
    count = round(seconds * fps)
    if not variable_frame_rate:
        return [i / fps for i in range(count)]
    steps = np.random.default_rng(0).uniform(0.3, 1.7, size=count) / fps
    times = np.concatenate([[0.0], np.cumsum(steps)[:-1]])
    return [round(float(t), 3) for t in times if t < seconds]


def write_video(
    path: str | Path,
    seconds: float = 10,
    fps: float = FPS,
    size: tuple[int, int] = (320, 240),
    *,
    keyframe_interval: float = 2.0,
    audio: bool = False,
    rotation: int = 0,
    variable_frame_rate: bool = False,
    faststart: bool = False,
    touch_up: Callable[[np.ndarray, int], np.ndarray] | None = None,
) -> SyntheticVideo:
    """A synthetic video like `make_test_video`'s (default colour order) with real-world options.

    The codecs follow the extension: .webm is VP9 (+ Opus audio), the others H.264 (+ AAC).
    `size` is the encoded (width, height); `rotation` is display-matrix metadata in degrees
    counter-clockwise, and the pictures are stored so that they look upright once it is applied.
    `faststart` puts an mp4/mov index first; `touch_up(pixels, index)` may change each upright
    picture before it is encoded (the benchmark adds film grain).
    """
    path = Path(path)
    webm = path.suffix.lower() == ".webm"
    times = frame_times(seconds, fps, variable_frame_rate)
    with av.open(str(path), "w", options={"movflags": "+faststart"} if faststart else {}) as container:
        if webm:
            gop = str(max(1, round(keyframe_interval * fps)))
            options = {"g": gop, "keyint_min": gop, "deadline": "realtime", "cpu-used": "8"}
            stream = container.add_stream(
                "libvpx-vp9", rate=Fraction(fps).limit_denominator(1001), options=options
            )
        else:
            stream = _h264_stream(container, fps, keyframe_interval)
        stream.width, stream.height, stream.pix_fmt = *size, "yuv420p"
        stream.codec_context.time_base = TIME_BASE
        if rotation:
            stream.set_display_rotation(rotation)
        sound = (
            container.add_stream("libopus" if webm else "aac", rate=AUDIO_RATE, layout="mono")
            if audio
            else None
        )
        upright_size = (size[1], size[0]) if rotation % 180 else size
        for index, time in enumerate(times):
            pixels = np.asarray(draw_frame(whole_second(time), index, upright_size))
            if touch_up is not None:
                pixels = touch_up(pixels, index)
            stored = np.ascontiguousarray(np.rot90(pixels, k=-rotation // 90))  # the player undoes it
            frame = av.VideoFrame.from_ndarray(stored, format="rgb24")
            frame.pts, frame.time_base = round(time / TIME_BASE), TIME_BASE
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
        if sound is not None:
            write_tone(container, sound, seconds)
    names = [COLOR_NAMES[second % len(PALETTE)] for second in range(whole_second(times[-1]) + 1)]
    return SyntheticVideo(path, times, names)


def write_tone(container: av.container.OutputContainer, stream: av.AudioStream, seconds: float) -> None:
    """A quiet 440 Hz tone; PyAV converts it to the encoder's sample format and frame size."""
    t = np.arange(int(seconds * AUDIO_RATE)) / AUDIO_RATE
    tone = (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]
    frame = av.AudioFrame.from_ndarray(tone, format="flt", layout="mono")
    frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, 0, Fraction(1, AUDIO_RATE)
    container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def make_audio_only_file(path: str | Path, seconds: float = 2.0) -> Path:
    """An audio-only file (.m4a: AAC; .webm, .ogg: Opus): something with a video extension's
    container but no picture."""
    path = Path(path)
    codec = "libopus" if path.suffix.lower() in (".webm", ".ogg", ".opus") else "aac"
    with av.open(str(path), "w") as container:
        write_tone(container, container.add_stream(codec, rate=AUDIO_RATE, layout="mono"), seconds)
    return path


def make_video_without_frames(path: str | Path, seconds: float = 1.0) -> Path:
    """A Matroska file that declares a video stream but holds only audio packets."""
    path = Path(path)
    with av.open(str(path), "w") as container:
        video = _h264_stream(container, 10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        write_tone(container, container.add_stream("aac", rate=AUDIO_RATE, layout="mono"), seconds)
        container.mux(video.encode(None))
    return path
