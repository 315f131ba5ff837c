"""Synthetic videos whose frames say where they come from, for tests, lessons and benchmarks.

Every second has its own palette colour and shows its number; a strip of black/white cells at the
top encodes the frame index, so a decoded frame tells exactly which second and frame it is.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from course_utils.progress import progress_bar

# Colours far apart in RGB, so the nearest palette entry survives lossy compression.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (220, 40, 40),  # red
    (40, 180, 40),  # green
    (40, 70, 220),  # blue
    (230, 210, 40),  # yellow
    (200, 50, 200),  # magenta
    (40, 200, 210),  # cyan
    (240, 130, 30),  # orange
    (110, 50, 150),  # purple
    (130, 130, 130),  # grey
    (120, 80, 30),  # brown
)
COLOUR_NAMES = (
    "red",
    "green",
    "blue",
    "yellow",
    "magenta",
    "cyan",
    "orange",
    "purple",
    "grey",
    "brown",
)
INDEX_BITS = 11  # frame index is stored modulo 2**11 = 2048
_STRIP_CELLS = INDEX_BITS + 1  # cell 0 is always white: it marks the top-left corner
_AUDIO_RATE = 48_000
_TIME_BASE = Fraction(1, 90_000)  # the MPEG clock: exact for 24, 25, 30, 60 fps and for ms

_VIDEO_CODEC_BY_EXTENSION = {".mp4": "h264", ".mov": "h264", ".mkv": "h264", ".webm": "vp9"}
_AUDIO_CODEC_BY_EXTENSION = {".mp4": "aac", ".mov": "aac", ".mkv": "aac", ".webm": "libopus"}
_ENCODER_CANDIDATES = {
    "h264": ("libx264", "libopenh264", "h264"),
    "vp9": ("libvpx-vp9", "vp9"),
    "hevc": ("libx265", "hevc"),
    "mpeg4": ("mpeg4",),
}


@dataclass
class SyntheticVideo:
    """What `make_test_video` wrote: the file and the presentation time of every frame."""

    path: Path
    timestamps: list[float]
    fps: float
    size: tuple[int, int]  # encoded (width, height), before display rotation
    rotation: int
    encoder: str
    colour_names: list[str] = field(default_factory=list)  # the colour of each second, in order

    @property
    def display_size(self) -> tuple[int, int]:
        """(width, height) a player shows, after applying the rotation metadata."""
        width, height = self.size
        return (height, width) if self.rotation % 180 else (width, height)

    @property
    def duration(self) -> float:
        return self.timestamps[-1] + 1 / self.fps if self.timestamps else 0.0


def pick_encoder(codec: str) -> str:
    """The first encoder available in PyAV's FFmpeg build for `codec` (h264, vp9, hevc, mpeg4)."""
    for name in _ENCODER_CANDIDATES.get(codec, (codec,)):
        if name in av.codecs_available:
            try:
                av.codec.Codec(name, "w")
            except (av.error.FFmpegError, ValueError):
                continue
            return name
    raise RuntimeError(f"No encoder for {codec!r} in this PyAV build (av {av.__version__}).")


def frame_times(seconds: float, fps: float, variable_frame_rate: bool) -> list[float]:
    """Presentation times of the frames: regular 1/fps steps, or irregular ones (VFR)."""
    count = int(round(seconds * fps))
    if not variable_frame_rate:
        return [i / fps for i in range(count)]
    rng = np.random.default_rng(0)
    steps = rng.uniform(0.3, 1.7, size=count) / fps  # same mean rate, irregular spacing
    times = np.concatenate([[0.0], np.cumsum(steps)[:-1]])
    return [round(float(t), 3) for t in times if t < seconds]


def random_colours(seconds: int, seed: int) -> list[int]:
    """A palette index for each second, drawn at random; two seconds in a row never share one."""
    rng = random.Random(seed)
    colours: list[int] = []
    for _ in range(seconds):
        choices = [index for index in range(len(PALETTE)) if not colours or index != colours[-1]]
        colours.append(rng.choice(choices))
    return colours


def colour_of_second(second: int, colours: Sequence[int] | None = None) -> int:
    """The palette index shown during `second`: `colours[second]`, or `second` modulo the palette."""
    if colours:
        return colours[second % len(colours)]
    return second % len(PALETTE)


def draw_frame(
    second: int, index: int, size: tuple[int, int], colours: Sequence[int] | None = None
) -> Image.Image:
    """The upright picture of frame `index`, shown during `second`, as a PIL image (no encoding)."""
    return Image.fromarray(_with_index_strip(_second_background(second, size, colours), index))


def _second_background(
    second: int, size: tuple[int, int], colours: Sequence[int] | None = None
) -> np.ndarray:
    width, height = size
    image = Image.new("RGB", size, PALETTE[colour_of_second(second, colours)])
    font = ImageFont.load_default(size=max(8, int(height * 0.4)))
    draw = ImageDraw.Draw(image)
    draw.text(
        (width / 2, height * 0.5),
        str(second),
        fill="white",
        font=font,
        anchor="mm",
        stroke_width=max(1, height // 60),
        stroke_fill="black",
    )
    return np.asarray(image).copy()


def _strip_height(height: int) -> int:
    return max(4, height // 6)


def _with_index_strip(background: np.ndarray, index: int) -> np.ndarray:
    pixels = background.copy()
    height, width = pixels.shape[:2]
    strip = _strip_height(height)
    bits = [1] + [(index >> bit) & 1 for bit in range(INDEX_BITS)]
    for cell, bit in enumerate(bits):
        left, right = cell * width // _STRIP_CELLS, (cell + 1) * width // _STRIP_CELLS
        pixels[:strip, left:right] = 255 if bit else 0
    return pixels


def second_shown(image: Image.Image) -> int:
    """The palette index of a synthetic frame's colour: its second (modulo the palette length)
    in a video with the default colour order."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    height, width = pixels.shape[:2]
    band = pixels[int(height * 0.85) : int(height * 0.95), int(width * 0.1) : int(width * 0.9)]
    colour = band.reshape(-1, 3).mean(axis=0)
    distances = [np.linalg.norm(colour - np.array(entry)) for entry in PALETTE]
    return int(np.argmin(distances))


def colour_shown(image: Image.Image) -> str:
    """The name of the palette colour a synthetic frame shows ("red", "cyan", ...)."""
    return COLOUR_NAMES[second_shown(image)]


def frame_index_shown(image: Image.Image) -> int:
    """The frame index (modulo 2**INDEX_BITS) drawn in the top strip; -1 if the strip is absent."""
    pixels = np.asarray(image.convert("L"), dtype=np.float64)
    height, width = pixels.shape
    strip = _strip_height(height)
    cell_means = []
    for cell in range(_STRIP_CELLS):
        left, right = cell * width // _STRIP_CELLS, (cell + 1) * width // _STRIP_CELLS
        margin_x, margin_y = max(1, (right - left) // 4), max(1, strip // 4)
        cell_means.append(pixels[margin_y : strip - margin_y, left + margin_x : right - margin_x].mean())
    bits = [mean > 128 for mean in cell_means]
    if not bits[0]:
        return -1
    return sum(1 << bit for bit, is_set in enumerate(bits[1:]) if is_set)


def make_test_video(
    path: str | Path,
    seconds: float = 10,
    fps: float = 10,
    size: tuple[int, int] = (320, 240),
    codec: str | None = None,
    keyframe_interval: float = 2.0,
    audio: bool = False,
    rotation: int = 0,
    variable_frame_rate: bool = False,
    faststart: bool = False,
    preset: str = "ultrafast",
    progress: bool = False,
    grain: bool = False,
    colours: Sequence[int] | None = None,
) -> SyntheticVideo:
    """Write a synthetic video: second s is colour s, shows "s"; frames carry their index.

    `colours` (palette indices, one per second, e.g. from `random_colours`) replaces the default
    colour order; `SyntheticVideo.colour_names` lists what each second shows.

    The container follows the extension (.mp4, .mov, .mkv: H.264 + AAC; .webm: VP9 + Opus);
    `codec` overrides the video codec ("h264", "vp9", "hevc", "mpeg4"). H.264 uses libx264 when
    the PyAV wheel has it, else libopenh264. `size` is the encoded (width, height); `rotation` is
    display-matrix metadata in degrees counter-clockwise (what PyAV's `frame.rotation` reads back),
    and the pictures are stored so that they look upright once a player applies it.
    `keyframe_interval` is in seconds; `faststart` puts the mp4/mov index first; `grain` adds
    film grain drifting every frame, so the video costs about as much to decode as real footage.
    """
    path = Path(path)
    extension = path.suffix.lower()
    if extension not in _VIDEO_CODEC_BY_EXTENSION:
        raise ValueError(
            f"Unsupported extension {extension!r}; use one of {sorted(_VIDEO_CODEC_BY_EXTENSION)}."
        )
    if rotation % 90:
        raise ValueError(f"rotation must be a multiple of 90 degrees, got {rotation}.")
    if size[0] % 2 or size[1] % 2:
        raise ValueError(f"size must have even width and height for yuv420p, got {size}.")
    encoder = pick_encoder(codec or _VIDEO_CODEC_BY_EXTENSION[extension])
    times = frame_times(seconds, fps, variable_frame_rate)
    options = {"movflags": "+faststart"} if faststart and extension in (".mp4", ".mov") else {}
    with av.open(str(path), "w", options=options) as container:
        stream = _add_video_stream(container, encoder, fps, size, keyframe_interval, preset)
        if rotation:
            stream.set_display_rotation(rotation)
        audio_stream = _add_audio_stream(container, _AUDIO_CODEC_BY_EXTENSION[extension]) if audio else None
        _encode_frames(container, stream, times, size, rotation, progress, grain, colours)
        if audio_stream is not None:
            _encode_tone(container, audio_stream, seconds)
    seconds_shown = int(math.ceil(times[-1] + 1e-9)) if times else 0
    names = [COLOUR_NAMES[colour_of_second(second, colours)] for second in range(seconds_shown)]
    return SyntheticVideo(path, times, fps, size, rotation, encoder, names)


def _add_video_stream(
    container: av.container.OutputContainer,
    encoder: str,
    fps: float,
    size: tuple[int, int],
    keyframe_interval: float,
    preset: str,
) -> av.video.stream.VideoStream:
    gop = max(1, int(round(keyframe_interval * fps)))
    options = {"g": str(gop)}
    if encoder == "libx264":
        options |= {"sc_threshold": "0", "preset": preset}  # keyframes only every `gop` frames
    elif encoder == "libvpx-vp9":
        options |= {"deadline": "realtime", "cpu-used": "8", "keyint_min": str(gop)}
    stream = container.add_stream(encoder, rate=Fraction(fps).limit_denominator(1001), options=options)
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    stream.time_base = _TIME_BASE
    stream.codec_context.time_base = _TIME_BASE
    return stream


def _encode_frames(
    container: av.container.OutputContainer,
    stream: av.video.stream.VideoStream,
    times: list[float],
    size: tuple[int, int],
    rotation: int,
    progress: bool,
    grain: bool,
    colours: Sequence[int] | None = None,
) -> None:
    display_size = (size[1], size[0]) if rotation % 180 else size
    current_second, background = -1, np.empty(0)
    grain_tile = _grain_tile(display_size) if grain else None
    iterator = enumerate(times)
    if progress:
        iterator = progress_bar(
            iterator, total=len(times), desc=f"writing {Path(container.name).name}", unit="frame"
        )
    for index, time in iterator:
        second = int(math.floor(time + 1e-9))
        if second != current_second:
            current_second = second
            background = _second_background(second, display_size, colours)
        upright = _with_index_strip(background, index)
        if grain:
            upright = _add_grain(upright, grain_tile, index)
        stored = np.ascontiguousarray(np.rot90(upright, k=-rotation // 90))  # undone by the player
        frame = av.VideoFrame.from_ndarray(stored, format="rgb24")
        frame.pts = int(round(time / _TIME_BASE))
        frame.time_base = _TIME_BASE
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def _add_audio_stream(container: av.container.OutputContainer, codec: str) -> av.audio.stream.AudioStream:
    return container.add_stream(codec, rate=_AUDIO_RATE, layout="mono")


_GRAIN_DRIFT = 64  # pixels the grain pattern slides over before repeating


def _grain_tile(size: tuple[int, int]) -> np.ndarray:
    width, height = size
    rng = np.random.default_rng(1)
    return rng.integers(-20, 21, size=(height, width + _GRAIN_DRIFT, 1), dtype=np.int16)


def _add_grain(pixels: np.ndarray, tile: np.ndarray, index: int) -> np.ndarray:
    """Zero-mean noise shifted 3 px per frame: colours and the index strip still read back."""
    offset = (3 * index) % _GRAIN_DRIFT
    noise = tile[:, offset : offset + pixels.shape[1]]
    return np.clip(pixels.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def _encode_tone(
    container: av.container.OutputContainer, stream: av.audio.stream.AudioStream, seconds: float
) -> None:
    """A quiet 440 Hz tone for the whole video, so files have a real audio track."""
    context = stream.codec_context
    chunk = context.frame_size or 1024
    total = int(seconds * _AUDIO_RATE)
    for start in range(0, total, chunk):
        t = (np.arange(start, start + chunk) / _AUDIO_RATE).astype(np.float32)
        tone = 0.1 * np.sin(2 * np.pi * 440 * t)
        samples = _as_sample_format(tone, context.format.name)
        frame = av.AudioFrame.from_ndarray(samples[None, :], format=context.format.name, layout="mono")
        frame.sample_rate = _AUDIO_RATE
        frame.pts = start
        frame.time_base = Fraction(1, _AUDIO_RATE)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def _as_sample_format(tone: np.ndarray, sample_format: str) -> np.ndarray:
    """Samples in [-1, 1] converted to the encoder's sample format (flt, s16, s32, dbl...)."""
    kind = sample_format.rstrip("p")
    if kind == "s16":
        return (tone * 32767).astype(np.int16)
    if kind == "s32":
        return (tone * 2147483647).astype(np.int32)
    return tone.astype(np.float64 if kind == "dbl" else np.float32)


def make_audio_only_file(path: str | Path, seconds: float = 2.0) -> Path:
    """Write an audio-only file (.m4a AAC, .webm/.ogg Opus): a video file without any picture."""
    path = Path(path)
    codec = "libopus" if path.suffix.lower() in (".webm", ".ogg", ".opus") else "aac"
    with av.open(str(path), "w") as container:
        stream = _add_audio_stream(container, codec)
        _encode_tone(container, stream, seconds)
    return path


def make_video_without_frames(path: str | Path, seconds: float = 1.0) -> Path:
    """Write a Matroska file that declares a video stream but holds only audio packets."""
    path = Path(path)
    with av.open(str(path), "w") as container:
        video = container.add_stream(pick_encoder("h264"), rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = _add_audio_stream(container, "aac")
        _encode_tone(container, audio, seconds)
        container.mux(video.encode(None))
    return path
