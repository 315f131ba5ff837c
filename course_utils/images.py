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

from course_utils.messages import format_timestamp

URL_TIMEOUT_S = 10.0
MAX_DOWNLOAD_BYTES = 50_000_000


class ImageLoadError(ValueError):
    """An image could not be opened; the message names the source and the fix."""


def is_url(source) -> bool:
    return isinstance(source, str) and source.startswith(("http://", "https://"))


def _download(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "smolvlm-course"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_DOWNLOAD_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ImageLoadError(
            f"Could not download the image {url!r} ({reason}). Check the address and your internet "
            "connection, or download the file and pass its local path."
        ) from None
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise ImageLoadError(f"The image at {url!r} is larger than {MAX_DOWNLOAD_BYTES:,} bytes.")
    return data


def load_image(source, timeout: float = URL_TIMEOUT_S) -> Image.Image:
    """Open `source` (a PIL image, a path, an http(s) URL or a file's bytes) as a decoded RGB image."""
    if isinstance(source, Image.Image):
        return source if source.mode == "RGB" else source.convert("RGB")
    if is_url(source):
        name, stream = repr(source), io.BytesIO(_download(source, timeout))
    elif isinstance(source, (bytes, bytearray, memoryview)):
        name, stream = f"of {len(source):,} bytes", io.BytesIO(bytes(source))
    elif isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        if not path.is_file():
            raise ImageLoadError(f"Image file not found: {str(path)!r}. Check the path and spelling.")
        name, stream = repr(str(path)), path
    else:
        raise ImageLoadError(
            f"Expected a PIL image, a file path, an http(s) URL or bytes, got {type(source).__name__}."
        )
    try:
        with warnings.catch_warnings():
            # PIL's own decompression-bomb guard (`Image.MAX_IMAGE_PIXELS`) only warns below twice its
            # limit: here it refuses, before decoding.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as opened:
                opened.load()
                return opened.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageLoadError(
            f"The image {name} has more than {Image.MAX_IMAGE_PIXELS:,} pixels, PIL's decompression-bomb "
            "limit. Resize it first, or raise `PIL.Image.MAX_IMAGE_PIXELS` if you trust the file."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageLoadError(
            f"The file {name} is not a readable image ({error}). It may be corrupt or truncated, "
            "or not an image at all: open it in an image viewer, or re-download it."
        ) from None


def same_pixels(first, second) -> bool:
    """True when two pictures (anything `load_image` opens) have the same size and RGB pixels."""
    if first is second:
        return True
    try:
        first, second = load_image(first), load_image(second)
    except ImageLoadError:
        return False
    return first.size == second.size and np.array_equal(np.asarray(first), np.asarray(second))


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
        raise ValueError("frame_grid needs at least one picture.")
    if timestamps is not None and len(timestamps) != len(frames):
        raise ValueError(f"Got {len(frames)} pictures but {len(timestamps)} timestamps.")
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
