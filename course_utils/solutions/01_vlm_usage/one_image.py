messages = [
    {
        "role": "user",
        "content": [
            {"type": "image", "image": picture},
            {"type": "text", "text": "What colour is the shape?"},
        ],
    }
]
inputs = processor.apply_chat_template(
    messages, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt"
)
inputs = inputs.to(model.device, dtype=model.dtype)  # pixels take the model's dtype, ids stay integers
with torch.inference_mode():
    output = model.generate(**inputs, max_new_tokens=32, do_sample=False)
new_tokens = output[:, inputs["input_ids"].shape[1] :]  # generate returns prompt + answer
answer = processor.batch_decode(new_tokens, skip_special_tokens=True)[0].strip()
print(answer)
