# expect: turtle.no_improvement
# Planted wrong answer (tests/test_notebooks.py): a handful of steps teaches the model nothing yet.
train_rows = format_dataset(charts["train"])
before = evaluate(model, processor, charts["test"])
sft_model, _ = load_vlm(MODEL, quantization=QUANTIZATION)
few_steps = sft_recipe(METHOD, output_dir=str(WORK_DIR / "sft"), max_steps=2, batch_size=BATCH_SIZE)
sft_trainer = finetune(sft_model, processor, train_rows, few_steps)
after = evaluate(sft_trainer.model, processor, charts["test"])
