# expect: reward_hacking.still_hackable
# Planted wrong answer (tests/test_notebooks.py): the "fix" is the lenient reward again.
hack_examples = [
    (text, row["label"][0])
    for row, answers in zip(probe_rows, hacked_groups)
    for text in answers
    if lenient_reward([[{"role": "assistant", "content": text}]], [row["label"]])[0] == 1
    and not exact_match(text, row["label"])
]
fixed_reward = lenient_reward
fixed_trainer = hacked_trainer
fixed_after = hacked_after
