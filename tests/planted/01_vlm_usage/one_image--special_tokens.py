# expect: one_image.special_tokens
# Planted wrong answer (tests/test_notebooks.py): decoded without skip_special_tokens.
messages = [
    {
        "role": "user",
        "content": [
            {"type": "image", "image": picture},
            {"type": "text", "text": "What color is the shape?"},
        ],
    }
]
inputs = processor.apply_chat_template(
    messages, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt"
).to(model.device, dtype=model.dtype)
output = model.generate(**inputs, max_new_tokens=32, do_sample=False)
answer = processor.batch_decode(output[:, inputs["input_ids"].shape[1] :])[0].strip()
