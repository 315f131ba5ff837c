"""Exercises of lesson 3 (GRPO): 🐢 verifiable rewards, 🐕 GRPO on chart questions, 🦁 reward hacking.

In the notebook: `from course_utils.exercises import grpo as ex`, `ex.setup(model, processor)` (the
untouched base model), then `ex.rewards.check(correctness_reward, format_reward)`,
`ex.grpo_charts.check(grpo_trainer, before, after)` and
`ex.reward_hacking.check(hack_examples, fixed_reward, fixed_trainer, fixed_after, hacked=hacked_after)`.
"""

from __future__ import annotations

from course_utils.evaluation import above_baseline, compare, exact_match, logged, majority_baseline
from course_utils.exercises.core import Exercise, Failure, Lesson, message, verbatim, wrong_type
from course_utils.exercises.finetuning import (
    ROWS_DIFFERENT_QUESTIONS,
    base_is_untouched,
    check_above_baseline,
    check_eval_result,
    check_improvement,
)
from course_utils.i18n import render

LESSON = Lesson("03_vlm_grpo")
setup = LESSON.setup

TYPE_FUNCTION = message("type.reward_function", "a function `(completions, label, **kwargs) -> list[float]`")
TYPE_GRPO_TRAINER = message("type.grpo_trainer", "a trained trl `GRPOTrainer` (call `.train()` on it first)")
TYPE_HACKS = message("type.hack_examples", "a list of (completion, right answer) pairs of strings")

# Completions whose rewards are known: (completion, right answer, correctness, format, what it tests).
# Correctness: the one number the completion states (digits or an English number word), within
# ChartQA's 5 % of the answer. Format: 1 for a bare number, as ChartQA's answers are written.
REWARD_CASES = (
    ("3", "3", 1.0, 1.0, message("rewards.case.plain", "the right number, bare")),
    (
        "3.0",
        "3",
        1.0,
        1.0,
        message("rewards.case.decimal", "“3.0” is the number 3: compare numbers, not text"),
    ),
    ("96", "100", 1.0, 1.0, message("rewards.case.relaxed", "96 is within ChartQA's 5 % of 100")),
    ("90", "100", 0.0, 1.0, message("rewards.case.outside", "90 is 10 % away from 100: too far")),
    ("three", "3", 1.0, 0.0, message("rewards.case.word", "“three” states the number 3, in words")),
    ("3 bars", "3", 1.0, 0.0, message("rewards.case.sentence", "“3 bars” states one number, 3")),
    (
        "bars: 3, 2",
        "3",
        0.0,
        0.0,
        message("rewards.case.list", "a list of bars does not commit to one answer"),
    ),
    (
        "1, 2, 3, 4",
        "3",
        0.0,
        0.0,
        message("rewards.case.every_number", "listing every number is a guess, not an answer"),
    ),
    ("", "3", 0.0, 0.0, message("rewards.case.empty", "an empty answer")),
    ("4", "3", 0.0, 1.0, message("rewards.case.wrong", "a bare number, but the wrong one")),
)
NO_SIGNAL_SHARE = 0.95  # a run whose groups were this often all-equal in reward learned nothing
HACKS_NEEDED = 3
HACKED_REWARD = 0.6  # the lenient reward the hacked run reached: high, for wrong answers


def as_completions(texts) -> list[list[dict]]:
    """Texts as trl passes completions of a conversational dataset: one assistant turn each."""
    return [[{"role": "assistant", "content": text}] for text in texts]


def lenient_reward(completions, label, **kwargs) -> list[float]:
    """The lesson's lenient reward: 1 when the right answer appears anywhere in the completion."""
    return [float(answer[0] in completion[0]["content"]) for completion, answer in zip(completions, label)]


def call_reward(exercise: Exercise, function, name: str, texts, answers) -> list[float]:
    """The learner's reward function called as trl calls it; its rewards as floats, one per completion."""
    exercise.require_callable(function, name, TYPE_FUNCTION)
    rewards = exercise.call_learner(
        function,
        prompts=[[{"role": "user", "content": "?"}]] * len(texts),
        completions=as_completions(texts),
        completion_ids=[[0]] * len(texts),
        label=[[answer] for answer in answers],
        trainer_state=None,
    )
    try:
        rewards = [float(reward) for reward in rewards]
    except (TypeError, ValueError):
        raise Failure(
            message(
                "rewards.not_numbers",
                "`{name}` returned {value!r}: a reward function returns a list of numbers, one per "
                "completion.",
            ),
            name=name,
            value=rewards,
        ) from None
    if len(rewards) != len(texts):
        raise Failure(
            message(
                "rewards.wrong_count",
                "`{name}` returned {got} rewards for {expected} completions: trl needs one per completion.",
            ),
            name=name,
            got=len(rewards),
            expected=len(texts),
        )
    return rewards


def reward_mismatch(exercise: Exercise, function, name: str, column: int):
    """The first known case where `function` gives another reward than expected, or None."""
    texts = [case[0] for case in REWARD_CASES]
    answers = [case[1] for case in REWARD_CASES]
    rewards = call_reward(exercise, function, name, texts, answers)
    for case, got in zip(REWARD_CASES, rewards):
        if abs(got - case[column]) > 1e-6:
            return case, got
    return None


WRONG_REWARD = message(
    "rewards.wrong_reward",
    "`{name}` gives {got:g} to the completion {completion!r} when the right answer is {answer!r}; it "
    "should give {expected:g} ({why}).",
)


def _trained_rewards(trainer, name: str) -> list[float]:
    history = getattr(getattr(trainer, "state", None), "log_history", None)
    if history is None or not hasattr(trainer, "reward_funcs"):
        raise wrong_type(name, trainer, TYPE_GRPO_TRAINER)
    rewards = [value for _, value in logged(history, "reward")]
    if not rewards:
        raise Failure(
            message(
                "grpo.not_trained",
                "`{name}` has logged no reward. Did the training run? Build the `GRPOTrainer`, then call "
                "`.train()` on it.",
            ),
            name=name,
        )
    return rewards


# ----------------------------------------------------------------------------- 🐢 rewards


class Rewards(Exercise):
    """Two reward functions: correctness (ChartQA's relaxed match on the one number stated) and format."""

    name, tier = "rewards", "🐢"
    value_names = ("correctness_reward", "format_reward")
    passed = message(
        "rewards.passed",
        "both rewards give the expected score to all {count} known completions, the tricky ones "
        "included (“3.0”, “three”, a list of bars, every number at once, an empty answer).",
    )
    hints = (
        verbatim(
            "rewards.hint.1",
            "trl calls each reward function with keyword arguments: `completions` (one list of turns "
            "per answer: the text is `completion[0]['content']`) and every column of the dataset, so "
            "`label` (one list holding the right answer per completion). Return one float per "
            "completion. For correctness, find every number the text states (`re.findall` for digits, "
            "and the words 'zero' … 'ten'); reward 1 only when there is exactly one and "
            "`relaxed_match(str(number), answer[0])`. For the format, `re.fullmatch` a bare number.",
        ),
        verbatim(
            "rewards.hint.2",
            "`NUMBER = re.compile(r'-?\\d+(?:\\.\\d+)?')`; `WORDS = {w: i for i, w in "
            "enumerate('zero one two three four five six seven eight nine ten'.split())}`\n"
            "`def stated_numbers(text): return [float(n) for n in NUMBER.findall(text)] + "
            "[float(WORDS[w]) for w in re.findall(r'[a-z]+', text.lower()) if w in WORDS]`\n"
            "`def correctness_reward(completions, label, **kwargs):` for each pair, `numbers = "
            "stated_numbers(completion[0]['content'])` and `float(len(numbers) == 1 and "
            "relaxed_match(f'{numbers[0]:g}', answer[0]))`\n"
            "`def format_reward(completions, **kwargs): return [float(bool(NUMBER.fullmatch("
            "completion[0]['content'].strip()))) for completion in completions]`",
        ),
    )

    def verify(self, correctness_reward, format_reward) -> dict:
        for function, name, column in (
            (correctness_reward, "correctness_reward", 2),
            (format_reward, "format_reward", 3),
        ):
            mismatch = reward_mismatch(self, function, name, column)
            if mismatch:
                case, got = mismatch
                raise Failure(
                    WRONG_REWARD,
                    name=name,
                    got=got,
                    completion=case[0],
                    answer=case[1],
                    expected=case[column],
                    why=render(case[4]),
                )
        return {"count": len(REWARD_CASES)}


# ----------------------------------------------------------------------------- 🐕 grpo_charts


class GrpoCharts(Exercise):
    """GRPO with the learner's rewards: groups that differ in reward, and a held-out gain."""

    name, tier = "grpo_charts", "🐕"
    value_names = ("grpo_trainer", "before", "after")
    passed = message(
        "grpo_charts.passed",
        "{steps} GRPO steps, the mean reward {first:.2f} → {last:.2f}; held-out exact match "
        "{before:.0%} → {after:.0%}, well above the {baseline:.0%} of always giving the most "
        "frequent answer. No answer was shown to the model: it learned from its own samples.",
    )
    hints = (
        verbatim(
            "grpo_charts.hint.1",
            "`before = evaluate(model, processor, charts['test'])`; a `GRPOConfig(...)` with "
            "`num_generations=GROUP` (answers sampled per question), `per_device_train_batch_size="
            "QUESTIONS * GROUP` (completions per step), `max_completion_length=MAX_COMPLETION`, "
            "`temperature=1.0`, `reward_weights=[1.0, 0.5]`; a `GRPOTrainer(model=fresh_model(), "
            "reward_funcs=[correctness_reward, format_reward], args=..., train_dataset=prompt_rows, "
            "processing_class=processor, peft_config=lora_config)`, `.train()`, then `evaluate` the "
            "trainer's model.",
        ),
        verbatim(
            "grpo_charts.hint.2",
            "`grpo_config = GRPOConfig(output_dir=str(WORK_DIR / 'grpo'), max_steps=STEPS, "
            "per_device_train_batch_size=QUESTIONS * GROUP, num_generations=GROUP, "
            "max_completion_length=MAX_COMPLETION, temperature=1.0, learning_rate=LEARNING_RATE, "
            "beta=BETA, reward_weights=[1.0, 0.5], logging_steps=1, gradient_checkpointing=device == "
            "'cuda', save_strategy='no', report_to='none', seed=SEED, **precision)`\n"
            "`grpo_trainer = GRPOTrainer(model=fresh_model(), reward_funcs=[correctness_reward, "
            "format_reward], args=grpo_config, train_dataset=prompt_rows, processing_class=processor, "
            "peft_config=lora_config)`; `grpo_trainer.train()`\n"
            "`after = evaluate(grpo_trainer.model, processor, charts['test'])`",
        ),
    )
    no_improvement = message(
        "grpo_charts.no_improvement",
        "held-out exact match went {before} → {after} on {n} questions, a gain of {gain} (95% "
        "interval {low} to {high}): chance alone gives a gain like this with p = {p}, and it should "
        "be below {alpha}. Too few steps (`STEPS`), a learning rate far from the recipe's, or `after` "
        "measured on the base model?",
    )

    def verify(self, grpo_trainer, before, after) -> dict:
        base_is_untouched(self.lesson)
        rewards = _trained_rewards(grpo_trainer, "grpo_trainer")
        functions = list(getattr(grpo_trainer, "reward_funcs", []))
        if not any(callable(f) and reward_mismatch(self, f, f.__name__, 2) is None for f in functions):
            raise Failure(
                message(
                    "grpo_charts.no_correctness_reward",
                    "none of the trainer's `reward_funcs` pays for right answers as 🐢's "
                    "`correctness_reward` does: pass your checked reward functions, "
                    "`reward_funcs=[correctness_reward, format_reward]`.",
                )
            )
        groups = getattr(getattr(grpo_trainer, "args", None), "num_generations", None) or 0
        if groups < 2:
            raise Failure(
                message(
                    "grpo_charts.one_answer",
                    "`num_generations` is {groups}: GRPO compares each answer with the other answers "
                    "to the same question, so it needs at least 2 (the lesson uses `GROUP`).",
                ),
                groups=groups,
            )
        zero_std = [value for _, value in logged(grpo_trainer.state.log_history, "frac_reward_zero_std")]
        if zero_std and sum(zero_std) / len(zero_std) >= NO_SIGNAL_SHARE:
            raise Failure(
                message(
                    "grpo_charts.no_signal",
                    "in {share:.0%} of the sampled groups every answer got the same reward "
                    "(`frac_reward_zero_std`), so every advantage was 0 and GRPO had nothing to "
                    "learn from. The sampled answers must differ: sample with `temperature=1.0` "
                    "(a low temperature gives the same answer {groups} times).",
                ),
                share=sum(zero_std) / len(zero_std),
                groups=groups,
            )
        check_improvement(before, after, ("before", "after"), self.no_improvement)
        return {
            "before": before.exact,
            "after": after.exact,
            "baseline": majority_baseline(after.targets)[1],
            "steps": len(rewards),
            "first": rewards[0],
            "last": rewards[-1],
        }


# ----------------------------------------------------------------------------- 🦁 reward_hacking


class RewardHacking(Exercise):
    """Find the completions that game the lenient reward, fix the reward, and beat the hacked run."""

    name, tier = "reward_hacking", "🦁"
    value_names = ("hack_examples", "fixed_reward", "fixed_trainer", "fixed_after")
    passed = message(
        "reward_hacking.passed",
        "{hacks} completions that the lenient reward paid for and that are wrong, a fixed reward that "
        "pays none of them, and held-out exact match {hacked:.0%} (lenient reward) → {fixed:.0%} "
        "(fixed reward), above the {baseline:.0%} majority baseline.",
    )
    hints = (
        verbatim(
            "reward_hacking.hint.1",
            "Read the table of the hacked model's sampled answers: which answers got a lenient reward of "
            "1 without being the answer? Collect at least three as `(completion, right answer)` pairs. "
            "The fix pays only an answer that commits to one number: your 🐢 `correctness_reward` is "
            "one. Train a fresh model with `reward_funcs=[fixed_reward]` and the same config, then "
            "`evaluate` it on `charts['test']`.",
        ),
        verbatim(
            "reward_hacking.hint.2",
            "`hack_examples = [(text, row['label'][0]) for row, answers in zip(probe_rows, hacked_groups) "
            "for text in answers if lenient_reward([[{'content': text}]], [row['label']])[0] == 1 and "
            "not exact_match(text, row['label'])]`\n"
            "`def fixed_reward(completions, label, **kwargs): return correctness_reward(completions, "
            "label)`\n"
            "`fixed_trainer = GRPOTrainer(model=fresh_model(), reward_funcs=[fixed_reward], "
            "args=hacked_config, train_dataset=prompt_rows, processing_class=processor, "
            "peft_config=lora_config)`; `fixed_trainer.train()`\n"
            "`fixed_after = evaluate(fixed_trainer.model, processor, charts['test'])`",
        ),
    )

    def verify(self, hack_examples, fixed_reward, fixed_trainer, fixed_after, hacked=None) -> dict:
        hacks = self._check_hacks(hack_examples)
        texts, answers = [text for text, _ in hacks], [answer for _, answer in hacks]
        paid = call_reward(self, fixed_reward, "fixed_reward", texts, answers)
        for (text, answer), reward in zip(hacks, paid):
            if reward > 0:
                raise Failure(
                    message(
                        "reward_hacking.still_hackable",
                        "`fixed_reward` still pays {reward:g} for the hack {completion!r} (right answer "
                        "{answer!r}): the fixed reward must pay only an answer that commits to the right "
                        "number.",
                    ),
                    reward=reward,
                    completion=text,
                    answer=answer,
                )
        mismatch = reward_mismatch(self, fixed_reward, "fixed_reward", 2)
        if mismatch:
            case, got = mismatch
            raise Failure(
                WRONG_REWARD,
                name="fixed_reward",
                got=got,
                completion=case[0],
                answer=case[1],
                expected=case[2],
                why=render(case[4]),
            )
        base_is_untouched(self.lesson)
        _trained_rewards(fixed_trainer, "fixed_trainer")
        if fixed_reward not in list(getattr(fixed_trainer, "reward_funcs", [])):
            raise Failure(
                message(
                    "reward_hacking.not_trained_on_fix",
                    "`fixed_trainer` was not given `fixed_reward`: train it with "
                    "`reward_funcs=[fixed_reward]`.",
                )
            )
        check_eval_result(fixed_after, "fixed_after")
        if hacked is None:
            raise Failure(
                message(
                    "reward_hacking.no_hacked_run",
                    "pass the hacked run's evaluation too: "
                    "`ex.reward_hacking.check(..., hacked=hacked_after)`.",
                )
            )
        check_eval_result(hacked, "hacked")
        if hacked.n != fixed_after.n or list(hacked.targets) != list(fixed_after.targets):
            raise Failure(ROWS_DIFFERENT_QUESTIONS, before="hacked_after", after="fixed_after")
        # On the tiny model the fix wins by far (the lesson's tests hold it to 30 points); a real SmolVLM
        # may hack the lenient reward less, so the check asks only that the fix is not worse.
        change = compare(hacked, fixed_after)
        if change.high < 0:
            raise Failure(
                self.fix_worse,
                hacked=f"{hacked.exact:.0%}",
                fixed=f"{fixed_after.exact:.0%}",
                n=fixed_after.n,
                low=f"{change.low:+.0%}",
                high=f"{change.high:+.0%}",
            )
        check_above_baseline(fixed_after)
        return {
            "hacks": len(hacks),
            "hacked": hacked.exact,
            "fixed": fixed_after.exact,
            "baseline": majority_baseline(fixed_after.targets)[1],
            "fixed_vs_hacked_p": compare(hacked, fixed_after).p_value,
            "fixed_above_baseline_p": above_baseline(fixed_after),
        }

    fix_worse = message(
        "reward_hacking.fix_worse",
        "held-out exact match is {fixed} with the fixed reward and {hacked} with the lenient one, on {n} "
        "questions (95% interval of the difference {low} to {high}): the fix made the model worse. Does "
        "`fixed_reward` still pay right answers, and does the fixed run train as long as the hacked one?",
    )

    @staticmethod
    def _check_hacks(hack_examples) -> list[tuple[str, str]]:
        if not isinstance(hack_examples, (list, tuple)) or not all(
            isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
            for pair in hack_examples
        ):
            raise wrong_type("hack_examples", hack_examples, TYPE_HACKS)
        hacks = [(text, answer) for text, answer in hack_examples]
        if len(hacks) < HACKS_NEEDED:
            raise Failure(
                message(
                    "reward_hacking.too_few_hacks",
                    "`hack_examples` holds {count} pairs; find at least {needed} in the hacked model's "
                    "answers.",
                ),
                count=len(hacks),
                needed=HACKS_NEEDED,
            )
        for text, answer in hacks:
            paid = lenient_reward(as_completions([text]), [[answer]])[0]
            if paid < 1 or exact_match(text, answer):
                raise Failure(
                    message(
                        "reward_hacking.not_a_hack",
                        "{completion!r} (right answer {answer!r}) is not a hack: a hack is an answer that "
                        "the lenient reward pays 1 for although it is not the right answer.",
                    ),
                    completion=text,
                    answer=answer,
                )
        return hacks


rewards = Rewards(LESSON)
grpo_charts = GrpoCharts(LESSON)
reward_hacking = RewardHacking(LESSON)
