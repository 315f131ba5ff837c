"""Every course benchmark in one command: test suite and notebooks, video sampling, training recipes,
generation and token costs, printed as one table and written to build/benchmarks/results.{json,md}.

    python benchmarks/run_all.py --skip-suite            # CPU, embedded tiny model (a few minutes)
    python benchmarks/run_all.py --profile real          # CUDA GPU, SmolVLM-Instruct shape in bf16
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import bench_generation
import bench_tokens
import bench_training
from bench_table import Row, render_text, write_tables

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the maintainer tooling in tools/ is not part of the installed package
OUT_DIR = ROOT / "build" / "benchmarks"
SECTIONS = ("suite", "notebooks", "video", "training", "generation", "tokens")
PROFILE_DEFAULTS = {  # steps include the warm-up steps that are not timed
    "tiny": dict(steps=10, batch_size=8, video_seconds=30),
    "real": dict(steps=20, batch_size=8, video_seconds=600),
}


def hardware() -> dict:
    """CPU model and cores, torch version and the GPU, for the results' header."""
    import torch

    cpu = platform.processor() or "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        names = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    cpu = names[0] if names else cpu
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else "none"
    threads = os.environ.get("OMP_NUM_THREADS", "default")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "omp_threads": threads,
        "gpu": gpu,
        "torch": torch.__version__,
        "python": platform.python_version(),
    }


def model_source(profile: str, shape: str) -> str:
    """ "tiny", or a real-shape folder built once on the GPU under build/benchmarks/real/."""
    if profile == "tiny":
        return "tiny"
    import torch

    from tools.real_shapes import build_real_shape

    folder = OUT_DIR / "real" / shape
    if not (folder / "config.json").is_file():
        print(f"building the {shape} real shape in {folder} ...", flush=True)
        build_real_shape(shape, folder, device="cuda", dtype=torch.bfloat16)
    return str(folder)


def suite_rows() -> list[Row]:
    """Wall time of the whole pytest suite (the gpu-marked tests skip without a GPU)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-ra", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "pytest.log").write_text(done.stdout + done.stderr)
    summary = (done.stdout.strip().splitlines() or ["no output"])[-1].strip("= ")
    return [Row("a. tests", "pytest suite", seconds, "s", f"{summary}; log in build/benchmarks/pytest.log")]


def notebook_rows(source: str, all_languages: bool) -> list[Row]:
    """Wall time of each lesson notebook, run blank through papermill on `source`."""
    from tools.notebooks import run_notebook

    pattern = "notebooks/*/*.ipynb" if all_languages else "notebooks/en/*.ipynb"
    parameters = None if source == "tiny" else {"MODEL": source}
    rows = []
    for path in sorted(ROOT.glob(pattern)):
        name = str(path.relative_to(ROOT / "notebooks"))
        out = OUT_DIR / "notebooks" / name
        run = run_notebook(path, out, parameters=parameters, raise_on_error=False)
        rows.append(Row("a. tests", f"notebook {name}", run.seconds, "s", run.error or "ran"))
    return rows


def video_rows(seconds: float) -> list[Row]:
    """16 frames from a 720p video: seeking against decoding everything (benchmarks/video_sampling.py)."""
    import video_sampling

    path = video_sampling.cached_video(seconds, 30, (1280, 720), 2.0)
    results = [video_sampling.run_in_subprocess(method, path, 16) for method in video_sampling.METHODS]
    label = f"{seconds:g} s 720p video"
    rows = []
    for result in results:
        rows.append(Row("b. video", f"{result['method']} ({label})", result["seconds"], "s"))
        rows.append(
            Row(
                "b. video",
                f"{result['method']} peak RSS",
                result["peak_rss_mb"],
                "MiB",
                "whole child process, imports included",
            )
        )
    rows.append(
        Row(
            "b. video",
            "seek speed-up over decode_all_keep_chosen",
            results[1]["seconds"] / results[0]["seconds"],
            "x",
        )
    )
    return rows


def _training_figure_rows(name: str, figures: dict, memory_unit: str) -> list[Row]:
    note = f"{figures['tokens_per_sample']:.0f} tokens/sample, {figures['loss_token_share']:.0%} in loss"
    rows = [
        Row("c. training", f"{name} samples/s", figures["samples_per_s"], "samples/s", note),
        Row("c. training", f"{name} peak memory", figures["peak_memory_mib"], memory_unit),
    ]
    if figures["recipe"] == "course-full":
        rows.append(
            Row(
                "c. training",
                f"{name} MFU",
                figures["mfu"],
                "",
                "6·N·tokens/s over peak bf16; n/a without a known GPU",
            )
        )
    return rows


def training_rows(source: str, steps: int, batch_size: int, peak_tflops: float | None) -> list[Row]:
    """Course LoRA/QLoRA against the cookbook at the course's token budget and at its own defaults."""
    runs = [
        ("course-lora", "course"),
        ("course-qlora", "course"),
        ("cookbook", "course"),
        ("cookbook", "own"),
        ("course-full", "own"),
    ]
    peak = peak_tflops * 1e12 if peak_tflops else None
    found = {}
    for recipe, budget in runs:
        print(f"training {recipe} at the {budget} token budget ...", flush=True)
        found[recipe, budget] = bench_training.measure_in_subprocess(
            recipe, budget, source, steps, batch_size, peak
        )
    memory_unit = "MiB allocated (CUDA)" if found["cookbook", "own"]["device"] != "cpu" else "MiB peak RSS"
    rows = []
    for (recipe, budget), figures in found.items():
        label = f"{recipe} @ {'same (course)' if budget == 'course' else 'own'} budget"
        rows += _training_figure_rows(label, figures, memory_unit)
    speed = {key: figures["samples_per_s"] for key, figures in found.items()}
    rows += [
        Row(
            "c. training",
            "course LoRA / cookbook, same budget",
            speed["course-lora", "course"] / speed["cookbook", "course"],
            "x",
            "implementation",
        ),
        Row(
            "c. training",
            "course QLoRA / cookbook, own defaults",
            speed["course-qlora", "course"] / speed["cookbook", "own"],
            "x",
            "target >= 1.5x on H100",
        ),
        Row(
            "c. training",
            "course LoRA / cookbook, own defaults",
            speed["course-lora", "course"] / speed["cookbook", "own"],
            "x",
        ),
    ]
    return rows


def generation_rows(source: str) -> list[Row]:
    """`ask_batch` at batch 16 against `ask` one by one, answers/s."""
    from course_utils.loading import load_vlm

    model, processor = load_vlm(source)
    figures = bench_generation.measure(model, processor)
    note = f"{figures['questions']} questions, {figures['max_new_tokens']} new tokens max"
    return [
        Row("d. generation", "ask one by one", figures["one_by_one"], "answers/s", note),
        Row("d. generation", "ask_batch, batch 16", figures["batched"], "answers/s", note),
        Row("d. generation", "batched speed-up", figures["speedup"], "x", "target >= 5x on H100"),
    ]


def token_rows(batch_size: int) -> list[Row]:
    """Tokens per image and per chart sample, with the activation memory they imply."""
    rows = []
    for found in bench_tokens.measure(batch_size):
        label = f"{found['model']}, splitting {'on' if found['splitting'] else 'off'}"
        note = (
            f"text activations at batch {batch_size}: {found['activations_gib']:.2f} GiB, "
            f"{found['activations_checkpointed_gib']:.2f} GiB checkpointed (estimate)"
        )
        counted = found.get("image_tokens_per_image")
        image_note = f"{counted:,} <image> tokens (image_tokens_per_image) + tile markers" if counted else ""
        rows.append(Row("e. tokens", f"{label}: per image", found["tokens_per_image"], "tokens", image_note))
        rows.append(Row("e. tokens", f"{label}: per sample", found["tokens_per_sample"], "tokens", note))
    return rows


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=PROFILE_DEFAULTS, default="tiny")
    parser.add_argument("--shape", default="SmolVLM-Instruct", help="real shape for --profile real")
    parser.add_argument("--skip-suite", action="store_true", help="do not run the pytest suite")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--all-languages", action="store_true", help="every notebook language, not only en")
    parser.add_argument("--steps", type=int, help="training steps per recipe (2 untimed warm-up)")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--video-seconds", type=float)
    parser.add_argument("--peak-tflops", type=float, help="GPU peak bf16 TFLOP/s if not detected")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    for key, value in PROFILE_DEFAULTS[args.profile].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def run_sections(args: argparse.Namespace, source: str) -> list[Row]:
    wanted = [name for name in args.sections if not (name == "suite" and args.skip_suite)]
    builders = {
        "suite": suite_rows,
        "notebooks": lambda: notebook_rows(source, args.all_languages),
        "video": lambda: video_rows(args.video_seconds),
        "training": lambda: training_rows(source, args.steps, args.batch_size, args.peak_tflops),
        "generation": lambda: generation_rows(source),
        "tokens": lambda: token_rows(args.batch_size),
    }
    rows = []
    for name in wanted:
        print(f"== {name}", flush=True)
        rows += builders[name]()
    return rows


def main(argv: list[str] | None = None) -> list[Row]:
    args = parse_arguments(argv)
    import datasets
    import torch

    if args.profile == "real" and not torch.cuda.is_available():
        sys.exit("--profile real needs a CUDA GPU (torch.cuda.is_available() is False).")
    datasets.disable_progress_bars()
    started = time.perf_counter()
    rows = run_sections(args, model_source(args.profile, args.shape))
    rows.append(
        Row(
            "total",
            "run_all wall time",
            time.perf_counter() - started,
            "s",
            "without the pytest suite" if args.skip_suite else "",
        )
    )
    meta = {"profile": args.profile, **hardware(), "sections": " ".join(args.sections)}
    print("\n" + "\n".join(f"{key}: {value}" for key, value in meta.items()))
    print(render_text(rows))
    for path in write_tables(rows, args.out, meta):
        print(f"wrote {path}")
    return rows


if __name__ == "__main__":
    main()
