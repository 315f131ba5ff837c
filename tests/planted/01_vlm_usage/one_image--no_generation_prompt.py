# expect: one_image.no_generation_prompt
# Planted wrong answer (tests/test_notebooks.py): the prompt does not end in `Assistant:`.
messages = [
    {
        "role": "user",
        "content": [
            {"type": "image", "image": picture},
            {"type": "text", "text": "What color is the shape?"},
        ],
    }
]
inputs = processor.apply_chat_template(messages, tokenize=True, return_dict=True, return_tensors="pt")
inputs = inputs.to(model.device, dtype=model.dtype)
output = model.generate(**inputs, max_new_tokens=32, do_sample=False)
answer = processor.batch_decode(output[:, inputs["input_ids"].shape[1] :], skip_special_tokens=True)[
    0
].strip()
