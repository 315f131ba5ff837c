# expect: sft_charts.truncates_images
# Planted wrong answer (tests/test_notebooks.py): max_length shorter than a row with its image tokens
# (training would stop with "Image features and image tokens do not match").
train_rows = format_dataset(charts["train"])
truncating = SFTConfig(
    output_dir=str(WORK_DIR / "sft"),
    max_steps=2,
    per_device_train_batch_size=BATCH_SIZE,
    assistant_only_loss=True,
    max_length=16,
    save_strategy="no",
    report_to="none",
    **precision,
)
sft_trainer = SFTTrainer(
    model=fresh_model(),
    args=truncating,
    train_dataset=train_rows,
    processing_class=processor,
    peft_config=lora_config,
)
before = evaluate(model, processor, charts["test"])
after = before  # not trained (yet)
