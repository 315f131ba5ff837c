"""Opening images safely (PIL images, local paths, URLs or a file's bytes, always RGB) and showing them.

Guards against decompression bombs and turns unreadable files into one clear error that names the
file and says what to do; `frame_grid` shows pictures or a video's frames side by side.
"""

from __future__ import annotations

import io
import math
import urllib.error
import urllib.request
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from course_utils.i18n import message, render
from course_utils.messages import format_timestamp

URL_TIMEOUT_S = 10.0
MAX_DOWNLOAD_BYTES = 50_000_000


class ImageLoadError(ValueError):
    """An image could not be opened; the message names the source and the fix."""


def is_url(source) -> bool:
    return isinstance(source, str) and source.startswith(("http://", "https://"))


DOWNLOAD_FAILED = message(
    "images.download_failed",
    "Could not download the image {url!r} ({reason}). Check the address and your internet "
    "connection, or download the file and pass its local path.",
)
DOWNLOAD_TOO_LARGE = message(
    "images.download_too_large", "The image at {url!r} is larger than {limit:,} bytes."
)


def _download(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "smolvlm-course"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_DOWNLOAD_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ImageLoadError(render(DOWNLOAD_FAILED, url=url, reason=reason)) from None
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise ImageLoadError(render(DOWNLOAD_TOO_LARGE, url=url, limit=MAX_DOWNLOAD_BYTES))
    return data


BYTES_NAME = message("images.bytes_name", "of {size:,} bytes")
NOT_FOUND = message("images.not_found", "Image file not found: {path!r}. Check the path and spelling.")
WRONG_SOURCE = message(
    "images.wrong_source", "Expected a PIL image, a file path, an http(s) URL or bytes, got {type_name}."
)
DECOMPRESSION_BOMB = message(
    "images.decompression_bomb",
    "The image {name} has more than {limit:,} pixels, PIL's decompression-bomb "
    "limit. Resize it first, or raise `PIL.Image.MAX_IMAGE_PIXELS` if you trust the file.",
)
UNREADABLE = message(
    "images.unreadable",
    "The file {name} is not a readable image ({error}). It may be corrupt or truncated, "
    "or not an image at all: open it in an image viewer, or re-download it.",
)


def load_image(source, timeout: float = URL_TIMEOUT_S) -> Image.Image:
    """Open `source` (a PIL image, a path, an http(s) URL or a file's bytes) as a decoded RGB image."""
    if isinstance(source, Image.Image):
        return source if source.mode == "RGB" else source.convert("RGB")
    if is_url(source):
        name, stream = repr(source), io.BytesIO(_download(source, timeout))
    elif isinstance(source, (bytes, bytearray, memoryview)):
        name, stream = render(BYTES_NAME, size=len(source)), io.BytesIO(bytes(source))
    elif isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        if not path.is_file():
            raise ImageLoadError(render(NOT_FOUND, path=str(path)))
        name, stream = repr(str(path)), path
    else:
        raise ImageLoadError(render(WRONG_SOURCE, type_name=type(source).__name__))
    try:
        with warnings.catch_warnings():
            # PIL's own decompression-bomb guard (`Image.MAX_IMAGE_PIXELS`) only warns below twice its
            # limit: here it refuses, before decoding.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as opened:
                opened.load()
                return opened.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageLoadError(render(DECOMPRESSION_BOMB, name=name, limit=Image.MAX_IMAGE_PIXELS)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageLoadError(render(UNREADABLE, name=name, error=error)) from None


def same_pixels(first, second) -> bool:
    """True when two pictures (anything `load_image` opens) have the same size and RGB pixels."""
    if first is second:
        return True
    try:
        first, second = load_image(first), load_image(second)
    except ImageLoadError:
        return False
    return first.size == second.size and np.array_equal(np.asarray(first), np.asarray(second))


NO_PICTURES = message("images.no_pictures", "frame_grid needs at least one picture.")
PICTURES_TIMESTAMPS_MISMATCH = message(
    "images.pictures_timestamps_mismatch", "Got {pictures} pictures but {timestamps} timestamps."
)


def frame_grid(pictures, timestamps: Sequence[float] | None = None, columns: int = 4):
    """A matplotlib Figure showing pictures in a grid, each titled with its time ('00:03.0').

    `pictures` is a list of PIL images (titled when `timestamps` are given) or a sampled video
    (`video.sample_frames`), whose frames are titled with their own timestamps.
    """
    from matplotlib.figure import Figure  # matplotlib loads only where a figure is drawn

    if hasattr(pictures, "frames") and hasattr(pictures, "timestamps"):
        frames = list(pictures.frames)
        timestamps = pictures.timestamps if timestamps is None else timestamps
    else:
        frames = list(pictures)
    if not frames:
        raise ValueError(render(NO_PICTURES))
    if timestamps is not None and len(timestamps) != len(frames):
        raise ValueError(
            render(PICTURES_TIMESTAMPS_MISMATCH, pictures=len(frames), timestamps=len(timestamps))
        )
    columns = max(1, min(columns, len(frames)))
    rows = math.ceil(len(frames) / columns)
    aspect = frames[0].height / frames[0].width
    figure = Figure(figsize=(3 * columns, 3 * aspect * rows + 0.4 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    for position, ax in enumerate(axes.flat):
        ax.axis("off")
        if position < len(frames):
            ax.imshow(frames[position])
            if timestamps is not None:
                ax.set_title(format_timestamp(timestamps[position], decimals=1), fontsize=10)
    return figure
