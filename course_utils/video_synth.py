"""Synthetic test videos whose frames say where they come from, for lesson 1 and its checks.

Second s shows one palette colour (`colors[s]`, e.g. from `random_colors`; by default the palette
in order) with the number s on it, and a strip of black/white cells at the top of every frame
encodes its index: `colour_shown` and `frame_index_shown` read them back from a decoded frame.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from course_utils.i18n import message, render
from course_utils.messages import whole_second

# Colours far apart in RGB, so the nearest palette entry survives lossy compression.
_COLORS = {
    "red": (220, 40, 40),
    "green": (40, 180, 40),
    "blue": (40, 70, 220),
    "yellow": (230, 210, 40),
    "magenta": (200, 50, 200),
    "cyan": (40, 200, 210),
    "orange": (240, 130, 30),
    "purple": (110, 50, 150),
    "grey": (130, 130, 130),
    "brown": (120, 80, 30),
}
COLOR_NAMES = tuple(_COLORS)
PALETTE = tuple(_COLORS.values())
FPS = 10  # frames per second of `make_test_video`
_INDEX_BITS = 11  # the strip holds the frame index modulo 2**11 = 2048
_CELLS = _INDEX_BITS + 1  # cell 0 is always white: it marks the top-left corner


@dataclass
class SyntheticVideo:
    """A video written by `make_test_video`: its file, the time of every frame, the colour of
    every second (`color_names[s]` is what second s shows)."""

    path: Path
    timestamps: list[float]
    color_names: list[str]


def random_colors(seconds: int, seed: int) -> list[int]:
    """A palette index for each second, drawn at random; two seconds in a row never share one."""
    rng = random.Random(seed)
    colors: list[int] = []
    for _ in range(seconds):
        colors.append(rng.choice([i for i in range(len(PALETTE)) if not colors or i != colors[-1]]))
    return colors


def _palette_index(second: int, colors: Sequence[int] | None) -> int:
    return colors[second % len(colors)] if colors else second % len(PALETTE)


@functools.lru_cache(maxsize=8)
def _background(second: int, size: tuple[int, int], colors: tuple[int, ...] | None) -> np.ndarray:
    width, height = size
    image = Image.new("RGB", size, PALETTE[_palette_index(second, colors)])
    font = ImageFont.load_default(size=max(8, int(height * 0.4)))
    outline = {"stroke_width": max(1, height // 60), "stroke_fill": "black"}
    ImageDraw.Draw(image).text(
        (width / 2, height / 2), str(second), fill="white", font=font, anchor="mm", **outline
    )
    return np.asarray(image)


def _strip_height(height: int) -> int:
    return max(4, height // 6)


def draw_frame(
    second: int, index: int, size: tuple[int, int], colors: Sequence[int] | None = None
) -> Image.Image:
    """The picture of frame `index`, shown during `second`, at `size` (width, height)."""
    pixels = _background(second, tuple(size), tuple(colors) if colors else None).copy()
    width, strip = size[0], _strip_height(size[1])
    for cell, bit in enumerate([1] + [(index >> bit) & 1 for bit in range(_INDEX_BITS)]):
        pixels[:strip, cell * width // _CELLS : (cell + 1) * width // _CELLS] = 255 if bit else 0
    return Image.fromarray(pixels)


def palette_index_shown(image: Image.Image) -> int:
    """The index in `PALETTE` of the colour a synthetic frame shows (`random_colors` values)."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    height, width = pixels.shape[:2]
    band = pixels[int(height * 0.85) : int(height * 0.95), int(width * 0.1) : int(width * 0.9)]
    return int(np.argmin(np.linalg.norm(np.array(PALETTE) - band.reshape(-1, 3).mean(axis=0), axis=1)))


def colour_shown(image: Image.Image) -> str:
    """The name of the palette colour a synthetic frame shows ("red", "cyan", ...)."""
    return COLOR_NAMES[palette_index_shown(image)]


def frame_index_shown(image: Image.Image) -> int:
    """The frame index (modulo 2048) drawn in the top strip; -1 if the strip is absent."""
    pixels = np.asarray(image.convert("L"), dtype=np.float64)
    height, width = pixels.shape
    strip = _strip_height(height)
    bits = []
    for cell in range(_CELLS):
        left, right = cell * width // _CELLS, (cell + 1) * width // _CELLS
        margin_x, margin_y = max(1, (right - left) // 4), max(1, strip // 4)
        bits.append(pixels[margin_y : strip - margin_y, left + margin_x : right - margin_x].mean() > 128)
    return sum(1 << bit for bit, on in enumerate(bits[1:]) if on) if bits[0] else -1


def _h264_stream(container: av.container.OutputContainer, fps: float, keyframe_interval: float = 2.0):
    """An H.264 stream (libx264 where PyAV's FFmpeg has it, else libopenh264) with a keyframe every
    `keyframe_interval` seconds exactly."""
    encoder, options = "libopenh264", {"g": str(max(1, round(keyframe_interval * fps)))}
    if "libx264" in av.codecs_available:  # no B-frames, no keyframes but every `g` frames
        encoder, options = "libx264", options | {"preset": "ultrafast", "sc_threshold": "0"}
    return container.add_stream(encoder, rate=Fraction(fps).limit_denominator(1001), options=options)


ODD_SIZE = message("video_synth.odd_size", "size must have an even width and height (for H.264), got {size}.")


def make_test_video(
    path: str | Path,
    seconds: float = 10,
    size: tuple[int, int] = (320, 240),
    colors: Sequence[int] | None = None,
) -> SyntheticVideo:
    """Write a synthetic H.264 video (10 frames per second, a keyframe every 2 s) in the container
    the extension names (.mp4, .mkv, .mov): second s shows colour `colors[s]` (palette indices,
    e.g. `random_colors(seconds, seed)`; by default the palette in order) and the number s."""
    path, count = Path(path), round(seconds * FPS)
    if size[0] % 2 or size[1] % 2:
        raise ValueError(render(ODD_SIZE, size=size))
    with av.open(str(path), "w") as container:
        stream = _h264_stream(container, FPS)
        stream.width, stream.height, stream.pix_fmt = *size, "yuv420p"
        for index in range(count):
            frame = av.VideoFrame.from_image(draw_frame(whole_second(index / FPS), index, size, colors))
            frame.pts, frame.time_base = index, Fraction(1, FPS)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    names = [COLOR_NAMES[_palette_index(s, colors)] for s in range(whole_second((count - 1) / FPS) + 1)]
    return SyntheticVideo(path, [index / FPS for index in range(count)], names)
