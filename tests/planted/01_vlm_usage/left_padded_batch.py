# expect: left_padded_batch.right_padding
# Planted wrong answer (tests/test_notebooks.py): the batch is padded on the right, as for training.
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
        processor_kwargs={"padding": True, "padding_side": "right"},
    ).to(model.device, dtype=model.dtype)
    output = model.generate(**inputs, max_new_tokens=32, do_sample=False)
    new_tokens = output[:, inputs["input_ids"].shape[1] :]
    return [text.strip() for text in processor.batch_decode(new_tokens, skip_special_tokens=True)]
