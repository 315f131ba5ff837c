"""GPU runner tests at the real SmolVLM-Instruct shape (2.2B parameters, bf16, random weights).

Every lesson notebook runs on the real-shape folder, and the course's QLoRA recipe stays under its
memory target. Without a CUDA GPU the `gpu` hook in conftest.py reports these as skipped (not run).
"""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(ROOT.glob("notebooks/en/*.ipynb"))
SHAPE = "SmolVLM-Instruct"
QLORA_PEAK_LIMIT_GIB = 15

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="session")
def real_shape_folder(tmp_path_factory):
    import torch

    from tools.real_shapes import build_real_shape

    return build_real_shape(
        SHAPE, tmp_path_factory.mktemp("real") / SHAPE, device="cuda", dtype=torch.bfloat16
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_lesson_notebook_runs_at_the_real_shape(path, real_shape_folder, tmp_path):
    from tools.notebooks import run_notebook

    run = run_notebook(
        path,
        tmp_path / path.name,
        parameters={"MODEL": str(real_shape_folder)},
        timeout=900,
        raise_on_error=False,
    )
    assert run.error is None, run.error


def test_course_qlora_peak_memory_on_gpu(real_shape_folder):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_training

    figures = bench_training.measure("course-qlora", "course", str(real_shape_folder), steps=6, batch_size=8)
    assert figures["device"] != "cpu"
    assert figures["samples_per_s"] > 0
    assert figures["peak_memory_mib"] <= QLORA_PEAK_LIMIT_GIB * 1024, figures
