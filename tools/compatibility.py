"""The compatibility matrix: the course in fresh environments at its lower bounds and at the newest releases.

`make test` runs the whole suite in the pinned environment (`constraints.txt`, the `.venv`). This
builds two more with uv, each a new virtual environment with the course installed editable:

- `lowest`: every direct dependency at the lowest version `pyproject.toml` admits
  (`uv pip install --resolution lowest-direct`; what they need in turn at its newest);
- `newest`: the newest releases of everything, torch included (`--resolution highest`).

In each it runs the unit tests (`pytest -m "not slow and not gpu"`, as `make check`) and both
English lessons with their solutions (every exercise must pass), then prints the versions it tested
and the time each step took. The two environments are checked side by side. uv keeps what it
downloads in its cache (`uv cache dir`), so a second build of the same environment takes seconds.

    python -m tools.compatibility            # both environments
    python -m tools.compatibility lowest     # one
    python -m tools.compatibility --keep     # keep build/matrix/<name> to look into
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = {
    "lowest": ["--resolution", "lowest-direct"],
    "newest": ["--resolution", "highest"],
}
EXTRAS = ".[test,video]"  # what the tests and the lessons import (not JupyterLab)
# The notebook runs, the browser, the longer trainings and the Colab install are marked `slow`.
UNIT_TESTS = ["-n", "2", "--dist", "loadfile", "-m", "not slow and not gpu", "tests"]  # as `make check`
REPORTED = (
    "torch",
    "torchvision",
    "transformers",
    "trl",
    "peft",
    "accelerate",
    "datasets",
    "huggingface-hub",
)
INSTALL_TIMEOUT_S = 1200
TESTS_TIMEOUT_S = 1200


@dataclass
class MatrixRun:
    """One environment of the matrix: its versions, the seconds each step took, and what failed."""

    name: str
    versions: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    failure: str | None = None

    def summary(self) -> str:
        versions = ", ".join(f"{name} {version}" for name, version in self.versions.items())
        times = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in self.seconds.items())
        outcome = "passed" if self.failure is None else "FAILED"
        return f"{self.name}: {outcome} ({times})\n  {versions}"


def uv() -> str:
    """The uv next to this Python (the `test` extra installs it), else one on PATH."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if found is None:
        raise SystemExit("uv is missing: pip install -c constraints.txt -e '.[test]' installs it.")
    return found


def _step(run: MatrixRun, step: str, command: list[str], timeout: int, **options) -> str:
    """Run one command of the matrix, record its time, and raise with its output's end if it fails."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **options)
    run.seconds[step] = time.perf_counter() - started
    if done.returncode != 0:
        output = (done.stdout[-6000:] + "\n" + done.stderr[-3000:]).strip()
        raise RuntimeError(f"{run.name}: {step} failed ({' '.join(command[:4])} ...):\n{output}")
    return done.stdout


def build_environment(name: str, folder: Path, run: MatrixRun) -> Path:
    """A fresh virtual environment in `folder` with the course installed as `name` resolves it."""
    shutil.rmtree(folder, ignore_errors=True)
    python, uv_path = folder / "bin" / "python", uv()
    _step(run, "venv", [uv_path, "venv", "--quiet", "--seed", "--python", sys.executable, str(folder)], 120)
    install = [
        uv_path,
        "pip",
        "install",
        "--quiet",
        "--python",
        str(python),
        *ENVIRONMENTS[name],
        "-e",
        EXTRAS,
    ]
    _step(run, "install", install, INSTALL_TIMEOUT_S, cwd=ROOT)
    listed = _step(run, "list", [uv_path, "pip", "list", "--python", str(python), "--format", "json"], 120)
    versions = {row["name"].lower(): row["version"] for row in json.loads(listed)}
    run.versions = {package: versions.get(package, "missing") for package in REPORTED}
    return python


def check_environment(name: str, out_dir: Path, keep: bool = False) -> MatrixRun:
    """Build environment `name` under `out_dir`, then run the unit tests and both solved lessons in it.

    The environment (about 6 GB, torch with its CUDA libraries) is removed afterwards unless `keep`.
    """
    run = MatrixRun(name)
    try:
        python = build_environment(name, out_dir / name, run)
        env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "OMP_NUM_THREADS": "1",  # two environments run side by side
            "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        env.pop("COURSE_RESULTS_FILE", None)
        unit = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *UNIT_TESTS]
        _step(run, "unit tests", unit, TESTS_TIMEOUT_S, cwd=ROOT, env=env)
        lessons = [
            str(python),
            "-m",
            "tools.notebooks",
            "build",
            "--solved",
            "--no-html",
            "--out",
            str(out_dir / name / "lessons"),
        ]
        _step(run, "solved lessons", lessons, TESTS_TIMEOUT_S, cwd=ROOT, env=env)
    except (RuntimeError, subprocess.TimeoutExpired) as failure:
        run.failure = str(failure)
    finally:
        if not keep:
            shutil.rmtree(out_dir / name, ignore_errors=True)
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Test the course at its lower bounds and at the newest releases."
    )
    parser.add_argument("environments", nargs="*", help=f"some of {', '.join(ENVIRONMENTS)} (default: all)")
    parser.add_argument(
        "--out", default="build/matrix", help="where the environments go (default: build/matrix)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the environments (about 6 GB each)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.environments) - set(ENVIRONMENTS))
    if unknown:
        parser.error(f"unknown environment {', '.join(unknown)}: choose from {', '.join(ENVIRONMENTS)}")
    # The environments are checked side by side (each step is a subprocess, one CPU thread per process):
    # on 2 cores that takes about a third less time than one after the other.
    names = args.environments or list(ENVIRONMENTS)
    failures = 0
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        runs = [pool.submit(check_environment, name, Path(args.out).resolve(), args.keep) for name in names]
        for done in as_completed(runs):
            run = done.result()
            print(run.summary(), flush=True)
            if run.failure:
                print(run.failure, flush=True)
                failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
