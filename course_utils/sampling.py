"""What GRPO sees: several answers sampled for one question, each scored by the reward functions.

`sample_answers` draws `group_size` answers per question (temperature sampling, as GRPO's generation
step does); `groups_table` lays them out with their rewards and each answer's advantage within its
group, the number GRPO's loss weights it by.
"""

from __future__ import annotations

import torch

from course_utils.generation import prepare_inputs
from course_utils.i18n import message, render
from course_utils.messages import build_messages
from course_utils.progress import progress_bar

QUESTION_COLUMN = message("sampling.question_column", "question")
ANSWER_COLUMN = message("sampling.answer_column", "right answer")
SAMPLE_COLUMN = message("sampling.sample_column", "sampled answer")
TOTAL_COLUMN = message("sampling.total_column", "reward")
ADVANTAGE_COLUMN = message("sampling.advantage_column", "advantage")
SAMPLING_BAR = message("sampling.bar", "sampling answers")


def sample_answers(
    model,
    processor,
    rows,
    group_size: int = 4,
    max_new_tokens: int = 12,
    temperature: float = 1.0,
    image_key: str = "image",
    question_key: str = "query",
    seed: int = 0,
    progress: bool = False,
) -> list[list[str]]:
    """`group_size` answers sampled at `temperature` for each row's (picture, question), as text."""
    torch.manual_seed(seed)
    groups = []
    for row in progress_bar(list(rows), desc=render(SAMPLING_BAR), disable=not progress):
        messages = build_messages(row[question_key], images=[row[image_key]])
        # as `generate_answers` asks: the lesson's template, floating-point inputs in the model's dtype
        inputs = prepare_inputs(processor, [messages]).to(model.device, dtype=model.dtype)
        with torch.inference_mode():
            output = model.generate(
                **inputs,
                do_sample=True,
                temperature=temperature,
                top_k=0,
                top_p=1.0,
                max_new_tokens=max_new_tokens,
                num_return_sequences=group_size,
            )
        new_tokens = output[:, inputs["input_ids"].shape[1] :]
        groups.append(
            [answer.strip() for answer in processor.batch_decode(new_tokens, skip_special_tokens=True)]
        )
    return groups


def group_advantages(rewards: list[float]) -> list[float]:
    """GRPO's advantage of each answer in one group: (reward − group mean) / (group std + 1e-4), trl's
    default scaling; 0 for every answer of a group whose rewards are all equal."""
    values = torch.tensor(rewards, dtype=torch.float64)
    spread = values.std() if len(values) > 1 else torch.tensor(0.0, dtype=torch.float64)
    return ((values - values.mean()) / (spread + 1e-4)).tolist()


def groups_table(
    rows,
    groups: list[list[str]],
    reward_funcs,
    weights=None,
    answer_key: str = "label",
    question_key: str = "query",
):
    """A pandas table, one line per sampled answer: the question, the right answer, each reward
    function's score, the weighted total and the answer's advantage within its group."""
    import pandas as pd  # loads only where a table is drawn

    weights = list(weights) if weights is not None else [1.0] * len(reward_funcs)
    lines = []
    for row, answers in zip(rows, groups):
        completions = [[{"role": "assistant", "content": answer}] for answer in answers]
        labels = [row[answer_key]] * len(answers)
        scores = [list(func(completions=completions, label=labels)) for func in reward_funcs]
        totals = [sum(w * s[i] for w, s in zip(weights, scores)) for i in range(len(answers))]
        for index, (answer, advantage) in enumerate(zip(answers, group_advantages(totals))):
            right = row[answer_key]
            line = {
                render(QUESTION_COLUMN): row[question_key],
                render(ANSWER_COLUMN): right[0] if isinstance(right, (list, tuple)) else right,
                render(SAMPLE_COLUMN): answer,
            }
            line.update({func.__name__: score[index] for func, score in zip(reward_funcs, scores)})
            line[render(TOTAL_COLUMN)] = totals[index]
            line[render(ADVANTAGE_COLUMN)] = round(advantage, 2)
            lines.append(line)
    return pd.DataFrame(lines)
