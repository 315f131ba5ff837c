# expect: one_image.prompt_not_cut
# Planted wrong answer (tests/test_notebooks.py): decodes the whole output, the prompt included.
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
answer = processor.batch_decode(output, skip_special_tokens=True)[0].strip()
