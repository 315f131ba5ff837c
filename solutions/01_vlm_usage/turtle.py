messages = [
    {
        "role": "user",
        "content": [
            {"type": "image", "image": picture},
            {"type": "text", "text": "What color is the shape?"},
        ],
    }
]
answer = chat(model, processor, messages)
print(answer)
