train_rows = format_dataset(charts["train"])  # the answer is the assistant turn of every row
before = evaluate(model, processor, charts["test"])
sft_model, _ = load_vlm(MODEL, quantization=QUANTIZATION)  # a fresh copy: `model` stays the baseline
sft_trainer = finetune(sft_model, processor, train_rows, recipe)
after = evaluate(sft_trainer.model, processor, charts["test"])
print(f"before: {before}\nafter:  {after}")
