def format_row(row):
    """One shape-position row as {"messages": [...], "images": [...]} for trl."""
    return {
        "messages": [
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": row["question"]}]},
            {"role": "assistant", "content": [{"type": "text", "text": row["answer"]}]},
        ],
        "images": [row["picture"]],
    }


columns = {"image_key": "picture", "question_key": "question", "answer_key": "answer"}
shape_before = evaluate(model, processor, shapes_test, **columns)
shape_model, _ = load_vlm(MODEL, quantization=QUANTIZATION)
shape_recipe = sft_recipe(
    METHOD,
    output_dir=str(WORK_DIR / "shapes"),
    max_steps=SHAPE_STEPS,
    batch_size=BATCH_SIZE,
    image_splitting=IMAGE_SPLITTING,
    seed=SEED,
)
shape_trainer = finetune(shape_model, processor, [format_row(row) for row in shapes_train], shape_recipe)
shape_after = evaluate(shape_trainer.model, processor, shapes_test, **columns)
print(f"before: {shape_before}\nafter:  {shape_after}")
