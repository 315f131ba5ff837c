"""Opening images from PIL objects, paths and URLs, with clear errors."""

import pytest
from PIL import Image

from course_utils.images import ImageLoadError, frame_grid, load_image
from course_utils.messages import format_timestamp


def test_paths_and_pil_images_open_as_rgb(tmp_path):
    path = tmp_path / "grey.png"
    Image.new("L", (10, 6), 128).save(path)
    opened = load_image(path)
    assert opened.mode == "RGB" and opened.size == (10, 6)
    assert load_image(str(path)).getpixel((0, 0)) == (128, 128, 128)
    assert load_image(Image.new("RGBA", (3, 3))).mode == "RGB"


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(ImageLoadError, match="not found: .*nope.png"):
        load_image(tmp_path / "nope.png")


def test_corrupt_file_names_the_file(tmp_path):
    path = tmp_path / "broken.jpg"
    good = tmp_path / "good.jpg"
    Image.new("RGB", (64, 64), "red").save(good)
    path.write_bytes(good.read_bytes()[:200])
    with pytest.raises(ImageLoadError, match="broken.jpg.*not a readable image"):
        load_image(path)


def test_text_file_is_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("hello")
    with pytest.raises(ImageLoadError, match="notes.png"):
        load_image(path)


def test_decompression_bomb_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    Image.new("RGB", (400, 400)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)  # 160,000 pixels: above, not twice
    with pytest.raises(ImageLoadError, match="decompression-bomb"):
        load_image(path)


def test_unreachable_url_gives_a_clear_error():
    # Port 9 on loopback is closed: the download fails at once, never hangs.
    with pytest.raises(ImageLoadError, match="Could not download the image"):
        load_image("http://127.0.0.1:9/cat.png", timeout=2)


def test_url_is_downloaded_with_a_timeout(tmp_path):
    import http.server
    import threading
    from functools import partial

    Image.new("RGB", (5, 5), "green").save(tmp_path / "green.png")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/green.png"
        assert load_image(url).getpixel((2, 2)) == (0, 128, 0)
    finally:
        server.shutdown()


def test_wrong_type_is_named():
    with pytest.raises(ImageLoadError, match="got int"):
        load_image(5)


def test_bytes_of_an_image_file_open_and_corrupt_bytes_say_so():
    import io

    buffer = io.BytesIO()
    Image.new("RGB", (12, 7), "blue").save(buffer, format="PNG")
    opened = load_image(buffer.getvalue())
    assert opened.size == (12, 7) and opened.getpixel((0, 0)) == (0, 0, 255)
    assert load_image(memoryview(buffer.getvalue())).size == (12, 7)
    with pytest.raises(ImageLoadError, match="of 40 bytes is not a readable image"):
        load_image(buffer.getvalue()[:40])


def test_format_timestamp():
    assert format_timestamp(3.04, decimals=1) == "00:03.0"
    assert format_timestamp(75.26, decimals=1) == "01:15.3"


def test_frame_grid_shows_plain_pictures_untitled_or_with_given_times():
    pictures = [Image.new("RGB", (8, 6), colour) for colour in ("red", "green", "blue")]
    figure = frame_grid(pictures, columns=2)
    axes = figure.get_axes()
    assert len(axes) == 4 and [ax.get_title() for ax in axes] == ["", "", "", ""]
    assert [len(ax.get_images()) for ax in axes] == [1, 1, 1, 0]
    assert axes[1].get_images()[0].get_array()[0, 0].tolist() == [0, 128, 0]
    titled = frame_grid(pictures[:2], timestamps=[0.5, 61.0])
    assert [ax.get_title() for ax in titled.get_axes()] == ["00:00.5", "01:01.0"]
    with pytest.raises(ValueError, match="2 pictures but 1 timestamps"):
        frame_grid(pictures[:2], timestamps=[0.0])
    with pytest.raises(ValueError, match="at least one picture"):
        frame_grid([])
