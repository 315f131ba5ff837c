"""The fine-tuning script (course_utils.run_sft): resume after a real kill, two processes under accelerate."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from peft import PeftModel

from course_utils.generation import ask
from course_utils.loading import load_vlm
from course_utils.run_sft import complete_checkpoints, last_checkpoint, settings_from_arguments
from course_utils.scenes import make_scene

ACCELERATE = Path(sys.executable).parent / "accelerate"


def _write_config(folder: Path, **settings) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "run.json"
    path.write_text(json.dumps({"n_train": 128, "batch_size": 4} | settings))
    return path


def _finetune(config: Path) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "course_utils.run_sft", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


# One epoch (60 steps x 4 rows < 256 rows): a resumed run replays the same data order. A checkpoint
# every 6 steps. The resumed run must end at the same step with the same final loss as a run that was
# never interrupted: rel 1e-4 (the data order, the RNG states and the optimiser state are restored;
# what differs is the order of floating-point sums, which stays far below that).
KILLED_RUN = dict(max_steps=60, save_steps=6, seed=3, n_train=256)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("uninterrupted")
    reference = _finetune(_write_config(folder, output_dir=str(folder), **KILLED_RUN))
    assert reference.wait(timeout=300) == 0, reference.stdout.read()
    return json.loads((folder / "metrics.json").read_text())


@pytest.mark.slow  # the matrix's environments run lesson 2's own interrupt and resume instead
@pytest.mark.parametrize(("kill_seed", "step", "during_save"), [(0, 6, True), (1, 18, False), (2, 42, True)])
def test_a_run_killed_at_a_random_point_resumes_to_the_same_loss(
    tmp_path, uninterrupted, kill_seed, step, during_save
):
    """SIGKILL near checkpoint `step`: while it is being written (the folder exists, its files do not all
    yet), or at a moment drawn from `kill_seed` (0-0.5 s) after it was complete; then `resume`."""
    rng = random.Random(kill_seed)
    out = tmp_path / "killed"
    config = _write_config(out, output_dir=str(out), **KILLED_RUN)
    run = _finetune(config)
    marker = out / f"checkpoint-{step}" / ("" if during_save else "trainer_state.json")
    deadline = time.time() + 300
    while not marker.exists() and run.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    if not during_save:
        time.sleep(rng.uniform(0.0, 0.5))
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert marker.exists(), f"the run never reached checkpoint {step}"
    assert not (out / "metrics.json").exists(), "the run finished before it was killed"
    good = complete_checkpoints(out)
    config.write_text(json.dumps({**json.loads(config.read_text()), "resume": True}))
    resumed = _finetune(config)
    output = resumed.communicate(timeout=300)[0]
    assert resumed.returncode == 0, output
    metrics = json.loads((out / "metrics.json").read_text())
    print(
        f"kill seed {kill_seed}: killed {'during' if during_save else 'after'} saving checkpoint {step}, "
        f"resumed from {metrics['resumed_from']}"
    )
    assert metrics["global_step"] == uninterrupted["global_step"] == KILLED_RUN["max_steps"]
    # from a checkpoint that was complete at the kill (a damaged newest one is skipped), or afresh
    assert metrics["resumed_from"] in ([folder.name for folder in good] or [None])
    assert metrics["final_loss"] == pytest.approx(uninterrupted["final_loss"], rel=1e-4)


@pytest.mark.slow
def test_two_processes_train_different_shards_and_the_adapter_answers(tmp_path):
    config = _write_config(tmp_path, output_dir=str(tmp_path), max_steps=6, record_rows=True)
    command = [
        str(ACCELERATE),
        "launch",
        "--multi_gpu",
        "--num_processes",
        "2",
        "--num_machines",
        "1",
        "--mixed_precision",
        "no",
        "--dynamo_backend",
        "no",
        "-m",
        "course_utils.run_sft",
        "--config",
        str(config),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["world_size"] == 2
    rank0 = set(json.loads((tmp_path / "rows_rank0.json").read_text()))
    rank1 = set(json.loads((tmp_path / "rows_rank1.json").read_text()))
    assert rank0 and rank1 and not rank0 & rank1

    base, processor = load_vlm("tiny")
    model = PeftModel.from_pretrained(base, str(tmp_path / "final"))
    import random

    answer = ask(model, processor, make_scene(random.Random(0)).image, "How many shapes are there?")
    assert isinstance(answer, str) and answer


def test_resume_skips_a_checkpoint_that_a_kill_left_incomplete(tmp_path, capsys):
    for step in (9, 10):
        _checkpoint(tmp_path / f"checkpoint-{step}", step)
    (tmp_path / "checkpoint-20").mkdir()  # killed while saving: no trainer_state.json yet
    (tmp_path / "checkpoint-20" / "adapter_model.safetensors").write_bytes(b"partial")
    assert [folder.name for folder in complete_checkpoints(tmp_path)] == ["checkpoint-9", "checkpoint-10"]
    assert last_checkpoint({"output_dir": str(tmp_path), "max_steps": 40}) == str(tmp_path / "checkpoint-10")
    assert "Resuming from checkpoint-10 (step 10 of 40)" in capsys.readouterr().out
    assert last_checkpoint({"output_dir": str(tmp_path / "empty"), "max_steps": 40}) is None


def test_the_resume_flag_turns_resume_on_for_the_same_config(tmp_path):
    config = _write_config(tmp_path, output_dir=str(tmp_path), max_steps=12)
    assert settings_from_arguments(["--config", str(config)])["resume"] is False
    resumed = settings_from_arguments(["--config", str(config), "--resume"])
    assert resumed["resume"] is True and resumed["max_steps"] == 12


BAD_SETTINGS = {
    "not JSON": ("{oops", "is not valid JSON"),
    "not an object": ("[1, 2]", "must hold one JSON object"),
    "unknown key": ({"stepz": 3}, "Unknown keys"),
    "unknown method": ({"method": "dora"}, '"method": "dora"'),
    "unknown dataset": ({"dataset": "coco"}, '"dataset": "coco"'),
    "steps as words": ({"max_steps": "ten"}, '"max_steps": "ten"'),
    "negative steps": ({"max_steps": -5}, '"max_steps": -5'),
    "steps as a boolean": ({"max_steps": True}, '"max_steps": true'),
    "no training rows": ({"n_train": 0}, '"n_train": 0'),
    "empty batches": ({"batch_size": 0}, '"batch_size": 0'),
    "learning rate in words": ({"learning_rate": "fast"}, '"learning_rate": "fast"'),
    "negative learning rate": ({"learning_rate": -1e-4}, '"learning_rate": -0.0001'),
    "checkpoints every 0 steps": ({"save_steps": 0}, '"save_steps": 0'),
    "a model folder that does not exist": ({"model": "./no/such/model"}, "neither an existing folder"),
    "more rows than memory holds": ({"n_train": 1_000_000}, '"n_train": 1000000'),
    "an output folder that is a file": ({"output_dir": "{tmp}/run.json"}, "a file stands in its path"),
    "an output folder below a file": ({"output_dir": "{tmp}/run.json/out"}, "a file stands in its path"),
    "an output folder that cannot be made": ({"output_dir": "/proc/no/run"}, "it cannot be made"),
}


def _exit_of(argv, capsys) -> tuple[int, str]:
    from course_utils.run_sft import main

    with pytest.raises(SystemExit) as stopped:
        main(argv)
    return stopped.value.code, capsys.readouterr().err


@pytest.mark.parametrize("case", sorted(BAD_SETTINGS))
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(tmp_path, capsys, case):
    content, named = BAD_SETTINGS[case]
    config = tmp_path / "run.json"
    config.write_text(
        content if isinstance(content, str) else json.dumps(content).replace("{tmp}", str(tmp_path))
    )
    code, err = _exit_of(["--config", str(config)], capsys)
    assert code == 2
    assert named in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_missing_config_file_is_named(tmp_path, capsys):
    code, err = _exit_of(["--config", str(tmp_path / "nowhere.json")], capsys)
    assert code == 2 and "nowhere.json does not exist" in err


@pytest.mark.parametrize("left", [("final", "metrics.json"), ("checkpoint-8",)])
def test_a_folder_holding_a_run_is_not_overwritten_without_being_told(tmp_path, capsys, left):
    out = tmp_path / "out"
    for name in left:
        (out / name).mkdir(parents=True) if "." not in name else (out / name).write_text("{}")
    (out / left[0] / "keep.txt").write_text("trained") if (out / left[0]).is_dir() else None
    config = _write_config(tmp_path, output_dir=str(out), max_steps=2)
    code, err = _exit_of(["--config", str(config)], capsys)
    assert code == 2 and "--resume" in err and "--overwrite" in err and str(out) in err
    assert all((out / name).exists() for name in left)


def test_overwrite_says_what_it_replaces_and_trains(tmp_path, capsys):
    from course_utils.run_sft import main

    out = tmp_path / "out"
    (out / "final").mkdir(parents=True)
    (out / "final" / "old.txt").write_text("the first run")
    (out / "metrics.json").write_text("{}")
    config = _write_config(tmp_path, output_dir=str(out), max_steps=2, n_train=8)
    main(["--config", str(config), "--overwrite"])
    printed = capsys.readouterr().out
    assert f"Overwriting the run in {out}" in printed and "final" in printed
    assert (
        not (out / "final" / "old.txt").exists() and (out / "final" / "adapter_model.safetensors").is_file()
    )
    assert json.loads((out / "metrics.json").read_text())["global_step"] == 2


def _checkpoint(folder: Path, step: int) -> Path:
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True)
    (folder / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    save_file({"weight": torch.ones(64, 64)}, str(folder / "adapter_model.safetensors"))
    torch.save({"state": {0: torch.zeros(64, 64)}}, folder / "optimizer.pt")
    return folder


@pytest.mark.parametrize(
    "damage", ["truncated state", "truncated weights", "no weights", "truncated optimizer"]
)
def test_resume_skips_a_damaged_newest_checkpoint_and_names_it(tmp_path, capsys, damage):
    _checkpoint(tmp_path / "checkpoint-10", 10)
    newest = _checkpoint(tmp_path / "checkpoint-20", 20)
    if damage == "truncated state":
        (newest / "trainer_state.json").write_text('{"global_st')
    elif damage == "no weights":
        (newest / "adapter_model.safetensors").unlink()
    else:
        path = newest / ("adapter_model.safetensors" if damage == "truncated weights" else "optimizer.pt")
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert last_checkpoint({"output_dir": str(tmp_path), "max_steps": 40}) == str(tmp_path / "checkpoint-10")
    printed = capsys.readouterr().out
    assert f"skipping {newest}" in printed and "Resuming from checkpoint-10 (step 10 of 40)" in printed


def test_the_final_save_keeps_the_previous_final_when_it_is_interrupted(tmp_path):
    from course_utils.run_sft import save_final

    (tmp_path / "final").mkdir()
    (tmp_path / "final" / "adapter_model.safetensors").write_text("the previous run")

    class KilledWhileSaving:
        def save_model(self, folder):
            Path(folder).mkdir(parents=True)
            (Path(folder) / "adapter_model.safetensors").write_text("half")
            raise KeyboardInterrupt  # what a kill does half-way through the save

    with pytest.raises(KeyboardInterrupt):
        save_final(KilledWhileSaving(), None, tmp_path)
    assert (tmp_path / "final" / "adapter_model.safetensors").read_text() == "the previous run"
