"""What the learner sees, measured: a solved lesson (2 or 3) over data seeds x CPU kernels, and timings.

Runs the solved lesson notebook (papermill) once per (seed, ATEN_CPU_CAPABILITY), reads the figures
its checks record, and prints each figure's worst value over all runs next to the issue's targets; also
times each blank lesson and the solved lessons. Writes build/benchmarks/lesson_figures[_3].{json,md}.

    python benchmarks/lesson_figures.py                          # lesson 2, seeds 0-4, every capability here
    python benchmarks/lesson_figures.py --seeds 0 1 --capabilities default
    python benchmarks/lesson_figures.py --skip-timings --jobs 2    # the figures only, two runs at once
    python benchmarks/lesson_figures.py --lesson 3 --skip-timings  # lesson 3 (GRPO)
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "build" / "benchmarks"
LESSON_1 = ROOT / "notebooks" / "en" / "01_vlm_usage.ipynb"
LESSON_2 = ROOT / "notebooks" / "en" / "02_vlm_finetuning.ipynb"
LESSON_3 = ROOT / "notebooks" / "en" / "03_vlm_grpo.ipynb"
# (figure, target, how to read it from one run); "min" rows are the minimum over all runs.
TARGETS = {
    "🐢 SFT before": "≤ 10%",
    "🐢 SFT after": "≥ 85%",
    "🐢 worst question kind": "≥ 75%",
    "🐢 after − majority baseline": "≥ 40 points",
    "🐕 new dataset before": "≤ 10%",
    "🐕 new dataset after": "≥ 80%",
    "🐕 after − majority baseline": "≥ 40 points",
    "🦁 DPO gain": "≥ 30 points",
    "solved lesson 2 (s)": "≤ 90 s",
}
# Lesson 3 (issue 25): GRPO's gain over the base model and over the majority baseline, and how far the
# hacked run's held-out exact match falls below the fixed run's.
TARGETS_3 = {
    "🐕 GRPO before": "(the base model)",
    "🐕 GRPO after": "",
    "🐕 GRPO gain": "≥ 40 points",
    "🐕 after − majority baseline": "≥ 40 points",
    "🦁 hacked run": "",
    "🦁 fixed run": "",
    "🦁 fixed − hacked": "≥ 30 points",
    "solved lesson 3 (s)": "≤ 120 s",
}


def capabilities_here() -> list[str]:
    """The ATEN_CPU_CAPABILITY values this CPU can run: default, avx2, and avx512 where present."""
    flags = Path("/proc/cpuinfo").read_text()
    found = ["default"]
    if " avx2" in flags:
        found.append("avx2")
    if " avx512f" in flags and " avx512bw" in flags:
        found.append("avx512")
    return found


def figures_of(outcomes: list[dict]) -> dict[str, float]:
    """The figures one solved run recorded (the passed exercises' fields: accuracies as fractions)."""
    fields = {row["exercise"]: row.get("fields", {}) for row in outcomes if row["outcome"] == "passed"}
    missing = {"sft_charts", "new_columns", "dpo"} - set(fields)
    if missing:
        raise RuntimeError(f"exercises {sorted(missing)} did not pass: {outcomes}")
    sft, shapes, dpo = fields["sft_charts"], fields["new_columns"], fields["dpo"]
    return {
        "🐢 SFT before": sft["before"],
        "🐢 SFT after": sft["after"],
        "🐢 worst question kind": min(sft["kinds"].values()),
        "🐢 after − majority baseline": sft["after"] - sft["baseline"],
        "🐕 new dataset before": shapes["before"],
        "🐕 new dataset after": shapes["after"],
        "🐕 after − majority baseline": shapes["after"] - shapes["baseline"],
        "🦁 DPO gain": dpo["dpo"] - dpo["before"],
        "🦁 DPO after": dpo["dpo"],
        "🦁 SFT after": dpo["sft"],
    }


def figures_of_3(outcomes: list[dict]) -> dict[str, float]:
    """The figures one solved run of lesson 3 recorded (accuracies as fractions)."""
    fields = {row["exercise"]: row.get("fields", {}) for row in outcomes if row["outcome"] == "passed"}
    missing = {"rewards", "grpo_charts", "reward_hacking"} - set(fields)
    if missing:
        raise RuntimeError(f"exercises {sorted(missing)} did not pass: {outcomes}")
    grpo, hacking = fields["grpo_charts"], fields["reward_hacking"]
    return {
        "🐕 GRPO before": grpo["before"],
        "🐕 GRPO after": grpo["after"],
        "🐕 GRPO gain": grpo["after"] - grpo["before"],
        "🐕 after − majority baseline": grpo["after"] - grpo["baseline"],
        "🦁 hacked run": hacking["hacked"],
        "🦁 fixed run": hacking["fixed"],
        "🦁 fixed − hacked": hacking["fixed"] - hacking["hacked"],
    }


LESSONS = {2: (LESSON_2, figures_of, TARGETS), 3: (LESSON_3, figures_of_3, TARGETS_3)}


def run_solved_lesson(
    lesson: int, seed: int, capability: str, out_dir: Path, threads: int | None = None
) -> dict:
    """One solved run; `threads` sets OMP_NUM_THREADS (1 when runs share the cores)."""
    sys.path.insert(0, str(ROOT))
    from tools.notebooks import run_notebook

    env = {"ATEN_CPU_CAPABILITY": capability}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    path, figures, _ = LESSONS[lesson]
    run = run_notebook(
        path,
        out_dir / f"{path.stem}_solved_seed{seed}_{capability}.ipynb",
        solved=True,
        parameters={"SEED": seed},
        env=env,
        raise_on_error=False,
    )
    if run.error:
        raise RuntimeError(f"seed {seed}, {capability}: {run.error[:2000]}")
    return {"seed": seed, "capability": capability, "seconds": run.seconds, **figures(run.outcomes)}


def time_lessons(out_dir: Path) -> dict[str, float]:
    from tools.notebooks import run_notebook

    timings = {}
    for path in (LESSON_1, LESSON_2, LESSON_3):
        for solved in (False, True):
            label = f"{path.stem} {'solved' if solved else 'blank'} (s)"
            run = run_notebook(path, out_dir / f"timing_{label.split()[0]}_{solved}.ipynb", solved=solved)
            timings[label] = run.seconds
            print(f"{label}: {run.seconds:.1f}", flush=True)
    return timings


def summary_rows(runs: list[dict], targets: dict = TARGETS) -> list[tuple[str, str, str]]:
    """(figure, min over runs [max for 'before', the hacked run and times], target)."""
    rows = []
    for name, target in targets.items():
        key = "seconds" if name.startswith("solved") else name
        values = [run[key] for run in runs]
        worst = max(values) if ("before" in name or "hacked run" in name or key == "seconds") else min(values)
        shown = f"{worst:.1f}" if key == "seconds" else f"{worst:.0%}"
        rows.append((name, shown, target))
    return rows


def markdown(runs: list[dict], timings: dict[str, float], targets: dict = TARGETS) -> str:
    names = [name for name in runs[0] if name not in ("seed", "capability")]
    lines = ["| seed | capability | " + " | ".join(names) + " |", "|---" * (len(names) + 2) + "|"]
    for run in runs:
        cells = [f"{run[n]:.1f}" if n == "seconds" else f"{run[n]:.0%}" for n in names]
        lines.append(f"| {run['seed']} | {run['capability']} | " + " | ".join(cells) + " |")
    lines += ["", "| figure | worst over all runs | target |", "|---|---|---|"]
    lines += [f"| {name} | {worst} | {target} |" for name, worst, target in summary_rows(runs, targets)]
    if timings:
        lines += ["", "| notebook | seconds |", "|---|---|"]
        lines += [f"| {name} | {seconds:.1f} |" for name, seconds in timings.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", type=int, choices=sorted(LESSONS), default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--capabilities", nargs="+", default=None, help="default: every one this CPU has")
    parser.add_argument("--skip-timings", action="store_true", help="do not time the blank/solved lessons")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="solved runs at once, one thread each (their seconds are not timings)",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    work = OUT_DIR / "lesson_runs"
    timings = {} if args.skip_timings else time_lessons(work)
    runs = []
    settings = [
        (seed, capability) for capability in args.capabilities or capabilities_here() for seed in args.seeds
    ]
    # Processes, not threads: each run sets its own environment variables.
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        threads = 1 if args.jobs > 1 else None
        futures = [
            pool.submit(run_solved_lesson, args.lesson, seed, cap, work, threads) for seed, cap in settings
        ]
        for future in futures:
            runs.append(future.result())
            print(json.dumps(runs[-1], ensure_ascii=False), flush=True)
    table = markdown(runs, timings, LESSONS[args.lesson][2])
    print(table)
    stem = "lesson_figures" if args.lesson == 2 else f"lesson_figures_{args.lesson}"
    (OUT_DIR / f"{stem}.json").write_text(json.dumps({"runs": runs, "timings": timings}, indent=1))
    (OUT_DIR / f"{stem}.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
