"""Scoring answers: exact match, ChartQA's relaxed accuracy against its published definition, the
majority baseline, accuracy per question kind, the before/after table and the loss curve."""

import pytest

from course_utils.evaluation import (
    EvalResult,
    above_baseline,
    before_after_table,
    binomial_tail,
    compare,
    evaluate,
    exact_match,
    logged,
    majority_baseline,
    plot_loss,
    relaxed_match,
)
from course_utils.synthetic_data import make_chartqa

# ChartQA's relaxed accuracy, as published: Masry et al., "ChartQA: A Benchmark for Question Answering
# about Charts with Visual and Logical Reasoning" (ACL Findings 2022, arXiv:2203.10244), end of section
# 5.1: "We consider an answer to be correct if it is within 5% of the gold answer. For non-numeric
# answers, we still need an exact match". The reference scorer the later ChartQA results use
# (google-research/pix2struct, pix2struct/metrics.py, `relaxed_correctness`) makes three details
# precise: a trailing "%" divides by 100, the 5% is relative to the gold answer, and a gold answer of
# zero (or any non-number) needs the exact (case-insensitive) text. Each case: (prediction, gold, correct).
CHARTQA_RELAXED_CASES = [
    # numbers: within 5% of the gold answer, relative to the gold answer
    ("10.4", "10", True),
    ("10.6", "10", False),
    ("105", "100", True),  # exactly 5%
    ("94", "100", False),
    ("-10.4", "-10", True),
    ("52", "50.0", True),
    ("1e2", "100", True),
    # percentages are fractions: "12%" is 0.12
    ("12%", "12%", True),
    ("12.5%", "12%", True),
    ("13%", "12%", False),
    ("0.12", "12%", True),
    ("12", "12%", False),
    # a gold answer of zero has no relative error: only the same text is right
    ("0", "0", True),
    ("0.0", "0", False),
    ("0.01", "0", False),
    ("1", "0", False),
    ("0%", "0%", True),
    # anything that is not a number: exact match, case-insensitive
    ("Red", "red", True),
    ("blue", "red", False),
    ("three", "3", False),
    ("3", "three", False),
    ("about 10", "10", False),
    ("1,000", "1000", False),  # not a number to Python's float(): the texts differ
]


@pytest.mark.parametrize("prediction, gold, correct", CHARTQA_RELAXED_CASES)
def test_relaxed_match_follows_chartqas_published_definition(prediction, gold, correct):
    assert relaxed_match(prediction, gold) is correct


def test_relaxed_match_reads_chartqas_label_lists_and_tolerance():
    assert relaxed_match("Red", ["red"]) and relaxed_match("10.4", ["10"])
    assert not relaxed_match("10.4", "10", tolerance=0.01)


def test_exact_match_ignores_case_outer_spaces_and_a_final_period():
    assert exact_match(" 3. ", "3") and exact_match("Top Left", ["top left"])
    assert not exact_match("3.0", "3") and not exact_match("top", "top left")


def test_majority_baseline_is_what_always_giving_the_most_frequent_answer_scores():
    assert majority_baseline(["2", "3", "2", " 2.", "4"]) == ("2", 0.6)
    assert majority_baseline([]) == ("", 0.0)
    result = EvalResult(0.5, 0.5, 4, ["2", "x", "2", "y"], ["2", "2", "2", "3"], ["a", "b", "c", "d"])
    assert (result.majority_answer, result.majority_baseline) == ("2", 0.75)


def test_accuracy_by_question_kind():
    result = EvalResult(
        0.5,
        0.5,
        4,
        ["2", "x", "red", "blue"],
        ["2", "3", "red", "red"],
        ["How many?", "How many?", "Which colour?", "Which colour?"],
    )
    kinds = result.accuracy_by(lambda question: question.split()[0].lower())
    assert kinds == {"how": 0.5, "which": 0.5}


def test_logged_reads_one_key_of_a_trainers_log_history():
    history = [{"step": 1, "loss": 2.0}, {"step": 2, "rewards/accuracies": 0.75}, {"loss": 1.0}]
    history.append({"train_loss": 1.5})
    assert logged(history) == [(1, 2.0), (2, 1.0)]  # an entry without a step counts by its position
    assert logged(history, "rewards/accuracies") == [(2, 0.75)]


def test_loss_plot_and_table():
    figure = plot_loss([{"step": 1, "loss": 2.0}, {"step": 2, "loss": 1.0}, {"train_loss": 1.5}])
    assert figure.axes[0].lines[0].get_ydata().tolist() == [2.0, 1.0]
    with pytest.raises(ValueError, match="no 'loss' entries"):
        plot_loss([{"train_runtime": 1.0}])
    with_validation = plot_loss(
        [
            {"step": 1, "loss": 2.0},
            {"step": 1, "eval_loss": 2.5},
            {"step": 2, "loss": 1.0},
            {"step": 2, "eval_loss": 2.7},
        ]
    )
    training, validation = with_validation.axes[0].lines
    assert validation.get_ydata().tolist() == [2.5, 2.7] and validation.get_label() == "validation"
    assert with_validation.axes[0].get_legend() is not None and training.get_label() == "training"
    table = before_after_table({"before": EvalResult(0.2, 0.25, 10), "after": EvalResult(0.9, 0.9, 10)})
    assert table.loc["after", "exact match"] == "90.0%"
    assert table.loc["before", "relaxed accuracy"] == "25.0%"


def test_a_wrong_column_name_is_named_with_the_dataset_columns(tiny):
    model, processor = tiny
    rows = make_chartqa(2, seed=0)
    with pytest.raises(
        ValueError, match=r"question_key='q' is not a column of the dataset; its columns are \['image'"
    ):
        evaluate(model, processor, rows, question_key="q")


def paired(before_right: int, after_right: int, n: int = 100):
    targets = [str(index % 5) for index in range(n)]
    before = [t if index < before_right else "x" for index, t in enumerate(targets)]
    after = [t if index < after_right else "x" for index, t in enumerate(targets)]
    return (
        EvalResult(before_right / n, before_right / n, n, before, targets),
        EvalResult(after_right / n, after_right / n, n, after, targets),
    )


def test_compare_tells_a_real_gain_from_chance():
    real = compare(*paired(55, 75))
    assert (real.fixed, real.broken, round(real.gain, 2)) == (20, 0, 0.2)
    assert real.significant and real.p_value < 1e-5
    assert 0.1 < real.low < real.gain < real.high < 0.3
    chance = compare(*paired(55, 58))
    assert not chance.significant and abs(chance.p_value - 0.25) < 1e-9  # 3 of 3 discordant: 2 / 2**3
    assert compare(*paired(58, 55)).gain < 0 and not compare(*paired(58, 55)).significant
    with pytest.raises(ValueError, match="same questions"):
        compare(paired(1, 2, n=10)[0], paired(1, 2, n=12)[1])


def test_binomial_tail_is_exact_and_survives_large_test_sets():
    assert binomial_tail(3, 4, 0.5) == pytest.approx(5 / 16)
    assert binomial_tail(0, 10, 0.3) == 1.0
    assert binomial_tail(1500, 2500, 0.5) < 1e-20  # 2,500 questions: ChartQA's whole test split


def test_above_baseline_needs_more_than_the_most_frequent_answer():
    targets = ["2"] * 50 + ["3"] * 50
    always_two = EvalResult(0.5, 0.5, 100, ["2"] * 100, targets)
    assert above_baseline(always_two) > 0.5
    mostly_right = EvalResult(0.8, 0.8, 100, targets[:80] + ["9"] * 20, targets)
    assert above_baseline(mostly_right) < 1e-6


def test_table_shows_the_gain_with_its_interval_and_p_value():
    before, after = paired(55, 75)
    table = before_after_table({"before": before, "after": after})
    assert table.loc["after", "gain (95% interval)"].startswith("+20.0% (")
    assert table.loc["after", "p-value"] == "1.9e-06"
    assert table.loc["before", "gain (95% interval)"] == ""
