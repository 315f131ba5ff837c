import time


def answer_all(model, processor, pairs):
    """Answers to (image, question) pairs: one left-padded batch, new tokens only, in input order."""
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
        processor_kwargs={"padding": True, "padding_side": "left"},  # every row ends with its last token
    ).to(model.device, dtype=model.dtype)
    with torch.inference_mode():
        output = model.generate(**inputs, max_new_tokens=32, do_sample=False)
    new_tokens = output[:, inputs["input_ids"].shape[1] :]
    return [text.strip() for text in processor.batch_decode(new_tokens, skip_special_tokens=True)]


started = time.perf_counter()
batched = answer_all(model, processor, batch_pairs)
batch_seconds = time.perf_counter() - started
started = time.perf_counter()
one_by_one = [ask(model, processor, image, question) for image, question in batch_pairs]
single_seconds = time.perf_counter() - started
print(tr("one batch: {batch:.2f} s, one by one: {single:.2f} s", batch=batch_seconds, single=single_seconds))
print(tr("same answers:"), batched == one_by_one)
