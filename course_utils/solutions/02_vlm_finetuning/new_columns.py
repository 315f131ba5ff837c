def format_row(row):
    """One row of the new dataset as {"messages": [...], "images": [...]} for trl."""
    return {
        "messages": [
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": row["question"]}]},
            {"role": "assistant", "content": [{"type": "text", "text": row["answer"]}]},
        ],
        "images": [row[picture_column]],  # "picture" offline, "image" in VQA-RAD: see `features`
    }


columns = {"image_key": picture_column, "question_key": "question", "answer_key": "answer"}
shape_before = evaluate(model, processor, shapes_test, **columns)
shape_config = SFTConfig(
    output_dir=str(WORK_DIR / "shapes"),
    max_steps=SHAPE_STEPS,
    per_device_train_batch_size=BATCH_SIZE,
    learning_rate=LEARNING_RATE,
    lr_scheduler_type="cosine",
    warmup_steps=max(1, SHAPE_STEPS // 10),
    logging_steps=max(1, SHAPE_STEPS // 30),
    assistant_only_loss=True,
    max_length=None,
    activation_checkpointing=device == "cuda",
    save_strategy="no",
    report_to="none",
    seed=SEED,
    **precision,
)
shape_trainer = SFTTrainer(
    model=fresh_model(),
    args=shape_config,
    train_dataset=Dataset.from_list([format_row(row) for row in shapes_train]),
    processing_class=processor,
    peft_config=None if METHOD == "full" else lora_config,  # the LoraConfig of section 5
)
shape_trainer.train()
shape_after = evaluate(shape_trainer.model, processor, shapes_test, **columns)
print(tr("before"), shape_before, "\n" + tr("after {method}", method=METHOD), shape_after)
