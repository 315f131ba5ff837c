# expect: sft_charts.no_improvement
# Planted wrong answer (tests/test_notebooks.py): a handful of steps teaches the model nothing yet.
train_rows = format_dataset(charts["train"])
before = evaluate(model, processor, charts["test"])
few_steps = SFTConfig(
    output_dir=str(WORK_DIR / "sft"),
    max_steps=2,
    per_device_train_batch_size=BATCH_SIZE,
    assistant_only_loss=True,
    max_length=None,
    logging_steps=1,
    save_strategy="no",
    report_to="none",
    **precision,
)
sft_trainer = SFTTrainer(
    model=fresh_model(),
    args=few_steps,
    train_dataset=train_rows,
    processing_class=processor,
    peft_config=lora_config,
)
sft_trainer.train()
after = evaluate(sft_trainer.model, processor, charts["test"])
