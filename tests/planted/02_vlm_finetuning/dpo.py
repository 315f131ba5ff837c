# expect: dpo.chosen_not_answer
# Planted wrong answer (tests/test_notebooks.py): chosen and rejected swapped.
rows, mistake_share = make_preference_rows(model, processor, dpo_charts)
preference_rows = [{**row, "chosen": row["rejected"], "rejected": row["chosen"]} for row in rows]
config = DPOConfig(
    output_dir=str(WORK_DIR / "dpo"),
    max_steps=2,
    per_device_train_batch_size=8,
    max_length=None,
    report_to="none",
    **precision,
)
dpo_trainer = DPOTrainer(
    model=fresh_model(),
    args=config,
    train_dataset=Dataset.from_list(preference_rows),
    processing_class=processor,
    peft_config=lora_config,
)
dpo_trainer.train()
comparison = {"before": before, "SFT": after, "DPO": evaluate(dpo_trainer.model, processor, charts["test"])}
