# expect: rows.missing_answer
# Planted wrong answer (tests/test_notebooks.py): the rows hold the question only, as in a widely
# copied recipe: the model is trained on prompts and learns to repeat them.
train_rows = [
    {
        "messages": [
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": row["query"]}]}
        ],
        "images": [row["image"]],
    }
    for row in charts["train"].select(range(64))
]
before = evaluate(model, processor, charts["test"])
prompts_only = SFTConfig(
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
    args=prompts_only,
    train_dataset=Dataset.from_list(train_rows),
    processing_class=processor,
    peft_config=lora_config,
)
sft_trainer.train()
after = evaluate(sft_trainer.model, processor, charts["test"])
