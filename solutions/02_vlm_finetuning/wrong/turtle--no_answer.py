# expect: rows.missing_answer
# Planted wrong answer (tests/test_notebooks.py): the rows hold the question only, as in a widely
# copied recipe: the model would learn to repeat prompts.
train_rows = [
    {
        "messages": [
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": row["query"]}]}
        ],
        "images": [row["image"]],
    }
    for row in charts["train"].select(range(64))
]
sft_trainer = before = after = None
