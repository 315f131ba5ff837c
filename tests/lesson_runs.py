"""What the notebook tests read from an executed lesson: the checks' outcomes and the noise it shows."""

import re


def outcomes_by_exercise(run) -> dict[str, tuple[str, str]]:
    """{exercise: (outcome, message code)} of a `tools.notebooks.NotebookRun`."""
    return {row["exercise"]: (row["outcome"], row["code"]) for row in run.outcomes}


NOISE = ("Warning", "warn(", "deprecated")  # warnings, their source lines, deprecation notices
BAR = re.compile(r"(\d+)/(\d+) \[")  # tqdm's "7/7 [00:03<00:00" and the trainer's "[240/240 00:40"
TRAINER_BAR = re.compile(r"\[\s*(\d+)/(\d+) ")


def unfinished_bar(text: str) -> bool:
    """A progress bar saved before its end ("batches: 0%| 0/7 [..."): it looks stalled in the file."""
    done = [int(n) >= int(total) for n, total in BAR.findall(text) + TRAINER_BAR.findall(text)]
    return bool(done) and not done[-1]


def noisy_outputs(notebook) -> list[str]:
    """Every stderr stream (warnings, text progress bars), every text output with a warning word, every
    progress bar saved unfinished, and the trainer's table of losses (the lessons plot them)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("name") == "stderr":
                found.append(f"cell {index}: stderr {output.text[:300]!r}")
                continue
            texts = [output.get("text", "")]
            texts += [value for mime, value in output.get("data", {}).items() if mime.startswith("text/")]
            words = [(word, text) for text in texts for word in NOISE if word in text]
            found += [f"cell {index}: {word!r} in {text[:300]!r}" for word, text in words]
            found += [f"cell {index}: unfinished {text[:120]!r}" for text in texts if unfinished_bar(text)]
            html = output.get("data", {}).get("text/html", "")
            if "<table" in html and "Training Loss" in html:
                found.append(f"cell {index}: the trainer's table of losses")
    return found
