"""Lesson 3's checks on known answers: the reward functions' tricky completions, the hacks, and the
group advantage against GRPO's definition. The trained runs are checked by the solved notebook."""

import re

import pytest
import torch

from course_utils.evaluation import relaxed_match
from course_utils.exercises import grpo as ex
from course_utils.exercises.core import FAILED, NOT_ATTEMPTED, PASSED
from course_utils.sampling import group_advantages, groups_table, sample_answers
from tools.notebooks import ROOT

SOLUTION = ROOT / "course_utils" / "solutions" / "03_vlm_grpo" / "rewards.py"


@pytest.fixture(scope="module")
def solution():
    """The reference reward functions, run as the notebook runs them (with `re` and `relaxed_match`)."""
    namespace = {"re": re, "relaxed_match": relaxed_match, "print": lambda *args: None}
    exec(SOLUTION.read_text(encoding="utf-8"), namespace)
    return namespace


def texts(*answers):
    return [[{"role": "assistant", "content": answer}] for answer in answers]


def test_the_reference_rewards_pass_and_blank_ones_are_not_attempted(solution):
    assert ex.rewards.check(solution["correctness_reward"], solution["format_reward"]).status == PASSED
    assert ex.rewards.check(None, None).status == NOT_ATTEMPTED


# Rewards a learner plausibly writes, each wrong on one of the known completions.
def substring(completions, label, **kwargs):  # "is the answer in the text?"
    return [float(a[0] in c[0]["content"]) for c, a in zip(completions, label)]


def string_equal(completions, label, **kwargs):  # "3.0" is not "3"
    return [float(c[0]["content"].strip() == a[0]) for c, a in zip(completions, label)]


def first_number(completions, label, **kwargs):  # "bars: 3, 2" answers 3
    words = {"three": "3"}
    found = [re.findall(r"\d+(?:\.\d+)?", words.get(c[0]["content"], c[0]["content"])) for c in completions]
    return [float(bool(f) and relaxed_match(f[0], a[0])) for f, a in zip(found, label)]


def digits_only(completions, label, **kwargs):  # "three" is not read
    found = [re.findall(r"\d+(?:\.\d+)?", c[0]["content"]) for c in completions]
    return [float(len(f) == 1 and relaxed_match(f[0], a[0])) for f, a in zip(found, label)]


def integers_only_format(completions, **kwargs):  # "3.0" is not a bare number
    return [float(c[0]["content"].strip().isdigit()) for c in completions]


@pytest.mark.parametrize(
    ("correctness", "fmt", "completion"),
    [
        (substring, None, "96"),
        (string_equal, None, "3.0"),
        (first_number, None, "bars: 3, 2"),
        (digits_only, None, "three"),
        (None, integers_only_format, "3.0"),
    ],
    ids=["substring", "string_equal", "first_number", "digits_only", "integers_only_format"],
)
def test_each_plausible_mistake_is_named_by_its_completion(solution, correctness, fmt, completion):
    outcome = ex.rewards.check(
        correctness or solution["correctness_reward"], fmt or solution["format_reward"]
    )
    assert (outcome.status, outcome.code) == (FAILED, "rewards.wrong_reward")
    assert outcome.fields["completion"] == completion
    assert outcome.fields["why"] and "Message(" not in outcome.message


@pytest.mark.parametrize(
    ("reward", "code"),
    [
        (lambda completions, **kwargs: [1.0], "rewards.wrong_count"),
        (lambda completions, **kwargs: ["yes"] * len(completions), "rewards.not_numbers"),
        (lambda completions, **kwargs: 1 / 0, "core.raised"),
        (lambda completions: [0.0] * len(completions), "core.raised"),  # no **kwargs: trl passes label
        (3, "core.wrong_type"),
    ],
    ids=["one_reward", "not_numbers", "raises", "no_kwargs", "not_a_function"],
)
def test_a_broken_reward_function_gets_a_clear_message(solution, reward, code):
    outcome = ex.rewards.check(reward, solution["format_reward"])
    assert (outcome.status, outcome.code) == (FAILED, code)


def test_the_lenient_reward_pays_the_hedges_and_the_correctness_reward_does_not(solution):
    hedges = texts("3 bars: 4, 2, 1", "1, 2, 3, 4")
    assert ex.lenient_reward(hedges, [["4"], ["3"]]) == [1.0, 1.0]
    assert solution["correctness_reward"](completions=hedges, label=[["4"], ["3"]]) == [0.0, 0.0]


@pytest.mark.parametrize(
    ("hacks", "code"),
    [
        ([("3 bars: 4, 2, 1", "4")] * 2, "reward_hacking.too_few_hacks"),
        ([("3 bars: 4, 2, 1", "4"), ("4", "4"), ("3 bars: 1, 2, 4", "1")], "reward_hacking.not_a_hack"),
        ([("2 bars: 1, 3", "4")] * 3, "reward_hacking.not_a_hack"),
        ("3 bars", "core.wrong_type"),
        ([("3 bars: 4, 2, 1", 4)] * 3, "core.wrong_type"),
    ],
    ids=["too_few", "a_right_answer", "not_paid", "a_string", "a_number"],
)
def test_hack_examples_must_be_paid_wrong_answers(solution, hacks, code):
    outcome = ex.reward_hacking.check(hacks, solution["correctness_reward"], object(), object())
    assert (outcome.status, outcome.code) == (FAILED, code)


def test_a_fix_that_still_pays_a_hack_is_named(solution):
    hacks = [("3 bars: 4, 2, 1", "4"), ("3 bars: 4, 2, 1", "1"), ("2 bars: 2, 3", "2")]
    outcome = ex.reward_hacking.check(hacks, ex.lenient_reward, object(), object())
    assert (outcome.status, outcome.code) == (FAILED, "reward_hacking.still_hackable")
    refuses_everything = ex.reward_hacking.check(
        hacks, lambda completions, **kwargs: [0.0] * len(completions), 1, 1
    )
    assert (refuses_everything.status, refuses_everything.code) == (FAILED, "rewards.wrong_reward")


def test_group_advantages_follow_grpo_definition():
    rewards = [1.5, 0.0, 0.5, 0.0]
    values = torch.tensor(rewards)
    expected = (values - values.mean()) / (values.std() + 1e-4)  # GRPO: standardised within the group
    assert group_advantages(rewards) == pytest.approx(expected.tolist(), rel=1e-5)
    assert sum(group_advantages(rewards)) == pytest.approx(0.0, abs=1e-9)
    assert group_advantages([1.0, 1.0, 1.0]) == [0.0, 0.0, 0.0]  # an equal group teaches nothing


@pytest.fixture(scope="module")
def tiny_charts():
    from course_utils.image_tokens import set_token_budget
    from course_utils.loading import load_vlm
    from course_utils.synthetic_data import QUICK_CHART_KINDS, make_chartqa

    model, processor = load_vlm("tiny-charts")
    set_token_budget(processor, image_splitting=False)
    rows = [dict(row) for row in make_chartqa(4, seed=3, kinds=QUICK_CHART_KINDS)]
    return model, processor, rows


def test_sampled_groups_are_reproducible_and_scored_with_their_advantages(tiny_charts, solution):
    model, processor, rows = tiny_charts
    groups = sample_answers(model, processor, rows, group_size=4, seed=1)
    assert [len(group) for group in groups] == [4] * len(rows)
    assert sample_answers(model, processor, rows, group_size=4, seed=1) == groups
    table = groups_table(
        rows, groups, [solution["correctness_reward"], solution["format_reward"]], [1.0, 0.5]
    )
    assert len(table) == 16
    assert list(table.columns[3:5]) == ["correctness_reward", "format_reward"]
    totals = table["correctness_reward"] + 0.5 * table["format_reward"]
    assert table["reward"].tolist() == pytest.approx(totals.tolist())
    for start in range(0, 16, 4):
        assert sum(table["advantage"][start : start + 4]) == pytest.approx(0.0, abs=0.05)


def test_the_chart_answerer_hedges_greedily_but_its_samples_hold_the_answer(tiny_charts, solution):
    """Lesson 3's starting point: greedy answers are mostly descriptions, sampled groups often hold the
    bare right number, so GRPO's groups differ in reward."""
    from course_utils.evaluation import evaluate
    from course_utils.synthetic_data import QUICK_CHART_KINDS, make_chartqa

    model, processor, _ = tiny_charts
    rows = make_chartqa(60, seed=11, kinds=QUICK_CHART_KINDS)
    greedy = evaluate(model, processor, rows, progress=False)
    groups = sample_answers(model, processor, [dict(row) for row in rows], group_size=4, seed=0)
    rewards = [
        solution["correctness_reward"](completions=texts(*group), label=[row["label"]] * 4)
        for row, group in zip(rows, groups)
    ]
    differing = sum(len(set(group)) > 1 for group in rewards) / len(rewards)
    assert greedy.exact <= 0.35, greedy.exact
    assert differing >= 0.5, differing


def evaluation(right: int, n: int = 40):
    """An EvalResult of `n` questions answered "1".."4" in turn, the first `right` of them right."""
    from course_utils.evaluation import EvalResult

    targets = [str(1 + index % 4) for index in range(n)]
    predictions = [target if index < right else "bars" for index, target in enumerate(targets)]
    return EvalResult(right / n, right / n, n, predictions, targets, ["q"] * n)


def trained_with(reward):
    """A trainer as the check reads it: its reward functions and a logged mean reward."""
    from types import SimpleNamespace

    return SimpleNamespace(
        reward_funcs=[reward], state=SimpleNamespace(log_history=[{"step": 1, "reward": 0.5}])
    )


HACKS = [("3 bars: 4, 2, 1", "4"), ("3 bars: 4, 2, 1", "1"), ("2 bars: 2, 3", "2")]


@pytest.mark.parametrize(
    ("hacked_right", "fixed_right", "expected"),
    [
        (0, 36, ("passed", "reward_hacking.passed")),  # the tiny model: the hack costs everything
        (
            30,
            30,
            ("passed", "reward_hacking.passed"),
        ),  # a model that hacks little: the fix only must not hurt
        (36, 6, ("failed", "reward_hacking.fix_worse")),
        (10, 10, ("failed", "rows.below_baseline")),  # 25% is what always answering "1" scores
    ],
    ids=["fix_wins", "fix_ties", "fix_hurts", "at_the_baseline"],
)
def test_the_fixed_run_must_not_be_worse_and_must_beat_the_baseline(
    tiny_charts, solution, hacked_right, fixed_right, expected
):
    model, processor, _ = tiny_charts
    ex.setup(model, processor, language="en")
    fixed = solution["correctness_reward"]
    outcome = ex.reward_hacking.check(
        HACKS, fixed, trained_with(fixed), evaluation(fixed_right), hacked=evaluation(hacked_right)
    )
    assert (outcome.status, outcome.code) == expected, outcome.message
