# expect: turtle.bf16_unsupported
# Planted wrong answer (tests/test_notebooks.py): bf16 asked for on hardware without it (a T4, a CPU).
train_rows = format_dataset(charts["train"])
in_bf16 = SFTConfig(
    output_dir=str(WORK_DIR / "sft"),
    max_steps=2,
    per_device_train_batch_size=BATCH_SIZE,
    assistant_only_loss=True,
    max_length=None,
    save_strategy="no",
    report_to="none",
    bf16=True,
    use_cpu=device == "cpu",
)
sft_trainer = SFTTrainer(
    model=fresh_model(),
    args=in_bf16,
    train_dataset=train_rows,
    processing_class=processor,
    peft_config=lora_config,
)
before = evaluate(model, processor, charts["test"])
after = before  # not trained (yet)
