"""Sample video frames by seeking, so the cost follows the frames you ask for, not the video length.

`sample_frames` decodes with PyAV and returns upright RGB frames with their real timestamps;
`video_processor_inputs` hands them to SmolVLM2's video processor (`images.frame_grid` shows them).
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

import av
import numpy as np
from PIL import Image

_URL_SCHEMES = ("http://", "https://", "rtmp://", "rtsp://", "ftp://")
TICK = 1e-6  # seconds; absorbs float error when converting times to stream ticks
_CONTINUE_WITHOUT_INDEX_S = 1.0  # decode on (rather than seek) across this gap if no index


class VideoError(ValueError):
    """A video could not be read or sampled; the message says which file and what to do."""


class VideoNotFoundError(VideoError, FileNotFoundError):
    """The video path does not exist."""


@dataclass
class SampledVideo:
    """Frames taken from a video, with the real presentation time of each one."""

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

    def to_video_metadata(self) -> Any:
        """`transformers.video_utils.VideoMetadata` whose `timestamps` match ours to the second.

        SmolVLM2's processor prints "Frame from MM:SS" from `frames_indices / fps`; each index is
        the native-rate frame position nearest the real timestamp that shows the same MM:SS, so the
        labels are right for variable frame rate videos too.
        """
        from transformers.video_utils import VideoMetadata  # sampling frames needs no transformers

        fps = self.native_fps if self.native_fps > 0 else _fallback_fps(self.timestamps)
        return VideoMetadata(
            total_num_frames=self.frame_count,
            fps=fps,
            width=self.width,
            height=self.height,
            duration=self.duration,
            video_backend="pyav",
            frames_indices=[_index_showing_same_second(t, fps) for t in self.timestamps],
        )


def _fallback_fps(timestamps: Sequence[float]) -> float:
    return 1000.0 if len(timestamps) < 2 else max(1.0, 1 / max(np.diff(timestamps).min(), 1e-3))


def _index_showing_same_second(timestamp: float, fps: float) -> int:
    nearest = round(timestamp * fps)
    shown = int(timestamp + TICK)
    for index in (nearest, nearest + 1, nearest - 1):
        if index >= 0 and int(index / fps + TICK) == shown:
            return index
    return max(nearest, 0)


def clock(seconds: float) -> str:
    """'MM:SS' of the whole second a time falls in, as SmolVLM's prompts write it: 3.7 -> '00:03'."""
    minutes, rest = divmod(int(max(seconds, 0.0) + TICK), 60)
    return f"{minutes:02d}:{rest:02d}"


# ----------------------------------------------------------------------------- opening


def _is_url(source: str) -> bool:
    return source.lower().startswith(_URL_SCHEMES)


def _open_container(source: str, timeout: float) -> av.container.InputContainer:
    if not _is_url(source):
        path = Path(source).expanduser()
        if not path.exists():
            raise VideoNotFoundError(
                f"Video file not found: {source!r}. Check the path (relative paths start from "
                f"{Path.cwd()}) or pass an http(s) URL."
            )
        if path.is_dir():
            raise VideoError(f"{source!r} is a folder, not a video file; pass the path of a video.")
        source = str(path)
    try:
        return av.open(source, timeout=timeout if _is_url(source) else None)
    except av.error.FFmpegError as error:
        raise _open_error(source, error, timeout) from None
    except OSError as error:
        raise VideoError(f"Could not open {source!r}: {error}.") from None


def _open_error(source: str, error: av.error.FFmpegError, timeout: float) -> VideoError:
    reason = getattr(error, "strerror", None) or str(error)
    if _is_url(source):
        return _url_error(source, error, reason, timeout)
    if isinstance(error, av.error.InvalidDataError | av.error.EOFError):
        return VideoError(
            f"{source!r} is not a readable video: FFmpeg does not recognise its content "
            f"({reason}). It may be another kind of file with a video extension, or truncated "
            "before its header/index was written (a copy or upload that did not finish)."
        )
    return VideoError(f"Could not open video {source!r}: {reason}.")


def _url_error(source: str, error: av.error.FFmpegError, reason: str, timeout: float) -> VideoError:
    if isinstance(error, av.error.HTTPError | av.error.HTTPClientError | av.error.HTTPServerError):
        return VideoError(f"The server refused video URL {source!r}: {reason}. Check the URL.")
    if isinstance(error, av.error.ExitError | av.error.TimeoutError):
        return VideoError(
            f"No answer from video URL {source!r} within timeout={timeout:g} s. Check your "
            "connection, raise `timeout`, or download the file and pass its path."
        )
    return VideoError(
        f"Could not open video URL {source!r} ({reason}). Check the address and your "
        "connection, or download the file and pass its path."
    )


def _video_stream(container: av.container.InputContainer, source: str) -> av.video.stream.VideoStream:
    format_name = container.format.name
    if format_name == "image2" or format_name.endswith("_pipe"):
        kind = format_name.removesuffix("_pipe").upper()
        raise VideoError(
            f"{source!r} is a still image ({kind}), not a video. Open it with PIL.Image.open and "
            "pass it as an image."
        )
    if not container.streams.video:
        audio = len(container.streams.audio)
        if audio:
            raise VideoError(
                f"{source!r} has only audio ({audio} audio stream{'s' * (audio > 1)}) and no video "
                "track, so there are no frames to sample. Pass a file with a picture."
            )
        raise VideoError(f"{source!r} contains no video stream, so there are no frames to sample.")
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    return stream


@dataclass
class _StreamInfo:
    time_base: Fraction
    start_pts: int
    duration: float
    native_fps: float
    frame_count: int


def _stream_info(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, source: str
) -> _StreamInfo:
    if stream.time_base is None:
        raise VideoError(f"{source!r} has no time base on its video stream; re-encode it.")
    time_base = Fraction(stream.time_base)
    start_pts = stream.start_time if stream.start_time is not None else 0
    if stream.duration:
        duration = float(stream.duration * time_base)
    elif container.duration:
        start = float(start_pts * time_base)
        duration = container.duration / av.time_base - max(start, 0.0)
    else:
        raise VideoError(
            f"{source!r} does not declare its duration (a live stream or a damaged file). "
            "Re-encode or remux it (e.g. `ffmpeg -i in -c copy out.mp4`)."
        )
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    native_fps = float(rate) if rate else 0.0
    frame_count = stream.frames or int(round(duration * native_fps))
    return _StreamInfo(time_base, start_pts, duration, native_fps, frame_count)


# ----------------------------------------------------------------------------- targets


def _check_mode(num_frames: int | None, fps: float | None, max_frames: int) -> None:
    if (num_frames is None) == (fps is None):
        raise ValueError(
            "Give exactly one of `num_frames` (evenly spaced frames) or `fps` (frames per "
            f"second); got num_frames={num_frames!r}, fps={fps!r}."
        )
    if num_frames is not None and (not isinstance(num_frames, int) or num_frames < 1):
        raise ValueError(f"`num_frames` must be a positive integer, got {num_frames!r}.")
    if fps is not None and not fps > 0:
        raise ValueError(f"`fps` must be a positive number of frames per second, got {fps!r}.")
    if max_frames < 1:
        raise ValueError(f"`max_frames` must be at least 1, got {max_frames!r}.")


def _check_interval(
    start: float | None, end: float | None, info: _StreamInfo, source: str
) -> tuple[float, float]:
    duration = info.duration
    begin = 0.0 if start is None else float(start)
    finish = duration if end is None else float(end)
    slack = 1 / info.native_fps if info.native_fps > 0 else 0.04  # one frame of rounding
    if begin < 0:
        raise VideoError(f"start={begin:g} s is negative; times count from 0 s in {source!r}.")
    if begin >= duration:
        raise VideoError(
            f"start={begin:g} s is at or past the end of {source!r}, which lasts {duration:.3f} s."
        )
    if finish > duration + slack:
        raise VideoError(
            f"end={finish:g} s is past the end of {source!r}, which lasts {duration:.3f} s; "
            "leave `end` out to sample up to the end."
        )
    if begin >= finish:
        raise VideoError(f"start={begin:g} s must be before end={finish:g} s for {source!r}.")
    return begin, min(finish, duration)


def _evenly_spaced_times(start: float, end: float, count: int) -> list[float]:
    """`count` times from start to end inclusive (the first and the last frame of the span)."""
    return [float(t) for t in np.linspace(start, end, count)]


def _times_at_rate(start: float, end: float, fps: float, max_frames: int) -> list[float]:
    count = max(1, math.floor((end - start) * fps + TICK))
    if count <= max_frames:
        return [start + i / fps for i in range(count)]
    spread = (end - start) / max_frames
    warnings.warn(
        f"fps={fps:g} over {end - start:.1f} s would give {count} frames; capped at "
        f"max_frames={max_frames} (one every {spread:.2f} s). Raise `max_frames` for more.",
        stacklevel=3,
    )
    return [start + i * spread for i in range(max_frames)]


# ----------------------------------------------------------------------------- decoding


class _SeekingDecoder:
    """Returns the frame shown at a given time, seeking to the keyframe before it when that is
    cheaper than decoding on from where the decoder already is."""

    def __init__(
        self,
        container: av.container.InputContainer,
        stream: av.video.stream.VideoStream,
        info: _StreamInfo,
    ) -> None:
        self.container, self.stream, self.info = container, stream, info
        self.frames: Iterator[av.VideoFrame] | None = None
        # `last`: latest decoded frame at or before the last target; `ahead`: a decoded frame
        # past it, kept for the next target. Only these two frames are held while decoding.
        self.last: av.VideoFrame | None = None
        self.ahead: av.VideoFrame | None = None
        self.keyframes = self._indexed_keyframes()
        self.read_error: str | None = None
        self.at_end = False  # the stream ran out while decoding (since the last seek)
        self.stopped_early_at: float | None = None  # time of the last frame, if before the end
        self.frames_decoded = 0
        self.seeks = 0
        self.seekable = True
        self.started = False

    def _indexed_keyframes(self) -> list[int]:
        return sorted(entry.timestamp for entry in self.stream.index_entries if entry.is_keyframe)

    def to_pts(self, seconds: float) -> int:
        return self.info.start_pts + math.floor(seconds / self.info.time_base + TICK * 1e3)

    def seconds(self, frame: av.VideoFrame) -> float:
        return round(float((frame.pts - self.info.start_pts) * self.info.time_base), 6)

    def frame_at(self, target: int) -> av.VideoFrame | None:
        """The frame covering pts `target` (the last one with pts <= target), or None."""
        if not self._worth_continuing(target):
            self._seek(target)
        backoff = 1.0
        while True:
            frame = self._frame_covering(target)
            if frame is not None or self.last is not None or self.ahead is None:
                return frame
            # The seek landed after the target (index by decode time): step back further.
            landed_at_start = self._seek(self.to_pts(max(self._seconds_pts(target) - backoff, 0)))
            if landed_at_start:
                frame = self._frame_covering(target)
                return frame if frame is not None else self._take_ahead()
            backoff *= 2

    def _seconds_pts(self, pts: int) -> float:
        return float((pts - self.info.start_pts) * self.info.time_base)

    def _take_ahead(self) -> av.VideoFrame | None:
        frame, self.ahead, self.last = self.ahead, None, self.ahead
        return frame

    def _frame_covering(self, target: int) -> av.VideoFrame | None:
        while True:
            frame = self.ahead if self.ahead is not None else self._next_frame()
            self.ahead = None
            if frame is None:  # end of stream (or of the readable part)
                return self.last
            if frame.pts > target:
                self.ahead = frame
                return self.last
            self.last = frame

    def _next_frame(self) -> av.VideoFrame | None:
        if self.frames is None:
            return None
        try:
            while True:
                frame = next(self.frames)
                self.frames_decoded += 1
                if frame.pts is None:
                    continue
                if frame.key_frame:
                    self._remember_keyframe(frame.pts)
                return frame
        except StopIteration:
            self.frames = None
            self.at_end = True
        except av.error.FFmpegError as error:
            self.read_error = getattr(error, "strerror", None) or str(error)
            self.frames = None
        return None

    def _remember_keyframe(self, pts: int) -> None:
        place = bisect.bisect_left(self.keyframes, pts)
        if place == len(self.keyframes) or self.keyframes[place] != pts:
            self.keyframes.insert(place, pts)

    def _position(self) -> int | None:
        frame = self.ahead if self.ahead is not None else self.last
        return None if frame is None else frame.pts

    def _worth_continuing(self, target: int) -> bool:
        position = self._position()
        if self.frames is None and self.ahead is None:
            return False
        if position is None or (self.last is not None and target < self.last.pts):
            return False
        if target <= position:
            return True
        after = bisect.bisect_right(self.keyframes, position)
        if after < len(self.keyframes) and self.keyframes[after] <= target:
            return False  # a keyframe lies in between: seeking skips the frames before it
        if len(self.keyframes) >= 2:
            return True
        gap = float((target - position) * self.info.time_base)
        return gap <= _CONTINUE_WITHOUT_INDEX_S

    def _seek(self, target: int) -> bool:
        """Seek to the keyframe at or before `target`; True when that is the stream start."""
        if not self.seekable:
            return self._read_without_seeking()
        try:
            self.container.seek(max(target, self.info.start_pts), backward=True, stream=self.stream)
        except av.error.FFmpegError:  # e.g. a file without an index: read it front to back
            self.seekable = False
            return self._read_without_seeking()
        self.seeks += 1
        self.frames = self.container.decode(self.stream)
        self.started = True
        self.last = self.ahead = None
        self.at_end = False
        if len(self.keyframes) < 2:  # Matroska loads its cues on the first seek
            self.keyframes = sorted(set(self.keyframes) | set(self._indexed_keyframes()))
        return target <= self.info.start_pts

    def _read_without_seeking(self) -> bool:
        """Start decoding from the beginning once; afterwards only reading on is possible."""
        if not self.started:
            self.frames = self.container.decode(self.stream)
            self.started = True
        return True


def _upright(image: Image.Image, rotation: float) -> Image.Image:
    """Apply display-matrix rotation (degrees counter-clockwise) so the frame displays upright."""
    quarter_turns = round(rotation / 90) % 4
    if abs(rotation - round(rotation / 90) * 90) > 1:
        return image.rotate(rotation, expand=True)
    transposes = {
        1: Image.Transpose.ROTATE_90,
        2: Image.Transpose.ROTATE_180,
        3: Image.Transpose.ROTATE_270,
    }
    return image.transpose(transposes[quarter_turns]) if quarter_turns else image


def _to_image(frame: av.VideoFrame) -> Image.Image:
    image = frame.to_image()
    if image.mode != "RGB":
        image = image.convert("RGB")
    rotation = frame.rotation
    return _upright(image, rotation) if rotation else image


def _decode_targets(
    decoder: _SeekingDecoder, times: list[float], source: str, end_slack: float
) -> tuple[list[Image.Image], list[float], int]:
    """Decode the frame shown at each time: frames, their timestamps, how many times found none.

    A time more than `end_slack` seconds past the last frame of a stream that ran out is past
    the readable part (a truncated file), not a frame still on screen: it counts as not found.
    """
    frames: list[Image.Image] = []
    timestamps: list[float] = []
    missed = 0
    last_pts = None
    for time in times:
        try:
            frame = decoder.frame_at(decoder.to_pts(time))
        except av.error.FFmpegError as error:
            raise VideoError(f"FFmpeg failed while reading {source!r}: {error}.") from None
        if frame is not None and decoder.at_end and time - decoder.seconds(frame) > end_slack:
            decoder.stopped_early_at = decoder.seconds(frame)
            frame = None
        if frame is None:
            missed += 1
            continue
        if frame.pts == last_pts:
            continue
        last_pts = frame.pts
        frames.append(_to_image(frame))
        timestamps.append(decoder.seconds(frame))
    return frames, timestamps, missed


def sample_frames(
    source: str | Path,
    num_frames: int | None = None,
    fps: float | None = None,
    start: float | None = None,
    end: float | None = None,
    max_frames: int = 64,
    timeout: float = 10.0,
) -> SampledVideo:
    """Decode only the frames shown at the requested times of a video file or http(s) URL.

    Give exactly one of:
      - `num_frames`: that many times evenly spaced from `start` to `end` inclusive (default the
        whole video), so the first and last frames of the span are included;
      - `fps`: one time every 1/fps seconds from `start`; more than `max_frames` are spread
        evenly over the span instead, with a warning (`num_frames` is never capped).
    Each returned frame is the one on screen at its time (the last frame with pts <= time), as
    an upright RGB PIL image; `timestamps` are its real presentation times in seconds from the
    start of the stream (variable frame rate included). Asking for more frames than the span
    holds returns each distinct frame once, fewer, with a warning. A truncated file gives the
    frames of its readable part with a warning. Problems raise `VideoError` with the reason.
    `timeout` (seconds) bounds opening and reading an http(s) URL.
    """
    _check_mode(num_frames, fps, max_frames)
    name = str(source)
    with _open_container(name, timeout) as container:
        stream = _video_stream(container, name)
        info = _stream_info(container, stream, name)
        begin, finish = _check_interval(start, end, info, name)
        if num_frames is not None:
            times = _evenly_spaced_times(begin, finish, num_frames)
        else:
            times = _times_at_rate(begin, finish, fps, max_frames)
        decoder = _SeekingDecoder(container, stream, info)
        end_slack = max(1.0, 2 / info.native_fps) if info.native_fps > 0 else 1.0
        frames, timestamps, missed = _decode_targets(decoder, times, name, end_slack)
    _warn_or_fail_on_shortfall(name, len(times), frames, timestamps, missed, _damage(decoder, info))
    return SampledVideo(
        frames=frames,
        timestamps=timestamps,
        duration=info.duration,
        native_fps=info.native_fps,
        frame_count=info.frame_count,
        width=frames[0].width,
        height=frames[0].height,
        source=name,
    )


def _damage(decoder: _SeekingDecoder, info: _StreamInfo) -> str | None:
    """What went wrong while reading, in words, or None when the stream read cleanly."""
    if decoder.read_error:
        return f"FFmpeg reported: {decoder.read_error}"
    if decoder.stopped_early_at is not None:
        return (
            f"its pictures stop at {decoder.stopped_early_at:.2f} s although it declares "
            f"{info.duration:.2f} s"
        )
    return None


def _warn_or_fail_on_shortfall(
    source: str,
    requested: int,
    frames: list[Image.Image],
    timestamps: list[float],
    missed: int,
    damage: str | None,
) -> None:
    if not frames:
        detail = f" ({damage})" if damage else ""
        raise VideoError(
            f"No video frame could be decoded from {source!r}: the file has a video track but no "
            f"readable pictures (empty or damaged){detail}. Try another file or re-encode it."
        )
    if damage or missed:
        warnings.warn(
            f"{source!r} looks truncated or damaged ({damage or 'some frames unreadable'}): "
            f"returning the {len(frames)} requested frames that could be read (the last at "
            f"{timestamps[-1]:.2f} s) instead of {requested}.",
            stacklevel=3,
        )
    elif len(frames) < requested:
        warnings.warn(
            f"Asked for {requested} frames but that span of {source!r} holds only {len(frames)} "
            "distinct frames; returning each once.",
            stacklevel=3,
        )


# ----------------------------------------------------------------------------- into a model


class VideoProcessorInputs(NamedTuple):
    """One video for SmolVLM2's processor: its frames and the `VideoMetadata` with their times."""

    frames: list[Image.Image]
    metadata: Any  # transformers.video_utils.VideoMetadata

    def processor_kwargs(self) -> dict[str, Any]:
        """`videos=`, `video_metadata=` and `do_sample_frames=False` for a one-video call."""
        return {
            "videos": [self.frames],
            "video_metadata": [self.metadata],
            "do_sample_frames": False,
        }


def video_processor_inputs(sampled: SampledVideo) -> VideoProcessorInputs:
    """`(frames, metadata)` to hand a SmolVLM2 processor pre-sampled frames.

    With a prompt holding one `<video>` token, e.g. from
    `processor.apply_chat_template(messages, add_generation_prompt=True)` on messages with
    `{"type": "video", "video": sampled}`, call
    `processor(text=prompt, videos=[frames], video_metadata=[metadata], do_sample_frames=False)`
    (or `**video_processor_inputs(sampled).processor_kwargs()`). `do_sample_frames=False` keeps
    our frames, and the processor prints our timestamps ("Frame from 00:03:").
    """
    return VideoProcessorInputs(list(sampled.frames), sampled.to_video_metadata())
