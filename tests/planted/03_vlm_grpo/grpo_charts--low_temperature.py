# expect: grpo_charts.no_signal
# Known mistake (tests/test_notebooks.py): sampling at a temperature near 0, every answer of a
# group is the same, so every group's rewards are equal and GRPO has nothing to learn from.
# Run on its own (the 🐢 cell still blank): the right rewards are written here.
WORDS = {
    word: value for value, word in enumerate("zero one two three four five six seven eight nine ten".split())
}


def correctness_reward(completions, label, **kwargs):
    rewards = []
    for completion, answer in zip(completions, label):
        text = completion[0]["content"]
        numbers = re.findall(r"-?\d+(?:\.\d+)?", text) + [
            str(WORDS[word]) for word in re.findall(r"[a-z]+", text.lower()) if word in WORDS
        ]
        rewards.append(float(len(numbers) == 1 and relaxed_match(numbers[0], answer[0])))
    return rewards


def format_reward(completions, **kwargs):
    return [float(bool(re.fullmatch(r"-?\d+(?:\.\d+)?", c[0]["content"].strip()))) for c in completions]


before = evaluate(model, processor, charts["test"])
grpo_config = GRPOConfig(
    output_dir=str(WORK_DIR / "grpo"),
    max_steps=8,
    per_device_train_batch_size=QUESTIONS * GROUP,
    num_generations=GROUP,
    max_completion_length=MAX_COMPLETION,
    temperature=0.01,
    learning_rate=LEARNING_RATE,
    logging_steps=1,
    gradient_checkpointing=False,
    save_strategy="no",
    report_to="none",
    **precision,
)
grpo_trainer = GRPOTrainer(
    model=fresh_model(),
    reward_funcs=[correctness_reward, format_reward],
    args=grpo_config,
    train_dataset=prompt_rows,
    processing_class=processor,
    peft_config=lora_config,
)
grpo_trainer.train()
after = evaluate(grpo_trainer.model, processor, charts["test"])
