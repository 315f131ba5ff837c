# expect: lion.chosen_not_answer
# Planted wrong answer (tests/test_notebooks.py): chosen and rejected swapped.
rows, mistake_share = make_preference_rows(model, processor, dpo_charts)
preference_rows = [{**row, "chosen": row["rejected"], "rejected": row["chosen"]} for row in rows]
dpo_model, _ = load_vlm(MODEL)
config = dpo_config(output_dir=str(WORK_DIR / "dpo"), max_steps=2, batch_size=8)
dpo_trainer = train_dpo(dpo_model, processor, preference_rows, config)
comparison = {"before": before, "SFT": after, "DPO": evaluate(dpo_trainer.model, processor, charts["test"])}
