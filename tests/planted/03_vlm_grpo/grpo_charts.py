# expect: grpo_charts.no_correctness_reward
# Planted wrong answer (tests/test_notebooks.py): the format reward alone. The model learns to answer
# with a bare number, any number: nothing pays for the right one.
before = evaluate(model, processor, charts["test"])
grpo_config = GRPOConfig(
    output_dir=str(WORK_DIR / "grpo"),
    max_steps=4,
    per_device_train_batch_size=QUESTIONS * GROUP,
    num_generations=GROUP,
    max_completion_length=MAX_COMPLETION,
    learning_rate=LEARNING_RATE,
    logging_steps=1,
    gradient_checkpointing=False,
    save_strategy="no",
    report_to="none",
    **precision,
)
grpo_trainer = GRPOTrainer(
    model=fresh_model(),
    reward_funcs=[format_reward],
    args=grpo_config,
    train_dataset=prompt_rows,
    processing_class=processor,
    peft_config=lora_config,
)
grpo_trainer.train()
after = evaluate(grpo_trainer.model, processor, charts["test"])
