preference_rows, mistake_share = make_preference_rows(model, processor, dpo_charts)
print(f"{len(preference_rows)} pairs; the base model was wrong on {mistake_share:.0%} of the questions")
print(
    "example:",
    preference_rows[0]["prompt"][0]["content"][1]["text"],
    "chosen",
    preference_rows[0]["chosen"][0]["content"][0]["text"],
    "rejected",
    preference_rows[0]["rejected"][0]["content"][0]["text"],
)
dpo_model, _ = load_vlm(MODEL, quantization=QUANTIZATION)  # a fresh copy again
config = dpo_config(
    output_dir=str(WORK_DIR / "dpo"), max_steps=DPO_STEPS, sft_weight=DPO_SFT_WEIGHT, batch_size=8, seed=SEED
)
dpo_trainer = train_dpo(dpo_model, processor, preference_rows, config)
print(f"reward accuracy: {reward_accuracy(dpo_trainer.state.log_history):.0%}")
dpo_after = evaluate(dpo_trainer.model, processor, charts["test"])
comparison = {"before": before, f"SFT ({METHOD})": after, "DPO": dpo_after}
