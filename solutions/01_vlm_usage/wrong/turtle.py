# expect: turtle.ends_with_assistant
# Planted wrong answer (tests/test_notebooks.py): the answer is written into the conversation.
messages = [
    {
        "role": "user",
        "content": [
            {"type": "image", "image": picture},
            {"type": "text", "text": "What color is the shape?"},
        ],
    },
    {"role": "assistant", "content": [{"type": "text", "text": "The shape is"}]},
]
answer = chat(model, processor, messages[:1])
