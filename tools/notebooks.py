"""Run the lesson notebooks: blank or with the reference solutions injected, via papermill.

`python -m tools.notebooks build` executes every `notebooks/en/*.ipynb` into `build/` as
executed notebooks and HTML pages, and prints which exercises passed, failed or were not attempted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from tabulate import tabulate
from traitlets.config import Config

from course_utils.exercises.core import RESULTS_ENV, solution_source

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PLANTED = ROOT / "tests" / "planted"  # known wrong answers, `# expect: <message key>` first
EXERCISE_TAG = "exercise:"
PARAMETERS_TAG = "parameters"
CELL_TIMEOUT_S = 300
KERNEL_NAME = "python3"
# CurveZMQ-encrypted kernel channels where the kernel supports them (ipykernel does): without it the
# kernel warns "Kernel is running over TCP without encryption" at every start.
KERNEL_MANAGER_CONFIG = {"KernelManager": {"transport_encryption": "auto"}}


@dataclass
class NotebookRun:
    """One executed notebook: where it went, how long it took, and the exercise outcomes."""

    source: Path
    output: Path | None
    seconds: float
    outcomes: list[dict] = field(default_factory=list)
    error: str | None = None


def lesson_name(notebook_path: str | Path) -> str:
    """`notebooks/es/01_vlm_usage.ipynb` -> `01_vlm_usage` (solutions are shared by all languages)."""
    return Path(notebook_path).stem


def parameter_values(notebook_path: str | Path) -> dict:
    """The values of a lesson's `parameters` cell (`NAME = value` lines), as papermill overrides them."""
    import ast

    notebook = nbformat.read(str(notebook_path), as_version=4)
    cell = next(cell for cell in notebook.cells if PARAMETERS_TAG in cell.metadata.get("tags", []))
    return {line.targets[0].id: ast.literal_eval(line.value) for line in ast.parse(cell.source).body}


def exercise_cells(notebook) -> dict[str, int]:
    """{exercise name: cell index} for the cells tagged `exercise:<name>`."""
    found = {}
    for index, cell in enumerate(notebook.cells):
        for tag in cell.get("metadata", {}).get("tags", []):
            if tag.startswith(EXERCISE_TAG):
                found[tag[len(EXERCISE_TAG) :]] = index
    return found


def solved_copy(notebook_path: str | Path, overrides: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The notebook with each `exercise:<name>` cell's source replaced by its solution
    (`course_utils/solutions/<lesson>/<name>.py`).

    `overrides` maps exercise names to source code used instead (e.g. a planted wrong answer);
    with `overrides`, exercises not named there keep their starter code.
    """
    notebook = nbformat.read(str(notebook_path), as_version=4)
    for name, index in exercise_cells(notebook).items():
        if overrides is not None:
            if name in overrides:
                notebook.cells[index].source = overrides[name]
            continue
        source = solution_source(lesson_name(notebook_path), name)
        if source is None:
            raise FileNotFoundError(
                f"No solution for exercise {name!r} of {notebook_path}: add "
                f"course_utils/solutions/{lesson_name(notebook_path)}/{name}.py"
            )
        notebook.cells[index].source = source
    return notebook


def planted_wrong_answers(notebook_path: str | Path, planted: str | Path = PLANTED) -> dict:
    """{exercise: (source, expected code)} from `tests/planted/<lesson>/<exercise>.py`.

    Each file starts with `# expect: <message code>`: the code its check must fail with.
    """
    return {
        exercise: (source, code)
        for name, (exercise, source, code) in _planted_files(notebook_path, planted).items()
        if name == exercise
    }


VARIANT_SEPARATOR = "--"


def planted_variants(notebook_path: str | Path, planted: str | Path = PLANTED) -> dict:
    """{variant: (exercise, source, expected code)} from `tests/planted/<lesson>/<exercise>--<variant>.py`.

    One file per further known mistake of an exercise (LoRA twice, right padding, ...), each run on its
    own; `<exercise>.py` is the one `planted_wrong_answers` runs with the other exercises'.
    """
    return {name: found for name, found in _planted_files(notebook_path, planted).items() if name != found[0]}


def _planted_files(notebook_path, planted) -> dict:
    folder = Path(planted) / lesson_name(notebook_path)
    planted = {}
    for path in sorted(folder.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        first = source.splitlines()[0] if source else ""
        if not first.startswith("# expect:"):
            raise ValueError(f"{path} must start with '# expect: <message code>'.")
        exercise = path.stem.split(VARIANT_SEPARATOR)[0]
        planted[path.stem] = (exercise, source.rstrip("\n"), first.split(":", 1)[1].strip())
    return planted


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    """Set environment variables for the kernel papermill starts (it inherits ours)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def read_results(results_file: str | Path) -> list[dict]:
    """Every outcome line of a results file, in order (missing file: none)."""
    path = Path(results_file)
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def exercise_summary(results_file: str | Path) -> list[dict]:
    """The latest outcome of each (lesson, exercise), in the order exercises were first checked."""
    latest: dict[tuple[str, str], dict] = {}
    for row in read_results(results_file):
        latest[(row["lesson"], row["exercise"])] = row  # a dict keeps the first position of a key
    return list(latest.values())


def format_summary(rows: list[dict]) -> str:
    """A plain-text table: lesson, exercise, outcome, message code."""
    header = ("lesson", "exercise", "outcome", "code")
    return tabulate(
        [[row.get(name, "") for name in header] for row in rows], headers=header, disable_numparse=True
    )


def run_notebook(
    path: str | Path,
    out_path: str | Path | None,
    parameters: dict | None = None,
    solved: bool = False,
    overrides: dict[str, str] | None = None,
    timeout: int = CELL_TIMEOUT_S,
    results_file: str | Path | None = None,
    kernel_name: str = KERNEL_NAME,
    env: dict[str, str] | None = None,
    raise_on_error: bool = True,
    stop_after: str | None = None,
) -> NotebookRun:
    """Execute a notebook with papermill (each cell limited to `timeout` seconds).

    `solved` injects the reference solutions; `overrides` injects given code into named
    exercises instead. Outcomes of the checks are read back from `results_file` (a temporary file
    when not given). A failing cell raises `papermill.PapermillExecutionError` unless
    `raise_on_error=False`, in which case `NotebookRun.error` says what failed. `stop_after` runs the
    notebook only up to the check cell of the named exercise (a mistake in 🐢 needs no later cell).
    """
    import papermill  # loads nbclient, jupyter_client and friends: only when a notebook runs

    path = Path(path)
    notebook = (
        solved_copy(path, overrides) if (solved or overrides is not None) else nbformat.read(str(path), 4)
    )
    if stop_after is not None:
        del notebook.cells[exercise_cells(notebook)[stop_after] + 2 :]  # the exercise, then its check
    with contextlib.ExitStack() as stack:
        if results_file is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="course_results_"))
            results_file = Path(folder) / "results.jsonl"
        results_file = Path(results_file).resolve()  # the kernel runs in the notebook's folder
        results_file.parent.mkdir(parents=True, exist_ok=True)
        start_line = len(read_results(results_file))
        stack.enter_context(_environment({RESULTS_ENV: str(results_file), **(env or {})}))
        if out_path is not None:
            Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        error = None
        try:
            papermill.execute_notebook(
                notebook,
                None if out_path is None else str(out_path),
                parameters=parameters or {},
                kernel_name=kernel_name,
                cwd=str(path.parent),
                execution_timeout=timeout,
                progress_bar=False,
                config=Config(KERNEL_MANAGER_CONFIG),
            )
        except Exception as failure:  # papermill's PapermillExecutionError, a timeout, a dead kernel
            if raise_on_error:
                raise
            error = f"{type(failure).__name__}: {failure}"
        seconds = time.perf_counter() - started
        outcomes = read_results(results_file)[start_line:]
    return NotebookRun(path, None if out_path is None else Path(out_path), seconds, outcomes, error)


def export_html(notebook_path: str | Path, html_path: str | Path) -> Path:
    """Write an executed notebook as a standalone HTML page."""
    from nbconvert import HTMLExporter  # slow to import: only when a page is written

    body, _ = HTMLExporter().from_filename(str(notebook_path))
    html_path = Path(html_path)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def lesson_notebooks(language: str = "en") -> list[Path]:
    return sorted((NOTEBOOKS / language).glob("*.ipynb"))


def build(
    out_dir: str | Path = "build", language: str = "en", solved: bool = False, html: bool = True
) -> int:
    """Execute the lessons into `out_dir` (.ipynb, and .html unless `html=False`), print timings and the
    exercise table."""
    out_dir = Path(out_dir) / language
    results_file = out_dir / "results.jsonl"
    results_file.unlink(missing_ok=True)
    failures = 0
    for notebook in lesson_notebooks(language):
        executed = out_dir / notebook.name
        run = run_notebook(notebook, executed, solved=solved, results_file=results_file, raise_on_error=False)
        status = "ok" if run.error is None else f"FAILED ({run.error.splitlines()[0][:200]})"
        print(f"{notebook.relative_to(ROOT)}: {run.seconds:.1f} s, {status}", flush=True)
        if html and executed.is_file():
            print(f"  -> {export_html(executed, executed.with_suffix('.html'))}")
        failures += run.error is not None
    print()
    summary = exercise_summary(results_file)
    print(format_summary(summary))
    if solved:  # with the reference solutions, every exercise must pass
        failures += sum(row["outcome"] != "passed" for row in summary)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Execute the lesson notebooks.")
    parser.add_argument("command", choices=["build"])
    parser.add_argument("--out", default="build", help="output folder (default: build/)")
    parser.add_argument("--language", default="en", help="notebooks/<language>/ (default: en)")
    parser.add_argument("--solved", action="store_true", help="inject the reference solutions first")
    parser.add_argument("--no-html", action="store_true", help="write the executed notebooks only")
    args = parser.parse_args(argv)
    return build(args.out, args.language, args.solved, html=not args.no_html)


if __name__ == "__main__":
    sys.exit(main())
