"""Progress bars: finished in a saved notebook, tqdm's bar elsewhere; the trainer's bar without a table."""

from course_utils import progress


class Handle:
    """What IPython's `display(..., display_id=True)` returns: a display that `update` replaces."""

    def __init__(self, shown):
        self.shown = [shown]

    def update(self, shown):
        self.shown.append(shown)


def test_in_a_notebook_the_bar_is_one_display_that_ends_finished(monkeypatch):
    handles = []

    def display(shown, display_id=False):
        assert display_id  # a display that later updates replace, so the saved file keeps the last one
        handles.append(Handle(shown))
        return handles[-1]

    monkeypatch.setattr(progress, "is_in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", display)
    assert list(progress.progress_bar(range(3), desc="batches", mininterval=0)) == [0, 1, 2]
    assert len(handles) == 1
    last = handles[0].shown[-1].data
    assert last.startswith("batches: 100%") and "3/3" in last and "\r" not in last


def test_outside_a_notebook_the_bar_goes_to_stderr(monkeypatch, capsys):
    monkeypatch.setattr(progress, "is_in_notebook", lambda: False)
    assert sum(progress.progress_bar(range(4), desc="frames")) == 6
    captured = capsys.readouterr()
    assert "frames: 100%" in captured.err and "4/4" in captured.err and captured.out == ""


def test_a_disabled_bar_shows_nothing(monkeypatch, capsys):
    monkeypatch.setattr(progress, "is_in_notebook", lambda: True)
    assert list(progress.progress_bar(range(2), disable=True)) == [0, 1]
    assert capsys.readouterr() == ("", "")


def test_the_trainers_notebook_bar_keeps_no_table_of_losses(tmp_path):
    from transformers import TrainerControl, TrainerState, TrainingArguments

    from course_utils.training import TrainingProgress

    args = TrainingArguments(output_dir=str(tmp_path), eval_strategy="steps", report_to="none", use_cpu=True)
    state, control, bar = TrainerState(max_steps=10), TrainerControl(), TrainingProgress()
    bar.on_train_begin(args, state, control)
    bar.on_log(args, state, control, logs={"loss": 1.0})
    bar.on_evaluate(args, state, control, metrics={"eval_loss": 2.0})
    assert bar.training_tracker.inner_table is None  # transformers' callback would hold two rows by now
    assert "<table" not in bar.training_tracker.html_code
