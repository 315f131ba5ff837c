# expect: left_padded_batch.contains_prompt
# Planted wrong answer (tests/test_notebooks.py): decodes the whole output, prompt included.
def answer_all(model, processor, pairs):
    conversations = [
        [{"role": "user", "content": [{"type": "image", "image": image}, {"type": "text", "text": question}]}]
        for image, question in pairs
    ]
    inputs = processor.apply_chat_template(
        conversations,
        add_generation_prompt=True,
        tokenize=True,
        return_dict=True,
        return_tensors="pt",
        processor_kwargs={"padding": True, "padding_side": "left"},
    ).to(model.device, dtype=model.dtype)
    output = model.generate(**inputs, max_new_tokens=32, do_sample=False)
    return [text.strip() for text in processor.batch_decode(output, skip_special_tokens=True)]
