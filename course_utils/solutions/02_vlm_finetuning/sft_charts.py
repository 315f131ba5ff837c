train_rows = format_dataset(charts["train"])  # the answer is the assistant turn of every row
val_rows = format_dataset(charts["val"])  # validation: its loss is computed during training, never trained on
before = evaluate(model, processor, charts["test"])
sft_config = SFTConfig(
    output_dir=str(WORK_DIR / "sft"),
    max_steps=STEPS,
    per_device_train_batch_size=BATCH_SIZE,
    learning_rate=LEARNING_RATE,
    lr_scheduler_type="cosine",
    warmup_steps=max(1, STEPS // 10),
    logging_steps=max(1, STEPS // 30),
    eval_strategy="steps",  # the validation loss every `eval_steps`
    eval_steps=max(1, STEPS // 8),
    assistant_only_loss=True,  # labels: the assistant turn only (answer, <end_of_utterance>, newline)
    max_length=None,  # never truncate into the image tokens
    activation_checkpointing=device == "cuda",  # saves GPU memory; on a CPU it only costs time
    save_strategy="no",
    report_to="none",
    seed=SEED,
    **precision,
)
lora = LoraConfig(
    r=32,
    lora_alpha=64,
    lora_dropout=0.0,
    target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    task_type="CAUSAL_LM",
)
sft_trainer = SFTTrainer(
    model=fresh_model(),  # a fresh copy: `model` stays the baseline
    args=sft_config,
    train_dataset=train_rows,
    eval_dataset=val_rows,
    processing_class=processor,
    peft_config=None if METHOD == "full" else lora,  # trl wraps the model with LoRA itself
)
sft_trainer.train()
after = evaluate(sft_trainer.model, processor, charts["test"])
print(tr("before"), before, "\n" + tr("after {method}", method=METHOD), after)
