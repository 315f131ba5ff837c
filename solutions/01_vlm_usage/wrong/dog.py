# expect: dog.contains_prompt
# Planted wrong answer (tests/test_notebooks.py): decodes the whole output, prompt included.
from course_utils.generation import move_to


def answer_all(model, processor, pairs):
    conversations = [build_messages(question, images=image) for image, question in pairs]
    inputs = move_to(prepare_inputs(processor, conversations), model.device, model.dtype)
    output = model.generate(**inputs, max_new_tokens=32, do_sample=False)
    return [text.strip() for text in processor.batch_decode(output, skip_special_tokens=True)]
