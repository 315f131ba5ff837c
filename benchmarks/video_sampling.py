"""Benchmark: 16 frames from a long 720p video, by seeking (sample_frames) vs decoding everything.

Generates a synthetic H.264 video once (cached under ~/.cache/smolvlm-course/), then runs each
method in its own subprocess so peak memory is measured separately. Prints times, ratio and RSS.

    python benchmarks/video_sampling.py              # 10 minutes, 1280x720, 30 fps
    python benchmarks/video_sampling.py --seconds 30 # a short run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

CACHE_DIR = Path.home() / ".cache" / "smolvlm-course"
METHODS = ("seek", "decode_all_keep_chosen", "decode_all_to_list")
TESTS = Path(__file__).resolve().parents[1] / "tests"  # video_fixtures writes the synthetic video
GRAIN_DRIFT = 64  # pixels the grain pattern slides over before repeating


def film_grain(size: tuple[int, int], bar):
    """A `touch_up` for `write_video`: zero-mean noise shifted 3 px per frame, so the video costs
    about as much to decode as real footage (colours and the index strip still read back); it
    also moves the progress `bar` on."""
    import numpy as np

    width, height = size
    tile = np.random.default_rng(1).integers(-20, 21, size=(height, width + GRAIN_DRIFT, 1), dtype=np.int16)

    def touch_up(pixels, index: int):
        bar.update(1)
        offset = (3 * index) % GRAIN_DRIFT
        noise = tile[:, offset : offset + width]
        return np.clip(pixels.astype(np.int16) + noise, 0, 255).astype(np.uint8)

    return touch_up


def cached_video(seconds: float, fps: int, size: tuple[int, int], keyframe_interval: float) -> Path:
    """The benchmark video, written once (to a temporary name, renamed when complete)."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from video_fixtures import write_video

    from course_utils.progress import progress_bar

    width, height = size
    name = f"bench_grain_{seconds:g}s_{width}x{height}_{fps}fps_key{keyframe_interval:g}s.mp4"
    path = CACHE_DIR / name
    if path.exists():
        return path
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"partial_{os.getpid()}_{name}")
    started = time.perf_counter()
    with progress_bar(total=round(seconds * fps), desc="writing the benchmark video", unit="frame") as bar:
        grain = film_grain(size, bar)
        write_video(partial, seconds, fps, size, keyframe_interval=keyframe_interval, touch_up=grain)
    partial.rename(path)
    print(f"wrote {path} in {time.perf_counter() - started:.0f} s")
    return path


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def chosen_indices(stream, count: int) -> list[int]:
    """Indices of the frames shown at `count` evenly spaced times (what sample_frames picks)."""
    import numpy as np

    fps, total = float(stream.average_rate), stream.frames
    duration = float(stream.duration * stream.time_base)
    times = np.linspace(0, duration, count)
    return [min(int(t * fps + 1e-6), total - 1) for t in times]


def sample_by_seeking(path: Path, count: int) -> list:
    from course_utils.video import sample_frames

    return sample_frames(path, num_frames=count).frames


def decode_all_keep_chosen(path: Path, count: int) -> list:
    """The widely copied recipe: decode every frame, keep those at the chosen indices."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # give the baseline multithreaded decoding too
        wanted = set(chosen_indices(stream, count))
        kept = [frame.to_image() for index, frame in enumerate(container.decode(stream)) if index in wanted]
    return kept


def decode_all_to_list(path: Path, count: int) -> list:
    """Decode every frame into a list of RGB arrays, then index it (needs RAM for all frames)."""
    import av
    from PIL import Image

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
        indices = chosen_indices(stream, count)
    return [Image.fromarray(frames[i]) for i in indices]


def run_method(method: str, path: Path, count: int) -> dict:
    """Run one method in this process and report time, memory and which frames it returned."""
    import av  # noqa: F401  (imports are not part of the timing)
    import numpy as np  # noqa: F401

    from course_utils.video_synth import frame_index_shown

    functions = {
        "seek": sample_by_seeking,
        "decode_all_keep_chosen": decode_all_keep_chosen,
        "decode_all_to_list": decode_all_to_list,
    }
    rss_before = current_rss_mb()
    started = time.perf_counter()
    frames = functions[method](path, count)
    elapsed = time.perf_counter() - started
    return {
        "method": method,
        "seconds": elapsed,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
        "frames": len(frames),
        "frame_indices_mod_2048": [frame_index_shown(frame) for frame in frames],
    }


def run_in_subprocess(method: str, path: Path, count: int) -> dict:
    command = [sys.executable, __file__, "--run-method", method, "--path", str(path)]
    command += ["--frames", str(count)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{method} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def list_fits_in_memory(path: Path, fraction: float = 0.5) -> tuple[bool, float]:
    """Whether all frames as RGB arrays fit in `fraction` of the available RAM, and their GiB."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        needed = stream.frames * stream.width * stream.height * 3 / 2**30
    with open("/proc/meminfo") as meminfo:
        fields = dict(line.split(":", 1) for line in meminfo)
    available = int(fields["MemAvailable"].split()[0]) / 2**20
    return needed < fraction * available, needed


def report(results: list[dict]) -> None:
    seek = results[0]
    print(f"\n{'method':<24}{'time (s)':>10}{'peak RSS (MiB)':>16}{'of which sampling':>19}  frames")
    for row in results:
        if "skipped" in row:
            print(f"{row['method']:<24}{'skipped':>10}  ({row['skipped']})")
            continue
        added = row["peak_rss_mb"] - row["rss_before_mb"]
        print(
            f"{row['method']:<24}{row['seconds']:>10.2f}{row['peak_rss_mb']:>16.0f}"
            f"{added:>19.0f}  {row['frames']}"
        )
    print("(peak RSS includes the imports; 'of which sampling' is the peak minus RSS before it)")
    for row in results[1:]:
        if "skipped" in row:
            continue
        same = row["frame_indices_mod_2048"] == seek["frame_indices_mod_2048"]
        print(
            f"seek is {row['seconds'] / seek['seconds']:.1f}x faster than {row['method']}"
            f" (same frames: {'yes' if same else 'no'})"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600, help="video length (default 600)")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT")
    parser.add_argument("--keyframe-interval", type=float, default=2.0, help="seconds")
    parser.add_argument("--frames", type=int, default=16, help="frames to sample")
    parser.add_argument("--run-method", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run_method:  # child process: one method, JSON on the last line
        print(json.dumps(run_method(args.run_method, args.path, args.frames)))
        return

    width, height = (int(n) for n in args.size.lower().split("x"))
    path = cached_video(args.seconds, args.fps, (width, height), args.keyframe_interval)
    print(f"video: {path.name}, {path.stat().st_size / 2**20:.0f} MiB; sampling {args.frames} frames")
    results = []
    for method in METHODS:
        if method == "decode_all_to_list":
            fits, needed = list_fits_in_memory(path)
            if not fits:
                results.append({"method": method, "skipped": f"all frames as RGB need {needed:.0f} GiB"})
                continue
        print(f"running {method}...", flush=True)
        results.append(run_in_subprocess(method, path, args.frames))
    report(results)


if __name__ == "__main__":
    main()
