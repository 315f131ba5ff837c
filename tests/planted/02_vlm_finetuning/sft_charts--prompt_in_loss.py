# expect: sft_charts.images_in_loss
# Planted wrong answer (tests/test_notebooks.py): trl's default labels, the prompt and its image tokens
# included (no assistant_only_loss).
train_rows = format_dataset(charts["train"])
whole_text = SFTConfig(
    output_dir=str(WORK_DIR / "sft"),
    max_steps=2,
    per_device_train_batch_size=BATCH_SIZE,
    max_length=None,
    logging_steps=1,
    save_strategy="no",
    report_to="none",
    **precision,
)
sft_trainer = SFTTrainer(
    model=fresh_model(),
    args=whole_text,
    train_dataset=train_rows,
    processing_class=processor,
    peft_config=lora_config,
)
sft_trainer.train()
before = evaluate(model, processor, charts["test"])
after = evaluate(sft_trainer.model, processor, charts["test"])
