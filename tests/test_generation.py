"""ask / ask_batch / chat on the embedded model: new tokens only, batching equals one-by-one, and the
answers equal those of transformers' own image-text-to-text pipeline."""

import pytest
from PIL import Image
from transformers import pipeline

from course_utils.generation import DEFAULT_MAX_NEW_TOKENS, ask, ask_batch, chat, prepare_inputs
from course_utils.images import ImageLoadError
from course_utils.messages import MessageError, assistant_turn, build_messages, user_turn
from course_utils.scenes import make_scene_questions

EXAMPLES = make_scene_questions(8, seed=31337)


def test_ask_returns_only_the_new_answer(tiny):
    model, processor = tiny
    scene, question, expected, _ = EXAMPLES[0]
    answer = ask(model, processor, scene.image, question)
    assert answer == expected
    for echoed in ("User", "Assistant", question, "<image>", "<end_of_utterance>"):
        assert echoed not in answer


def test_ask_accepts_a_system_prompt_and_a_path(tiny, tmp_path):
    model, processor = tiny
    scene, question, expected, _ = EXAMPLES[1]
    path = tmp_path / "scene.png"
    scene.image.save(path)
    assert ask(model, processor, path, question) == expected  # the file is read like the picture itself
    # The tiny model was never taught system prompts, so its answer may change; it must be the answer to
    # the conversation with that system turn.
    system = "Answer briefly."
    messages = build_messages(question, images=[scene.image], system=system)
    assert messages[0]["role"] == "system" and system in str(messages[0]["content"])
    assert ask(model, processor, path, question, system=system) == chat(model, processor, messages)


def test_ask_batch_equals_sequential_ask_in_input_order(tiny):
    model, processor = tiny
    pairs = [(scene.image, question) for scene, question, _, _ in EXAMPLES]
    # Different prompt lengths (two images, none) force real left padding inside one batch.
    pairs[2] = ([EXAMPLES[2][0].image, EXAMPLES[3][0].image], "What color is the shape?")
    pairs[5] = (None, "What shape is it?")
    sequential = [ask(model, processor, images, question) for images, question in pairs]
    batched = ask_batch(model, processor, pairs, batch_size=8, progress=False)
    assert batched == sequential
    assert ask_batch(model, processor, pairs, batch_size=3, progress=False) == sequential


def test_batches_are_left_padded(tiny):
    _, processor = tiny
    short = build_messages("Hi?")
    long = build_messages("What color is the shape in this picture, please?")
    batch = prepare_inputs(processor, [short, long])
    assert batch["attention_mask"][0, 0] == 0 and batch["attention_mask"][0, -1] == 1


def test_chat_answers_a_multi_turn_conversation(tiny):
    model, processor = tiny
    scene, _, _, _ = EXAMPLES[4]
    messages = [
        user_turn(scene.image, "What shape is it?"),
        assistant_turn(scene.shape),
        user_turn("What color is the shape?"),
    ]
    answer = chat(model, processor, messages)
    assert answer and "Assistant" not in answer and "User" not in answer
    prompt = processor.batch_decode(prepare_inputs(processor, [messages])["input_ids"])[0]
    assert prompt.count("User:") == 2 and f"Assistant: {scene.shape}<end_of_utterance>" in prompt
    assert prompt.endswith("Assistant:")


def test_conversation_must_end_with_a_user_turn(tiny):
    model, processor = tiny
    with pytest.raises(MessageError, match="last turn must be a user turn"):
        chat(model, processor, [user_turn("Hi"), assistant_turn("Hello")])


def test_bad_image_is_named_before_generation(tiny, tmp_path):
    model, processor = tiny
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(ImageLoadError, match="broken.png"):
        ask(model, processor, broken, "What is it?")


def test_wrong_message_structure_is_caught_before_generation(tiny):
    model, processor = tiny
    with pytest.raises(MessageError, match="without an image"):
        chat(model, processor, [{"role": "user", "content": [{"type": "image"}]}])


def test_a_grayscale_image_still_works(tiny):
    model, processor = tiny
    answer = ask(model, processor, Image.new("L", (128, 128), 200), "How many shapes are there?")
    assert isinstance(answer, str) and answer


def test_answers_equal_transformers_own_image_text_to_text_pipeline(tiny):
    """The reference: transformers' `pipeline("image-text-to-text")` on the same model and processor,
    greedy, returning only the new text (`return_full_text=False`), which `ask` gives stripped."""
    model, processor = tiny
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
            generate_kwargs={"max_new_tokens": DEFAULT_MAX_NEW_TOKENS, "do_sample": False},
        )
        expected.append(output[0]["generated_text"].strip())
    assert all(expected) and len(set(expected)) > 1  # real, varied answers, not one empty string
    pairs = [(scene.image, question) for scene, question, _, _ in examples]
    assert [ask(model, processor, image, question) for image, question in pairs] == expected
    assert ask_batch(model, processor, pairs, batch_size=4, progress=False) == expected


@pytest.mark.parametrize("batch_size", [0, -2, 1.5, True])
def test_ask_batch_names_a_batch_size_it_cannot_use(tiny, batch_size):
    model, processor = tiny
    with pytest.raises(ValueError, match=r"batch_size must be a whole number of questions, at least 1"):
        ask_batch(model, processor, [(EXAMPLES[0][0].image, EXAMPLES[0][1])], batch_size=batch_size)


def test_ask_batch_names_an_item_that_is_not_a_pair(tiny):
    model, processor = tiny
    pairs = [(EXAMPLES[0][0].image, EXAMPLES[0][1]), EXAMPLES[1][0].image]
    with pytest.raises(TypeError, match=r"pairs\[1\] is a \w+, not an \(images, question\) pair"):
        ask_batch(model, processor, pairs)
