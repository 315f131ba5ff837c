"""Progress bars that a saved notebook keeps at their last state.

tqdm's notebook widget stores its *first* state ("batches: 0%| 0/7") in the notebook file as the
widget's text: a lesson opened again, or read on GitHub, shows bars that look stalled. In a notebook
kernel `progress` draws tqdm's text bar into one IPython display that every update replaces
(`update_display_data`, which Jupyter, Colab and nbclient all apply), so the file keeps the finished
bar; in a script it is tqdm's usual bar on stderr.

The trainer's own notebook bar is `course_utils.training.TrainingProgress` (it needs transformers'
trainer, seconds to import, which lesson 1 never does).
"""

from __future__ import annotations

from tqdm.std import tqdm
from transformers.utils import is_in_notebook

BAR_WIDTH = 90  # characters: the bar, its counts and its rate


class _DisplayLine:
    """A file for tqdm: each write replaces the text of one IPython display."""

    def __init__(self) -> None:
        from IPython import display  # a notebook kernel has IPython

        self.display, self.handle = display, None

    def write(self, text: str) -> None:
        line = text.strip("\r\n")
        if not line.strip():
            return
        if self.handle is None:
            self.handle = self.display.display(self.display.Pretty(line), display_id=True)
        else:
            self.handle.update(self.display.Pretty(line))

    def flush(self) -> None:
        pass


def progress_bar(iterable=None, **options) -> tqdm:
    """tqdm over `iterable` (same options): one self-updating line in a notebook, stderr elsewhere."""
    if is_in_notebook() and not options.get("disable"):
        options = {"file": _DisplayLine(), "ncols": BAR_WIDTH, "mininterval": 0.5, **options}
    return tqdm(iterable, **options)
