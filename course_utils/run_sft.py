"""The fine-tuning script: one SFT run from a JSON file, on one CPU/GPU or many GPUs with `accelerate launch`.

    python -m course_utils.run_sft --config run.json [--resume]
    accelerate launch --multi_gpu --num_processes 2 -m course_utils.run_sft --config run.json

The JSON config names the model, the method (full / lora / qlora), the data and the steps; every
setting is checked before anything loads (a wrong key, type, range or path: one line naming it, exit
status 2). The run resumes from its newest checkpoint that loads with "resume": true (or --resume),
skipping damaged newer ones, and saves the result to `<output_dir>/final` atomically. A folder that
already holds a run is never overwritten unless asked ("overwrite": true or --overwrite).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import zipfile
from pathlib import Path

import torch
from safetensors import safe_open
from transformers.trainer import TRAINER_STATE_NAME
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

from course_utils.evaluation import logged
from course_utils.formatting import format_dataset
from course_utils.i18n import message, render
from course_utils.loading import ModelLoadError, load_vlm, resolve_model_source
from course_utils.recipes import METHODS, recipe_for
from course_utils.synthetic_data import make_chartqa, make_shape_positions
from course_utils.training import finetune, sft_recipe

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
    "overwrite": False,
    "record_rows": False,
}
DATASETS = ("chartqa", "shape_positions")
# The synthetic training sets are drawn in memory (about 20 kB a row): a million rows needs 24 GB.
MAX_TRAIN_ROWS = 50_000


def _whole(smallest: int):
    """A whole number (not a boolean) of at least `smallest`."""
    return lambda value: isinstance(value, int) and not isinstance(value, bool) and value >= smallest


def _text(value) -> bool:
    return isinstance(value, str) and bool(value)


def _flag(value) -> bool:
    return isinstance(value, bool)


def _positive_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


# What a setting must be (the end of "... cannot be used: write <this>.").
WRITE_MODEL = message(
    "run_sft.write_model",
    'a name ("tiny"), a model folder or a Hub id such as "HuggingFaceTB/SmolVLM-256M-Instruct"',
)
WRITE_ONE_OF = message("run_sft.write_one_of", "one of {choices}")
WRITE_ROWS = message("run_sft.write_rows", "a whole number of training rows, from 1 to {limit:,}")
WRITE_SEED = message("run_sft.write_seed", "a whole number, 0 or more")
WRITE_FOLDER = message("run_sft.write_folder", "a folder path")
WRITE_STEPS = message("run_sft.write_steps", "a whole number of steps, at least 1")
WRITE_BATCH_SIZE = message("run_sft.write_batch_size", "a whole number of rows per step, at least 1")
WRITE_LEARNING_RATE = message(
    "run_sft.write_learning_rate", "a positive number such as 2e-4, or null for the method's default"
)
WRITE_SAVE_STEPS = message("run_sft.write_save_steps", "a whole number of steps between checkpoints, or null")
WRITE_FLAG = message("run_sft.write_flag", "true or false")

# What each setting must be, and what to write instead (a message and its fields).
_RULES = {
    "model": (_text, WRITE_MODEL, {}),
    "method": (lambda value: value in METHODS, WRITE_ONE_OF, {"choices": list(METHODS)}),
    "dataset": (lambda value: value in DATASETS, WRITE_ONE_OF, {"choices": list(DATASETS)}),
    "n_train": (
        lambda value: _whole(1)(value) and value <= MAX_TRAIN_ROWS,
        WRITE_ROWS,
        {"limit": MAX_TRAIN_ROWS},
    ),
    "data_seed": (_whole(0), WRITE_SEED, {}),
    "output_dir": (_text, WRITE_FOLDER, {}),
    "max_steps": (_whole(1), WRITE_STEPS, {}),
    "batch_size": (_whole(1), WRITE_BATCH_SIZE, {}),
    "learning_rate": (lambda value: value is None or _positive_number(value), WRITE_LEARNING_RATE, {}),
    "save_steps": (lambda value: value is None or _whole(1)(value), WRITE_SAVE_STEPS, {}),
    "seed": (_whole(0), WRITE_SEED, {}),
    "resume": (_flag, WRITE_FLAG, {}),
    "overwrite": (_flag, WRITE_FLAG, {}),
    "record_rows": (_flag, WRITE_FLAG, {}),
}


class SettingsError(ValueError):
    """A setting the script cannot run with; the message names it and what to write instead."""


THE_CONFIG = message("run_sft.the_config", "the config")
UNKNOWN_KEYS = message("run_sft.unknown_keys", "Unknown keys in {source}: {unknown}. Known keys: {known}.")
BAD_SETTING = message("run_sft.bad_setting", '"{key}": {value} in {source} cannot be used: write {expected}.')
BAD_MODEL = message("run_sft.bad_model", '"model" in {source}: {error}')
BAD_OUTPUT_DIR = message("run_sft.bad_output_dir", '"output_dir": {value} in {source}: {problem}')


def check_settings(settings: dict, source: str | None = None) -> dict:
    """DEFAULTS overridden by `settings`, every key, type and range checked (SettingsError otherwise).

    `source` names where the settings come from in the messages (default: "the config")."""
    source = render(THE_CONFIG) if source is None else source
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise SettingsError(render(UNKNOWN_KEYS, source=source, unknown=unknown, known=sorted(DEFAULTS)))
    merged = {**DEFAULTS, **settings}
    for key, (valid, expected, fields) in _RULES.items():
        if not valid(merged[key]):
            value, written = json.dumps(merged[key]), render(expected, **fields)
            raise SettingsError(render(BAD_SETTING, key=key, value=value, source=source, expected=written))
    try:
        resolve_model_source(merged["model"])
    except ModelLoadError as error:
        raise SettingsError(render(BAD_MODEL, source=source, error=error)) from None
    problem = _unwritable(Path(merged["output_dir"]))
    if problem:
        value = json.dumps(merged["output_dir"])
        raise SettingsError(render(BAD_OUTPUT_DIR, value=value, source=source, problem=problem))
    return merged


FILE_IN_PATH = message(
    "run_sft.file_in_path", "a file stands in its path; name a folder for the run (it is made if missing)."
)
CANNOT_MAKE = message("run_sft.cannot_make", "it cannot be made ({reason}); name a folder you can write to.")


def _unwritable(folder: Path) -> str | None:
    """Why the run cannot make `folder` (it makes it, as the trainer would a moment later), or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        return render(FILE_IN_PATH)
    except OSError as error:
        return render(CANNOT_MAKE, reason=error.strerror)
    return None


NO_CONFIG_FILE = message(
    "run_sft.no_config_file", "The config file {path} does not exist; write the run's settings there as JSON."
)
NOT_JSON = message(
    "run_sft.not_json", "{path} is not valid JSON ({error}); check its quotes, commas and braces."
)
NOT_AN_OBJECT = message(
    "run_sft.not_an_object", '{path} must hold one JSON object of settings, such as {{"max_steps": 40}}.'
)


def load_run_config(path: str | Path) -> dict:
    """The run's settings: DEFAULTS overridden by the JSON file, checked (`check_settings`)."""
    path = Path(path)
    if not path.is_file():
        raise SettingsError(render(NO_CONFIG_FILE, path=str(path)))
    try:
        settings = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(render(NOT_JSON, path=str(path), error=error)) from None
    if not isinstance(settings, dict):
        raise SettingsError(render(NOT_AN_OBJECT, path=str(path)))
    return check_settings(settings, str(path))


UNKNOWN_DATASET = message(
    "run_sft.unknown_dataset", "Unknown dataset {dataset!r}; use 'chartqa' or 'shape_positions'."
)


def training_rows(settings: dict):
    """The formatted training set named by the settings, with a `row_id` column for bookkeeping."""
    if settings["dataset"] == "chartqa":
        raw, keys = make_chartqa(settings["n_train"], seed=settings["data_seed"]), {}
    elif settings["dataset"] == "shape_positions":
        raw = make_shape_positions(settings["n_train"], seed=settings["data_seed"])
        keys = {"image_key": "picture", "question_key": "question", "answer_key": "answer"}
    else:
        raise SystemExit(render(UNKNOWN_DATASET, dataset=settings["dataset"]))
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


STATE_UNREADABLE = message("run_sft.state_unreadable", "{name} is unreadable")
NO_WEIGHTS = message("run_sft.no_weights", "it holds no weights (*.safetensors)")
FILE_DAMAGED = message("run_sft.file_damaged", "{name} is truncated or damaged")


def checkpoint_problem(folder: Path) -> str | None:
    """Why a checkpoint cannot be resumed from (its state unreadable, its weights or optimiser state
    missing or truncated), or None when it loads."""
    try:
        json.loads((folder / TRAINER_STATE_NAME).read_text())["global_step"]
    except (OSError, ValueError, KeyError, TypeError):
        return render(STATE_UNREADABLE, name=TRAINER_STATE_NAME)
    weights = sorted(folder.glob("*.safetensors"))
    if not weights:
        return render(NO_WEIGHTS)
    for path in weights:
        try:
            with safe_open(str(path), framework="pt") as handle:
                for name in handle.keys():
                    handle.get_slice(name)
        except Exception:  # safetensors raises its own error types for a truncated file
            return render(FILE_DAMAGED, name=path.name)
    optimizer = folder / "optimizer.pt"
    if optimizer.exists():
        try:
            with zipfile.ZipFile(optimizer) as archive:
                archive.namelist()
        except (OSError, zipfile.BadZipFile):
            return render(FILE_DAMAGED, name=optimizer.name)
    return None


RESUMING = message("run_sft.resuming", "Resuming from {checkpoint} (step {step} of {max_steps}).")
SKIPPING = message("run_sft.skipping", "Warning: skipping {folder} ({problem}); trying an older checkpoint.")
NO_CHECKPOINT = message(
    "run_sft.no_checkpoint", "No checkpoint to resume from in {folder}: starting from the beginning."
)


def last_checkpoint(settings: dict) -> str | None:
    """The newest checkpoint in the output folder that loads, or None (then training starts fresh).

    Damaged newer ones (a kill during a save) are skipped with a warning that names them."""
    output = Path(settings["output_dir"])
    for folder in reversed(complete_checkpoints(output)):
        problem = checkpoint_problem(folder)
        if problem is None:
            step = json.loads((folder / TRAINER_STATE_NAME).read_text())["global_step"]
            print(
                render(RESUMING, checkpoint=folder.name, step=step, max_steps=settings["max_steps"]),
                flush=True,
            )
            return str(folder)
        print(render(SKIPPING, folder=str(folder), problem=problem), flush=True)
    print(render(NO_CHECKPOINT, folder=str(output)), flush=True)
    return None


HOLDS_FINISHED_RUN = message(
    "run_sft.holds_finished_run",
    '{folder} already holds a finished run ({names}). Use another "output_dir", '
    "--resume to continue it, or --overwrite to replace it.",
)
HOLDS_UNFINISHED_RUN = message(
    "run_sft.holds_unfinished_run",
    '{folder} already holds checkpoints of an unfinished run ({names}). Use another "output_dir", '
    "--resume to continue it, or --overwrite to replace it.",
)
OVERWRITING = message("run_sft.overwriting", "Overwriting the run in {folder}: removing {names}.")


def guard_output_dir(settings: dict) -> None:
    """Refuse to start over a folder that holds a run (finished or not) unless told to resume it or
    to overwrite it; with `overwrite`, say what is replaced and clear it."""
    output = Path(settings["output_dir"])
    finished = [name for name in ("final", "metrics.json") if (output / name).exists()]
    checkpoints = [folder.name for folder in output.glob(f"{PREFIX_CHECKPOINT_DIR}-*")]
    if settings["resume"] or not (finished or checkpoints):
        return
    if not settings["overwrite"]:
        held = HOLDS_FINISHED_RUN if finished else HOLDS_UNFINISHED_RUN
        names = ", ".join(sorted(finished + checkpoints)[:4])
        raise SettingsError(render(held, folder=str(output), names=names))
    names = ", ".join(sorted(finished + checkpoints))
    print(render(OVERWRITING, folder=str(output), names=names), flush=True)
    for name in finished + checkpoints:  # every process of a multi-GPU run clears the same folder
        target = output / name
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)


def save_final(trainer, processor, output: Path) -> Path:
    """Save the trained model to `output/final` atomically: written beside it, then renamed, so a kill
    during the save leaves the previous `final` as it was."""
    final, fresh, old = output / "final", output / "final.partial", output / "final.old"
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    trainer.save_model(str(fresh))
    processor.save_pretrained(str(fresh))
    if final.exists():
        final.rename(old)
    fresh.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


MODEL_NOT_LOADED = message("run_sft.model_not_loaded", '"model": {error}')


def run(settings: dict) -> dict:
    """Train as the settings say; returns the final metrics (on every process)."""
    rank = int(os.environ.get("RANK", "0"))
    guard_output_dir(settings)
    quantization = "4bit" if settings["method"] == "qlora" else None
    device = f"cuda:{os.environ.get('LOCAL_RANK', '0')}" if torch.cuda.is_available() else "cpu"
    try:
        model, processor = load_vlm(settings["model"], quantization=quantization, device=device)
    except ModelLoadError as error:
        raise SettingsError(render(MODEL_NOT_LOADED, error=error)) from None
    recipe = sft_recipe(
        method=settings["method"],
        output_dir=settings["output_dir"],
        max_steps=settings["max_steps"],
        batch_size=settings["batch_size"],
        learning_rate=settings["learning_rate"]
        or recipe_for(settings["model"], settings["method"]).sft_learning_rate,
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
        save_final(trainer, trainer.processing_class, output)  # the processor the run trained with
        (output / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return metrics


def settings_from_arguments(argv: list[str] | None = None) -> dict:
    """The run's settings from the command line: the config file, with `--resume` forcing a resume and
    `--overwrite` allowing a finished run's folder to be replaced."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="JSON file with the run's settings")
    parser.add_argument(
        "--resume",
        action="store_true",
        help='continue from the newest complete checkpoint in output_dir (like "resume": true)',
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help='replace a run already in output_dir (like "overwrite": true)',
    )
    args = parser.parse_args(argv)
    settings = load_run_config(args.config)
    return {
        **settings,
        "resume": settings["resume"] or args.resume,
        "overwrite": settings["overwrite"] or args.overwrite,
    }


def main(argv: list[str] | None = None) -> None:
    try:
        metrics = run(settings_from_arguments(argv))
    except SettingsError as error:
        print(f"run_sft: {error}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    print(json.dumps(metrics), flush=True)


if __name__ == "__main__":
    main()
