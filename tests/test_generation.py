"""ask / ask_batch / chat plumbing: new tokens only, batching equals one-by-one, and the answers equal
those of transformers' own image-text-to-text pipeline.

All on the random-weight tiny model (`random_tiny`): its text is arbitrary but deterministic, so these
tests compare two code paths and never expect words. What the taught model answers is measured in
tests/test_taught_model.py."""

import pytest
from PIL import Image
from transformers import pipeline

from course_utils.generation import ask, ask_batch, chat, prepare_inputs
from course_utils.images import ImageLoadError
from course_utils.messages import MessageError, assistant_turn, build_messages, user_turn
from course_utils.scenes import make_scene_questions

EXAMPLES = make_scene_questions(8, seed=31337)
# A random model never says <end_of_utterance>, so every answer runs to the limit: 8 tokens keep it quick.
NEW = 8


def test_ask_returns_only_the_new_answer(random_tiny):
    model, processor = random_tiny
    scene, question, _, _ = EXAMPLES[0]
    answer = ask(model, processor, scene.image, question, max_new_tokens=NEW)
    assert answer  # random weights: arbitrary text, but some
    for echoed in ("User", "Assistant", question, "<image>", "<end_of_utterance>"):
        assert echoed not in answer


def test_ask_accepts_a_system_prompt_and_a_path(random_tiny, tmp_path):
    model, processor = random_tiny
    scene, question, _, _ = EXAMPLES[1]
    path = tmp_path / "scene.png"
    scene.image.save(path)
    from_picture = ask(model, processor, scene.image, question, max_new_tokens=NEW)
    from_file = ask(model, processor, path, question, max_new_tokens=NEW)
    assert from_picture and from_file == from_picture  # the file is read like the picture itself
    # With a system turn the answer must be the answer to the conversation with that system turn.
    system = "Answer briefly."
    messages = build_messages(question, images=[scene.image], system=system)
    assert messages[0]["role"] == "system" and system in str(messages[0]["content"])
    assert ask(model, processor, path, question, system=system, max_new_tokens=NEW) == chat(
        model, processor, messages, max_new_tokens=NEW
    )


def test_ask_batch_equals_sequential_ask_in_input_order(random_tiny):
    model, processor = random_tiny
    pairs = [(scene.image, question) for scene, question, _, _ in EXAMPLES]
    # Different prompt lengths (two images, none) force real left padding inside one batch.
    pairs[2] = ([EXAMPLES[2][0].image, EXAMPLES[3][0].image], "What color is the shape?")
    pairs[5] = (None, "What shape is it?")
    sequential = [ask(model, processor, images, question, max_new_tokens=NEW) for images, question in pairs]
    assert all(sequential) and len(set(sequential)) > 1  # not vacuous: real, varied (random) answers
    batched = ask_batch(model, processor, pairs, batch_size=8, progress=False, max_new_tokens=NEW)
    assert batched == sequential
    assert ask_batch(model, processor, pairs, batch_size=3, progress=False, max_new_tokens=NEW) == sequential


def test_batches_are_left_padded(random_tiny):
    _, processor = random_tiny
    short = build_messages("Hi?")
    long = build_messages("What color is the shape in this picture, please?")
    batch = prepare_inputs(processor, [short, long])
    assert batch["attention_mask"][0, 0] == 0 and batch["attention_mask"][0, -1] == 1


def test_chat_answers_a_multi_turn_conversation(random_tiny):
    model, processor = random_tiny
    scene, _, _, _ = EXAMPLES[4]
    messages = [
        user_turn(scene.image, "What shape is it?"),
        assistant_turn(scene.shape),
        user_turn("What color is the shape?"),
    ]
    answer = chat(model, processor, messages, max_new_tokens=NEW)
    assert answer and "Assistant" not in answer and "User" not in answer
    prompt = processor.batch_decode(prepare_inputs(processor, [messages])["input_ids"])[0]
    assert prompt.count("User:") == 2 and f"Assistant: {scene.shape}<end_of_utterance>" in prompt
    assert prompt.endswith("Assistant:")


def test_conversation_must_end_with_a_user_turn(random_tiny):
    model, processor = random_tiny
    with pytest.raises(MessageError, match="last turn must be a user turn"):
        chat(model, processor, [user_turn("Hi"), assistant_turn("Hello")], max_new_tokens=NEW)


def test_bad_image_is_named_before_generation(random_tiny, tmp_path):
    model, processor = random_tiny
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(ImageLoadError, match="broken.png"):
        ask(model, processor, broken, "What is it?", max_new_tokens=NEW)


def test_wrong_message_structure_is_caught_before_generation(random_tiny):
    model, processor = random_tiny
    with pytest.raises(MessageError, match="without an image"):
        chat(model, processor, [{"role": "user", "content": [{"type": "image"}]}], max_new_tokens=NEW)


def test_a_grayscale_image_still_works(random_tiny):
    model, processor = random_tiny
    gray = Image.new("L", (128, 128), 200)
    answer = ask(model, processor, gray, "How many shapes are there?", max_new_tokens=NEW)
    assert isinstance(answer, str) and answer


def test_answers_equal_transformers_own_image_text_to_text_pipeline(random_tiny):
    """The reference: transformers' `pipeline("image-text-to-text")` on the same model and processor,
    greedy, returning only the new text (`return_full_text=False`), which `ask` gives stripped."""
    model, processor = random_tiny
    reference = pipeline("image-text-to-text", model=model, processor=processor)
    examples = make_scene_questions(6, seed=2718)
    expected = []
    for scene, question, _, _ in examples:
        messages = [
            {
                "role": "user",
                "content": [{"type": "image", "image": scene.image}, {"type": "text", "text": question}],
            }
        ]
        output = reference(
            text=messages,
            return_full_text=False,
            generate_kwargs={"max_new_tokens": NEW, "do_sample": False},
        )
        expected.append(output[0]["generated_text"].strip())
    assert all(expected) and len(set(expected)) > 1  # real, varied answers, not one empty string
    pairs = [(scene.image, question) for scene, question, _, _ in examples]
    assert [
        ask(model, processor, image, question, max_new_tokens=NEW) for image, question in pairs
    ] == expected
    assert ask_batch(model, processor, pairs, batch_size=4, progress=False, max_new_tokens=NEW) == expected


@pytest.mark.parametrize("batch_size", [0, -2, 1.5, True])
def test_ask_batch_names_a_batch_size_it_cannot_use(random_tiny, batch_size):
    model, processor = random_tiny
    with pytest.raises(ValueError, match=r"batch_size must be a whole number of questions, at least 1"):
        ask_batch(model, processor, [(EXAMPLES[0][0].image, EXAMPLES[0][1])], batch_size=batch_size)


def test_ask_batch_names_an_item_that_is_not_a_pair(random_tiny):
    model, processor = random_tiny
    pairs = [(EXAMPLES[0][0].image, EXAMPLES[0][1]), EXAMPLES[1][0].image]
    with pytest.raises(TypeError, match=r"pairs\[1\] is a \w+, not an \(images, question\) pair"):
        ask_batch(model, processor, pairs)
