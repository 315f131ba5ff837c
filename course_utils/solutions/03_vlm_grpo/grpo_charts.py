before = evaluate(model, processor, charts["test"])
grpo_config = GRPOConfig(
    output_dir=str(WORK_DIR / "grpo"),
    max_steps=STEPS,
    per_device_train_batch_size=QUESTIONS
    * GROUP,  # completions per step: QUESTIONS questions x GROUP answers
    num_generations=GROUP,  # answers sampled per question: the group each answer is compared with
    max_completion_length=MAX_COMPLETION,
    temperature=1.0,  # sampled answers must differ, or every advantage is 0
    learning_rate=LEARNING_RATE,
    beta=BETA,  # the KL term's weight (0: no reference model is kept)
    reward_weights=[1.0, 0.5],  # correctness counts twice as much as the format
    logging_steps=1,
    gradient_checkpointing=device == "cuda",  # saves GPU memory; on a CPU it only costs time
    save_strategy="no",
    report_to="none",
    seed=SEED,
    **precision,
)
grpo_trainer = GRPOTrainer(
    model=fresh_model(),  # a fresh copy: `model` stays the baseline
    reward_funcs=[correctness_reward, format_reward],
    args=grpo_config,
    train_dataset=prompt_rows,
    processing_class=processor,
    peft_config=lora_config,  # trl wraps the model with LoRA itself
)
grpo_trainer.train()
after = evaluate(grpo_trainer.model, processor, charts["test"])
print(tr("before"), before, "\n" + tr("after GRPO"), after)
