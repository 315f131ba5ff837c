NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
WORDS = {
    word: value for value, word in enumerate("zero one two three four five six seven eight nine ten".split())
}


def stated_numbers(text):
    """Every number a text states: digits ("3", "3.0") and English number words ("three")."""
    digits = [float(number) for number in NUMBER.findall(text)]
    words = [float(WORDS[word]) for word in re.findall(r"[a-z]+", text.lower()) if word in WORDS]
    return digits + words


def correctness_reward(completions, label, **kwargs):
    """1 when the completion states exactly one number and it is the answer (ChartQA's relaxed match)."""
    rewards = []
    for completion, answer in zip(completions, label):
        numbers = stated_numbers(completion[0]["content"])
        rewards.append(float(len(numbers) == 1 and relaxed_match(f"{numbers[0]:g}", answer[0])))
    return rewards


def format_reward(completions, **kwargs):
    """1 for a bare number, as ChartQA's answers are written."""
    return [float(bool(NUMBER.fullmatch(completion[0]["content"].strip()))) for completion in completions]


for name, reward in (("correctness", correctness_reward), ("format", format_reward)):
    print(name, reward(completions=[[{"role": "assistant", "content": "3.0"}]], label=[["3"]]))
