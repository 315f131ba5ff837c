"""Sample video frames by seeking, so the cost follows the frames you ask for, not the video length.

`sample_frames` decodes with PyAV and returns upright RGB frames with their real timestamps;
`video_processor_inputs` hands them to SmolVLM2's video processor (`images.frame_grid` shows them)."""

from __future__ import annotations

import bisect
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from course_utils.i18n import message, render
from course_utils.messages import whole_second


class VideoError(ValueError):
    """A video could not be read or sampled; the message says which file and what to do."""


class VideoNotFoundError(VideoError, FileNotFoundError):
    """The video path does not exist."""


@dataclass
class SampledVideo:
    """Frames taken from a video, with the real presentation time (seconds) of each one."""

    frames: list[Image.Image]
    timestamps: list[float]
    duration: float
    native_fps: float
    frame_count: int
    width: int
    height: int
    source: str

    def __len__(self) -> int:
        return len(self.frames)


NOT_FOUND = message("video.not_found", "Video file not found: {source!r} (relative to {folder}).")
IS_FOLDER = message("video.is_folder", "{source!r} is a folder, not a video file; pass the path of a video.")
NO_ANSWER = message(
    "video.no_answer", "no answer within timeout={timeout:g} s; check your connection or raise `timeout`"
)
INVALID_DATA = message(
    "video.invalid_data",
    "{reason}; another kind of file, or a copy or download that did not finish (truncated)",
)
NOT_READABLE = message("video.not_readable", "{source!r} is not a readable video: {reason}.")


def _open(source: str, timeout: float) -> av.container.InputContainer:
    if "://" not in source:  # a URL goes to FFmpeg as it is
        path = Path(source).expanduser()
        if not path.exists():
            raise VideoNotFoundError(render(NOT_FOUND, source=source, folder=str(Path.cwd())))
        if path.is_dir():
            raise VideoError(render(IS_FOLDER, source=source))
        source = str(path)
    try:
        return av.open(source, timeout=timeout if "://" in source else None)
    except av.error.FFmpegError as error:
        reason = getattr(error, "strerror", None) or str(error)
        if isinstance(error, av.error.ExitError | av.error.TimeoutError):
            reason = render(NO_ANSWER, timeout=timeout)
        elif isinstance(error, av.error.InvalidDataError | av.error.EOFError):
            reason = render(INVALID_DATA, reason=reason)
        raise VideoError(render(NOT_READABLE, source=source, reason=reason)) from None


STILL_IMAGE = message(
    "video.still_image", "{source!r} is a still image ({image}), not a video; open it with PIL.Image.open."
)
ONLY_AUDIO = message(
    "video.only_audio",
    "{source!r} has only audio and no video track, so there are no frames to sample. "
    "Pass a file with a picture.",
)
NO_VIDEO_TRACK = message(
    "video.no_video_track",
    "{source!r} has no video track, so there are no frames to sample. Pass a file with a picture.",
)
NO_DURATION = message(
    "video.no_duration", "{source!r} declares no duration (a live stream or a damaged file); re-encode it."
)


def _video_stream(container: av.container.InputContainer, source: str) -> tuple[av.VideoStream, float]:
    kind = container.format.name
    if kind == "image2" or kind.endswith("_pipe"):
        image = kind.removesuffix("_pipe").upper()
        raise VideoError(render(STILL_IMAGE, source=source, image=image))
    if not container.streams.video:
        raise VideoError(render(ONLY_AUDIO if container.streams.audio else NO_VIDEO_TRACK, source=source))
    stream = container.streams.video[0]
    # Slice threads only (PyAV's default): with frame threads ("AUTO", "FRAME") a decoder left before
    # the end of the file, as seek-based sampling leaves it, can hang forever when torch is loaded
    # (PyAV-Org/PyAV#1849; seen here as a test that hung in avcodec_free_context under PyAV 18.0).
    stream.thread_type = "SLICE"
    if stream.duration:
        return stream, float(stream.duration * stream.time_base)
    if container.duration:  # Matroska and WebM give it for the whole file only
        return stream, container.duration / av.time_base
    raise VideoError(render(NO_DURATION, source=source))


class _Decoder:
    """The frame on screen at each of increasing times: decodes on from the frames read when no
    keyframe lies before the next time, else seeks to the keyframe at or before it."""

    def __init__(self, container: av.container.InputContainer, stream: av.VideoStream) -> None:
        self.container, self.stream, self.start = container, stream, stream.start_time or 0
        self.keyframes = sorted(entry.timestamp for entry in stream.index_entries if entry.is_keyframe)
        self.frames = container.decode(stream)  # decoding since the last seek; None once it stops
        self.last = self.ahead = None  # the last frame at or before the latest time; the one after it
        self.at_end, self.error, self.seeks, self.frames_decoded = False, None, 0, 0

    def pts(self, seconds: float) -> int:
        return self.start + math.floor(seconds / self.stream.time_base + 1e-3)

    def seconds(self, frame: av.VideoFrame) -> float:
        return round(float((frame.pts - self.start) * self.stream.time_base), 6)

    def frame_at(self, target: int) -> av.VideoFrame | None:
        """The frame shown at pts `target` (the last one with pts <= target), or None."""
        if not self._decode_on(target):
            self._seek(target)
            back = math.ceil(1 / self.stream.time_base)  # one second, then doubling
            while self._read_to(target) is None and self.ahead is not None and self.seek_to > self.start:
                self._seek(target - back)  # it landed after `target` (an index of decoding times)
                back *= 2
        if self._read_to(target) is None and self.ahead is not None:  # the first frame comes later
            self.last, self.ahead = self.ahead, None
        return self.last

    def _decode_on(self, target: int) -> bool:
        if self.last is None or target < self.last.pts or (self.frames is None and self.ahead is None):
            return False
        position, keys = (self.last if self.ahead is None else self.ahead).pts, self.keyframes
        if target <= position or len(keys) >= 2:  # seek when that skips frames before a keyframe
            return bisect.bisect_right(keys, target) <= bisect.bisect_right(keys, position)
        return (target - position) * self.stream.time_base <= 1  # no index: decode on up to 1 s

    def _read_to(self, target: int) -> av.VideoFrame | None:
        frame = self._next() if self.ahead is None else self.ahead
        while frame is not None and frame.pts <= target:
            self.last, frame = frame, self._next()
        self.ahead = frame
        return self.last

    def _next(self) -> av.VideoFrame | None:
        try:
            while self.frames is not None:
                if (frame := next(self.frames, None)) is None:
                    self.frames, self.at_end = None, True
                elif frame.pts is not None:
                    self.frames_decoded += 1
                    return frame
        except av.error.FFmpegError as error:
            self.frames, self.error = None, getattr(error, "strerror", None) or str(error)
        return None

    def _seek(self, target: int) -> None:
        """Seek to the keyframe at or before `target`; a file that cannot seek is decoded on."""
        self.seek_to = max(target, self.start)
        try:
            self.container.seek(self.seek_to, backward=True, stream=self.stream)
        except av.error.FFmpegError:
            self.seek_to = self.start
            return
        self.seeks, self.frames = self.seeks + 1, self.container.decode(self.stream)
        self.last, self.ahead, self.at_end = None, None, False
        if len(self.keyframes) < 2:  # Matroska loads its index on the first seek
            self.keyframes = sorted(e.timestamp for e in self.stream.index_entries if e.is_keyframe)


CAPPED = message(
    "video.capped",
    "fps={fps:g} over {span:.1f} s gives {count} frames: capped at max_frames={max_frames}, "
    "spread evenly; raise `max_frames` for more.",
)


def _times(begin: float, end: float, num_frames: int | None, fps: float | None, max_frames: int) -> list:
    if num_frames is not None:  # the first and the last frame of the span included
        return [float(t) for t in np.linspace(begin, end, num_frames)]
    count = max(1, math.floor((end - begin) * fps + 1e-6))
    if count > max_frames:
        text = render(CAPPED, fps=fps, span=end - begin, count=count, max_frames=max_frames)
        warnings.warn(text, stacklevel=3)
        return [begin + i * (end - begin) / max_frames for i in range(max_frames)]
    return [begin + i / fps for i in range(count)]


PICTURES_STOP = message("video.pictures_stop", "its pictures stop at {seconds:.2f} s")
SOME_UNREADABLE = message("video.some_unreadable", "some frames unreadable")
FFMPEG_REPORTED = message("video.ffmpeg_reported", "FFmpeg reported: {error}")


def _read(decoder: _Decoder, times: list[float], slack: float) -> tuple[list, list, str | None]:
    """The upright frames shown at `times`, each once, their timestamps, and what was damaged."""
    frames, timestamps, damage = [], [], None
    for time in times:
        frame = decoder.frame_at(decoder.pts(time))
        if frame is not None and decoder.at_end and time - decoder.seconds(frame) > slack:
            frame, damage = None, render(PICTURES_STOP, seconds=decoder.seconds(frame))
        if frame is None:
            damage = damage or render(SOME_UNREADABLE)
        elif not timestamps or decoder.seconds(frame) != timestamps[-1]:
            image = frame.to_image()
            frames.append(image.rotate(frame.rotation, expand=True) if frame.rotation else image)
            timestamps.append(decoder.seconds(frame))
    return frames, timestamps, render(FFMPEG_REPORTED, error=decoder.error) if decoder.error else damage


ONE_OF_NUM_FRAMES_FPS = message(
    "video.one_of_num_frames_fps",
    "Give exactly one of `num_frames` or `fps`; got num_frames={num_frames!r}, fps={fps!r}.",
)
BAD_NUM_FRAMES = message(
    "video.bad_num_frames", "`num_frames` must be a positive integer, got {num_frames!r}."
)
BAD_FPS = message("video.bad_fps", "`fps` must be a positive number of frames per second, got {fps!r}.")
BAD_MAX_FRAMES = message("video.bad_max_frames", "`max_frames` must be at least 1, got {max_frames!r}.")
BAD_INTERVAL = message(
    "video.bad_interval",
    "Cannot sample {source!r} from start={start:g} s to end={end:g} s: it lasts {duration:.3f} "
    "s, and times need 0 <= start < end <= its length (leave `end` out to sample to the end).",
)
NO_FRAME = message("video.no_frame", "No video frame could be decoded from {source!r} (empty or damaged).")
NO_FRAME_DAMAGE = message(
    "video.no_frame_damage", "No video frame could be decoded from {source!r} (empty or damaged; {damage})."
)
LOOKS_TRUNCATED = message(
    "video.looks_truncated",
    "{source!r} looks truncated or damaged ({damage}): returning {count} distinct frames "
    "(the last at {last:.2f} s) instead of the {asked} asked for.",
)
FEWER_FRAMES = message(
    "video.fewer_frames",
    "{source!r} has fewer frames in that span: returning {count} distinct frames "
    "(the last at {last:.2f} s) instead of the {asked} asked for.",
)


def sample_frames(
    source: str | Path,
    num_frames: int | None = None,
    fps: float | None = None,
    start: float | None = None,
    end: float | None = None,
    max_frames: int = 64,
    timeout: float = 10.0,
) -> SampledVideo:
    """Decode only the frames shown at the requested times of a video file or URL.

    Give exactly one of `num_frames` (that many times evenly spaced from `start` to `end`, by
    default the whole video, both ends included) or `fps` (one time every 1/fps seconds; more than
    `max_frames` are spread evenly instead, with a warning). Each frame is the one on screen at its
    time, upright RGB; `timestamps` are their real times in seconds (variable frame rate included).
    Each distinct frame comes once; a truncated file gives its readable part (both with a warning
    when that is fewer frames). Problems raise `VideoError`. `timeout` (s) bounds reading a URL.
    """
    if (num_frames is None) == (fps is None):
        raise ValueError(render(ONE_OF_NUM_FRAMES_FPS, num_frames=num_frames, fps=fps))
    if num_frames is not None and (not isinstance(num_frames, int) or num_frames < 1):
        raise ValueError(render(BAD_NUM_FRAMES, num_frames=num_frames))
    if fps is not None and not fps > 0:
        raise ValueError(render(BAD_FPS, fps=fps))
    if max_frames < 1:
        raise ValueError(render(BAD_MAX_FRAMES, max_frames=max_frames))
    name = str(source)
    with _open(name, timeout) as container:
        stream, duration = _video_stream(container, name)
        native_fps = float(stream.average_rate or stream.guessed_rate or 0)
        begin, finish = float(start or 0.0), duration if end is None else float(end)
        if not 0 <= begin < finish <= duration + 1 / (native_fps or 25):  # one frame of rounding
            raise VideoError(render(BAD_INTERVAL, source=name, start=begin, end=finish, duration=duration))
        times = _times(begin, min(finish, duration), num_frames, fps, max_frames)
        slack = max(1.0, 2 / native_fps) if native_fps else 1.0  # further past the last frame: cut off
        frames, timestamps, damage = _read(_Decoder(container, stream), times, slack)
    if not frames:
        raise VideoError(
            render(NO_FRAME_DAMAGE, source=name, damage=damage) if damage else render(NO_FRAME, source=name)
        )
    if damage or len(frames) < len(times):
        counts = {"count": len(frames), "last": timestamps[-1], "asked": len(times)}
        if damage:
            text = render(LOOKS_TRUNCATED, source=name, damage=damage, **counts)
        else:
            text = render(FEWER_FRAMES, source=name, **counts)
        warnings.warn(text, stacklevel=2)
    frame_count = stream.frames or round(duration * native_fps)
    width, height = frames[0].size
    return SampledVideo(frames, timestamps, duration, native_fps, frame_count, width, height, name)


def video_processor_inputs(sampled: SampledVideo) -> tuple[list[Image.Image], Any]:
    """`(frames, metadata)` for SmolVLM2: `processor(text=prompt, videos=[frames], video_metadata=
    [metadata], do_sample_frames=False)` keeps our frames and writes "Frame from MM:SS" from
    `frames_indices / fps`: each index is the native-rate one nearest its time in the same second."""
    from transformers.video_utils import VideoMetadata  # sampling frames needs no transformers

    fps, indices = sampled.native_fps or 1000.0, []  # rate unknown: count milliseconds
    for time in sampled.timestamps:
        near = round(time * fps)
        same = [i for i in (near, near + 1, near - 1) if whole_second(i / fps) == whole_second(time)]
        indices.append(max(same[0] if same else near, 0))
    size = {"width": sampled.width, "height": sampled.height, "duration": sampled.duration}
    metadata = VideoMetadata(sampled.frame_count, fps, **size, video_backend="pyav", frames_indices=indices)
    return list(sampled.frames), metadata
