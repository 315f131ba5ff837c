# The hacks: answers the lenient reward paid for that are not the answer (lists of bars, mostly).
hack_examples = list(
    dict.fromkeys(  # each (completion, answer) pair once
        (text, row["label"][0])
        for row, answers in zip(probe_rows, hacked_groups)
        for text in answers
        if lenient_reward([[{"role": "assistant", "content": text}]], [row["label"]])[0] == 1
        and not exact_match(text, row["label"])
    )
)
print(tr("{count} hacks, for example:", count=len(hack_examples)), hack_examples[:3])


def fixed_reward(completions, label, **kwargs):
    """Pays only an answer that commits to one number, the right one: 🐢's correctness reward."""
    return correctness_reward(completions, label)


fixed_trainer = GRPOTrainer(
    model=fresh_model(),
    reward_funcs=[fixed_reward],
    args=hacked_config,  # the same settings as the hacked run: only the reward differs
    train_dataset=prompt_rows,
    processing_class=processor,
    peft_config=lora_config,
)
fixed_trainer.train()
fixed_after = evaluate(fixed_trainer.model, processor, charts["test"])
print(tr("lenient reward"), hacked_after, "\n" + tr("fixed reward"), fixed_after)
