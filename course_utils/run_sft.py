"""The fine-tuning script: one SFT run from a JSON file, on one CPU/GPU or many GPUs with `accelerate launch`.

    python -m course_utils.run_sft --config run.json [--resume]
    accelerate launch --multi_gpu --num_processes 2 -m course_utils.run_sft --config run.json

The JSON config names the model, the method (full / lora / qlora), the data and the steps; the run
resumes from its newest complete checkpoint with "resume": true (or --resume) and saves the result
to `<output_dir>/final`.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import torch

from course_utils.evaluation import logged
from course_utils.formatting import format_dataset
from course_utils.loading import load_vlm
from course_utils.synthetic_data import make_chartqa, make_shape_positions
from course_utils.training import finetune, sft_recipe

PREFIX_CHECKPOINT_DIR = "checkpoint"  # transformers' names for a checkpoint folder and its state file
TRAINER_STATE_NAME = "trainer_state.json"

DEFAULTS = {
    "model": "tiny",
    "method": "lora",
    "dataset": "chartqa",
    "n_train": 256,
    "data_seed": 0,
    "output_dir": "build/finetune",
    "max_steps": 60,
    "batch_size": 8,
    "learning_rate": None,
    "save_steps": None,
    "seed": 0,
    "resume": False,
    "record_rows": False,
}


def load_run_config(path: str | Path) -> dict:
    """The run's settings: DEFAULTS overridden by the JSON file; unknown keys are an error."""
    settings = json.loads(Path(path).read_text())
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise SystemExit(f"Unknown keys in {path}: {unknown}. Known keys: {sorted(DEFAULTS)}.")
    return {**DEFAULTS, **settings}


def training_rows(settings: dict):
    """The formatted training set named by the settings, with a `row_id` column for bookkeeping."""
    if settings["dataset"] == "chartqa":
        raw, keys = make_chartqa(settings["n_train"], seed=settings["data_seed"]), {}
    elif settings["dataset"] == "shape_positions":
        raw = make_shape_positions(settings["n_train"], seed=settings["data_seed"])
        keys = {"image_key": "picture", "question_key": "question", "answer_key": "answer"}
    else:
        raise SystemExit(f"Unknown dataset {settings['dataset']!r}; use 'chartqa' or 'shape_positions'.")
    rows = format_dataset(raw, **keys)
    return rows.add_column("row_id", list(range(len(rows))))


class RowRecorder:
    """Wraps a collator and remembers which rows this process trained on."""

    def __init__(self, collator):
        self.collator = collator
        self.seen: list[int] = []

    def __call__(self, examples):
        self.seen.extend(int(example["row_id"]) for example in examples)
        return self.collator(examples)


def complete_checkpoints(output_dir: str | Path) -> list[Path]:
    """The `checkpoint-N` folders of `output_dir` that hold a `trainer_state.json`, oldest first.

    The trainer writes that file last, so a run killed while saving (a Colab disconnect) leaves an
    incomplete folder without it, which must not be resumed from.
    """
    folders = Path(output_dir).glob(f"{PREFIX_CHECKPOINT_DIR}-*")
    complete = [
        folder
        for folder in folders
        if folder.name.split("-")[-1].isdigit() and (folder / TRAINER_STATE_NAME).is_file()
    ]
    return sorted(complete, key=lambda folder: int(folder.name.split("-")[-1]))


def last_checkpoint(settings: dict) -> str | None:
    """The newest complete checkpoint in the output folder, or None (then training starts fresh)."""
    output = Path(settings["output_dir"])
    found = complete_checkpoints(output)
    if not found:
        print(f"No checkpoint in {output}: starting from the beginning.", flush=True)
        return None
    step = json.loads((found[-1] / TRAINER_STATE_NAME).read_text())["global_step"]
    print(f"Resuming from {found[-1].name} (step {step} of {settings['max_steps']}).", flush=True)
    return str(found[-1])


def run(settings: dict) -> dict:
    """Train as the settings say; returns the final metrics (on every process)."""
    rank = int(os.environ.get("RANK", "0"))
    quantization = "4bit" if settings["method"] == "qlora" else None
    device = f"cuda:{os.environ.get('LOCAL_RANK', '0')}" if torch.cuda.is_available() else "cpu"
    model, processor = load_vlm(settings["model"], quantization=quantization, device=device)
    recipe = sft_recipe(
        method=settings["method"],
        output_dir=settings["output_dir"],
        max_steps=settings["max_steps"],
        batch_size=settings["batch_size"],
        learning_rate=settings["learning_rate"],
        save_steps=settings["save_steps"],
        seed=settings["seed"],
        device=device,
    )
    checkpoint = last_checkpoint(settings) if settings["resume"] else None
    trainer = finetune(
        model,
        processor,
        training_rows(settings),
        recipe,
        resume=checkpoint or False,
        wrap_collator=RowRecorder if settings["record_rows"] else None,
    )
    recorder = trainer.data_collator if settings["record_rows"] else None
    losses = [loss for _, loss in logged(trainer.state.log_history, "loss")]
    metrics = {
        "final_loss": losses[-1] if losses else None,
        "train_loss": trainer.state.log_history[-1].get("train_loss"),
        "global_step": trainer.state.global_step,
        "world_size": trainer.args.world_size,
        "resumed_from": Path(checkpoint).name if checkpoint else None,
    }
    output = Path(settings["output_dir"])
    if recorder is not None:
        (output / f"rows_rank{rank}.json").write_text(json.dumps(recorder.seen))
    if trainer.is_world_process_zero():
        trainer.save_model(str(output / "final"))
        processor.save_pretrained(str(output / "final"))
        (output / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return metrics


def settings_from_arguments(argv: list[str] | None = None) -> dict:
    """The run's settings from the command line: the config file, with `--resume` forcing a resume."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="JSON file with the run's settings")
    parser.add_argument(
        "--resume",
        action="store_true",
        help='continue from the newest complete checkpoint in output_dir (like "resume": true)',
    )
    args = parser.parse_args(argv)
    settings = load_run_config(args.config)
    return {**settings, "resume": True} if args.resume else settings


def main(argv: list[str] | None = None) -> None:
    metrics = run(settings_from_arguments(argv))
    print(json.dumps(metrics), flush=True)


if __name__ == "__main__":
    main()
