# expect: rewards.wrong_reward
# Planted wrong answer (tests/test_notebooks.py): "is the answer in the text?", the lenient reward that
# section 5 shows being hacked: it pays a list of bars that holds the answer.
def correctness_reward(completions, label, **kwargs):
    return [float(answer[0] in completion[0]["content"]) for completion, answer in zip(completions, label)]


def format_reward(completions, **kwargs):
    return [float(completion[0]["content"].strip().isdigit()) for completion in completions]
