# expect: rows.image_in_message
# Planted wrong answer (tests/test_notebooks.py): the picture inside the message, as when chatting.
def format_row(row):
    return {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image", "image": row["picture"]},
                    {"type": "text", "text": row["question"]},
                ],
            },
            {"role": "assistant", "content": [{"type": "text", "text": row["answer"]}]},
        ],
        "images": [row["picture"]],
    }


columns = {"image_key": "picture", "question_key": "question", "answer_key": "answer"}
shape_before = evaluate(model, processor, shapes_test, **columns)
shape_after = shape_before  # not trained yet
