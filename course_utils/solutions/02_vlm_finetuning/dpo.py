preference_rows, mistake_share = make_preference_rows(model, processor, dpo_charts)
print(
    tr(
        "{pairs} pairs; the base model was wrong on {share:.0%} of the questions",
        pairs=len(preference_rows),
        share=mistake_share,
    )
)
print(
    tr("example:"),
    preference_rows[0]["prompt"][0]["content"][1]["text"],
    tr("chosen"),
    preference_rows[0]["chosen"][0]["content"][0]["text"],
    tr("rejected"),
    preference_rows[0]["rejected"][0]["content"][0]["text"],
)
dpo_config = DPOConfig(
    output_dir=str(WORK_DIR / "dpo"),
    max_steps=DPO_STEPS,
    per_device_train_batch_size=8,
    learning_rate=dpo_recipe.dpo_learning_rate,  # a LoRA recipe: tiny model 1e-3, a real SmolVLM 1e-5
    lr_scheduler_type="cosine",
    warmup_steps=max(1, DPO_STEPS // 10),
    logging_steps=max(1, DPO_STEPS // 20),
    beta=0.1,
    loss_type=["sigmoid", "sft"],  # DPO's loss plus the SFT loss on the chosen answers (RPO)
    loss_weights=[1.0, DPO_SFT_WEIGHT],
    max_length=None,
    activation_checkpointing=device == "cuda",
    save_strategy="no",
    report_to="none",
    seed=SEED,
    **precision,
)
dpo_trainer = DPOTrainer(
    model=fresh_model(),  # a fresh copy again; with LoRA the reference is this model, adapters off
    args=dpo_config,
    train_dataset=Dataset.from_list(preference_rows),
    processing_class=processor,
    peft_config=LoraConfig(
        r=16, lora_alpha=32, target_modules=lora_config.target_modules, task_type="CAUSAL_LM"
    ),
)
dpo_trainer.train()
print(tr("reward accuracy: {share:.0%}", share=reward_accuracy(dpo_trainer.state.log_history)))
dpo_after = evaluate(dpo_trainer.model, processor, charts["test"])
comparison = {tr("before"): before, f"SFT ({METHOD})": after, "DPO": dpo_after}
