"""What the embedded tiny SmolVLM is taught when it is built, before any lesson touches it.

Lesson 1's scenes (colour, shape, count), the order of colours in a video, and visual primitives
that lesson 2's fine-tuning later adapts to new tasks and formats: every bar height read out as a
digit, left to right or sorted, and whether a shape sits left or right, at the top or the bottom.
The lesson tasks are never taught: asked for one value or the number of bars, the model recites a
whole list, or answers in words as it does about scenes. The last phase asks lesson 1's scene and
video questions in many wordings (both spellings of colour, paraphrases), as a learner types them.
"""

from __future__ import annotations

import random
import re

import torch

from course_utils.generation import encode_conversations
from course_utils.scenes import COLORS, QUESTION_TEMPLATES, SHAPES, make_scene
from course_utils.synthetic_data import (
    MAX_BARS,
    MAX_VALUE,
    MIN_BARS,
    MIN_VALUE,
    QUADRANTS,
    draw_bar_chart,
    draw_shape_in_quadrant,
)
from course_utils.training import mask_prompt_labels
from course_utils.video import SampledVideo
from course_utils.video_synth import COLOUR_NAMES, draw_frame, random_colours

CHART_DESCRIBE_QUESTIONS = ("Describe the chart.", "Read the bars from left to right.")
CHART_SORT_QUESTIONS = {
    "tallest": (
        "List the bar heights from tallest to shortest.",
        "Sort the bars, tallest first.",
        "List the values from highest to lowest.",
        "Sort the values, largest first.",
    ),
    "shortest": (
        "List the bar heights from shortest to tallest.",
        "Sort the bars, shortest first.",
        "List the values from lowest to highest.",
        "Sort the values, smallest first.",
    ),
}
SIDE_QUESTIONS = {
    "horizontal": (
        "Is the {shape} on the left or on the right?",
        "Left or right?",
    ),
    "vertical": (
        "Is the {shape} at the top or at the bottom?",
        "Top or bottom?",
    ),
}
VIDEO_ORDER_QUESTIONS = {
    "first": ("Which colour comes first?", "What colour is shown first?"),
    "last": ("Which colour comes last?", "What colour is shown last?"),
}


def expand(template: str) -> list[str]:
    """Every wording of a `template` with (nested) `{a|b}` alternatives: "{What|Which} one?" -> 2."""
    group = re.search(r"\{([^{}]*)\}", template)
    if group is None:
        return [template]
    before, after = template[: group.start()], template[group.end() :]
    return [text for option in group.group(1).split("|") for text in expand(before + option + after)]


def as_typed(questions) -> tuple[str, ...]:
    """Each question as a learner may type it: as written or in lower case, with or without its final
    "?" or "."; in a fixed order, without duplicates."""
    typed = {}
    for question in questions:
        for text in (question, question[:1].lower() + question[1:], question.lower()):
            typed[text] = typed[text.rstrip("?.")] = None
    return tuple(typed)


_C = "{color|colour}"
_PIC = "{picture|image|photo|scene}"
_HERE = f"{{| here| in the {_PIC}| in this {_PIC}}}"  # where a learner may add, in any question
_THINGS = "{shapes|objects|figures|things|items}"
# The paraphrases of lesson 1's scene and video questions taught in the last phase (TEACH_PHASES), so
# that the model answers what a learner types, not only the lesson's strings. Lesson 2's tasks stay
# new to it: no bars, no values, no corners ("where"), counts in words as before.
SCENE_PARAPHRASES = {
    kind: as_typed(question for template in templates for question in expand(template))
    for kind, templates in {
        "color": (
            f"{{What|Which}} {_C} is the {{shape|object|figure|thing|item}}{_HERE}?",
            f"{{What|Which}} {_C} are the {_THINGS}{_HERE}?",
            f"{{What|Which}} {_C} {{is it|are they|is this|are these|is shown|do you see}}{_HERE}?",
            f"{{What is|What's}} the {_C} of the {{shape|{_THINGS}}}{_HERE}?",
            f"{{What is|What's}} the {_C}{_HERE}?",
            f"{{|Please }}{{tell me|name|give me|say}} the {_C}{_HERE}.",
            f"{{|Please }}{{tell me|name}} the {_C} of the {{shape|{_THINGS}}}.",
            f"Could you tell me the {_C} of the {{shape|shapes}}?",
            "{Color|Colour} of the {shape|shapes}?",
            "{Color|Colour}?",
            f"{{Which|What}} {_C}?",
        ),
        "shape": (
            f"{{What|Which}} shape {{is it|is this|is shown|do you see|can you see|is there}}{_HERE}?",
            f"{{What|Which}} shape {{are they|are these|are the objects|are the figures}}{_HERE}?",
            f"{{What|Which}} {{kind|type|sort}} of shape {{is it|is this|is shown|do you see}}{_HERE}?",
            f"{{What|Which}} shapes {{are there|are shown|do you see|can you see}}{_HERE}?",
            f"{{What is|What's}} the shape{{| of the objects}}{_HERE}?",
            f"{{|Please }}{{tell me|name|give me|say}} the shape{_HERE}.",
            "Could you tell me the shape?",
            "Is it a circle, a square or a triangle?",
            "Circle, square or triangle?",
            "Shape?",
        ),
        "count": (
            f"How many {_THINGS} {{are there|do you see|can you see|are shown}}{_HERE}?",
            f"How many {_THINGS} are{{ in the {_PIC}| in this {_PIC}}}?",
            f"How many {{are there|do you see|can you see|are shown}}{_HERE}?",
            f"{{|Please }}count the {_THINGS}{_HERE}.",
            f"Number of {_THINGS}{_HERE}?",
            f"{{What is|What's}} the number of {_THINGS}{_HERE}?",
            f"{{|Please }}{{tell me|give me}} the number of {_THINGS}{_HERE}.",
            f"{{Tell me|Say}} how many {_THINGS} there are{_HERE}.",
            "Could you count the shapes?",
            "How many?",
            "Count them.",
        ),
        "describe": (
            f"Describe the {_PIC}.",
            f"{{|Please }}describe {{it|this|what you see|what is shown}}{_HERE}.",
            f"{{What is|What's}} {{in|shown in|on}} the {_PIC}?",
            f"{{What is|What's}} shown{_HERE}?",
            f"What {{do you see|can you see|is there}}{_HERE}?",
            f"What does the {_PIC} show?",
            f"Tell me what you see{_HERE}.",
            f"{{Give me|Write}} a description of the {_PIC}.",
            f"Caption the {_PIC}.",
            f"Could you describe the {_PIC}?",
        ),
    }.items()
}
_VIDEO = "{| in the video| in the clip| of the video}"
_FIRST = "{first|at the start|at the beginning}"
_LAST = "{last|at the end}"
VIDEO_ORDER_PARAPHRASES = {
    which: as_typed(question for template in templates for question in expand(template))
    for which, templates in {
        "first": (
            f"{{Which|What}} {_C} {{comes|appears|is shown|do you see|is seen}} {_FIRST}{_VIDEO}?",
            f"{{What is|What's}} the {{first|starting|opening}} {_C}{_VIDEO}?",
            f"{{Which|What}} {_C} does the {{video|clip}} {{start|begin}} with?",
            f"{{Which|What}} {_C} is the first frame{_VIDEO}?",
            f"{{Tell me|Name}} the first {_C}{_VIDEO}.",
            f"First {_C}?",
        ),
        "last": (
            f"{{Which|What}} {_C} {{comes|appears|is shown|do you see|is seen}} {_LAST}{_VIDEO}?",
            f"{{What is|What's}} the {{last|final|ending}} {_C}{_VIDEO}?",
            f"{{Which|What}} {_C} does the {{video|clip}} end with?",
            f"{{Which|What}} {_C} is the last frame{_VIDEO}?",
            f"{{Tell me|Name}} the last {_C}{_VIDEO}.",
            f"Last {_C}?",
        ),
    }.items()
}
# The last phase asks the lesson's own questions a third of the time, so that they are not forgotten.
BROAD_SCENE_QUESTIONS = {
    kind: (*QUESTION_TEMPLATES[kind],) * (len(SCENE_PARAPHRASES[kind]) // (2 * len(QUESTION_TEMPLATES[kind])))
    + SCENE_PARAPHRASES[kind]
    for kind in QUESTION_TEMPLATES
}
BROAD_VIDEO_QUESTIONS = {
    which: (*VIDEO_ORDER_QUESTIONS[which],)
    * (len(VIDEO_ORDER_PARAPHRASES[which]) // (2 * len(VIDEO_ORDER_QUESTIONS[which])))
    + VIDEO_ORDER_PARAPHRASES[which]
    for which in VIDEO_ORDER_QUESTIONS
}
VIDEO_FRAME_SIZE = (64, 48)
VIDEO_SECONDS = (4, 8)  # shortest and longest teaching clip, one frame per second


def conversation(media_parts: list[dict], question: str, answer: str) -> list[dict]:
    """A user turn (pictures or a video, then the question) and the assistant's answer."""
    return [
        {"role": "user", "content": [*media_parts, {"type": "text", "text": question}]},
        {"role": "assistant", "content": [{"type": "text", "text": answer}]},
    ]


def scene_example(rng: random.Random, questions: dict = QUESTION_TEMPLATES) -> list[dict]:
    """Lesson 1's skill: colour, shape, count or a description of a synthetic scene."""
    scene = make_scene(rng)
    kind = rng.choice(sorted(questions))
    question = rng.choice(questions[kind])
    return conversation([{"type": "image", "image": scene.image}], question, scene.answer(kind))


def list_heights(values) -> str:
    """Bar heights as digits, in the given order: (2, 3, 1) -> "2, 3, 1"."""
    return ", ".join(str(value) for value in values)


def describe_bars(values) -> str:
    """The bar heights left to right: (2, 3, 1) -> "bars: 2, 3, 1"."""
    return "bars: " + list_heights(values)


def _random_chart(rng: random.Random):
    count = rng.randint(MIN_BARS, MAX_BARS)
    colors = rng.sample(sorted(COLORS), count)
    values = [rng.randint(MIN_VALUE, MAX_VALUE) for _ in range(count)]
    return draw_bar_chart(colors, values), values


def chart_description_example(rng: random.Random) -> list[dict]:
    """A primitive for chart questions: read every bar's height, left to right."""
    image, values = _random_chart(rng)
    question = rng.choice(CHART_DESCRIBE_QUESTIONS)
    return conversation([{"type": "image", "image": image}], question, describe_bars(values))


def chart_sorting_example(rng: random.Random) -> list[dict]:
    """A primitive for chart questions: the bar heights, sorted by height."""
    image, values = _random_chart(rng)
    order = rng.choice(sorted(CHART_SORT_QUESTIONS))
    ranked = sorted(values, reverse=order == "tallest")
    question = rng.choice(CHART_SORT_QUESTIONS[order])
    return conversation([{"type": "image", "image": image}], question, list_heights(ranked))


def side_example(rng: random.Random) -> list[dict]:
    """A primitive for positions: left or right, or top or bottom, never both at once."""
    color, shape, quadrant = rng.choice(sorted(COLORS)), rng.choice(SHAPES), rng.choice(QUADRANTS)
    image = draw_shape_in_quadrant(rng, color, shape, quadrant)
    axis = rng.choice(sorted(SIDE_QUESTIONS))
    vertical, horizontal = quadrant.split()
    answer = horizontal if axis == "horizontal" else vertical
    question = rng.choice(SIDE_QUESTIONS[axis]).format(shape=shape)
    return conversation([{"type": "image", "image": image}], question, answer)


def synthetic_clip(rng: random.Random) -> tuple[SampledVideo, list[str]]:
    """One frame per second of a random-colour synthetic video, and the colour of each frame."""
    seconds = rng.randint(*VIDEO_SECONDS)
    colours = random_colours(seconds, seed=rng.randrange(2**31))
    frames = [draw_frame(second, second * 10, VIDEO_FRAME_SIZE, colours) for second in range(seconds)]
    width, height = VIDEO_FRAME_SIZE
    clip = SampledVideo(
        frames=frames,
        timestamps=[float(second) for second in range(seconds)],
        duration=float(seconds),
        native_fps=10.0,
        frame_count=seconds * 10,
        width=width,
        height=height,
        source="synthetic",
    )
    return clip, [COLOUR_NAMES[colour] for colour in colours]


def video_order_example(rng: random.Random, questions: dict = VIDEO_ORDER_QUESTIONS) -> list[dict]:
    """Lesson 1's video skill: which colour a synthetic video shows first or last."""
    clip, names = synthetic_clip(rng)
    which = rng.choice(sorted(questions))
    answer = names[0] if which == "first" else names[-1]
    question = rng.choice(questions[which])
    return conversation([{"type": "video", "video": clip}], question, answer)


IMAGE_TASKS = {
    "scene": scene_example,
    "chart": chart_description_example,
    "sorted_chart": chart_sorting_example,
    "side": side_example,
}
# How many of every 6 pictures in a teaching batch come from each task (scenes are the hardest).
TASK_SHARES = {"scene": 2, "chart": 1, "sorted_chart": 2, "side": 1}
# The paraphrase phase asks more scene questions (of every 8 pictures), and keeps rehearsing the rest.
PARAPHRASE_TASK_SHARES = {"scene": 4, "chart": 1, "sorted_chart": 2, "side": 1}


def collate_conversations(processor, conversations: list[list[dict]], **images_kwargs) -> dict:
    """A right-padded training batch whose labels keep only the assistant answers.

    `images_kwargs` go to the image processor, e.g. `do_image_splitting=False`.
    """
    batch = encode_conversations(
        processor, conversations, add_generation_prompt=False, padding_side="right", **images_kwargs
    )
    batch["labels"] = mask_prompt_labels(batch["input_ids"], batch["attention_mask"], processor.tokenizer)
    return batch


def broad_scene_example(rng: random.Random) -> list[dict]:
    """A scene question worded as a learner may type it (or as the lesson does, a third of the time)."""
    return scene_example(rng, BROAD_SCENE_QUESTIONS)


def teaching_batches(step: int, seed: int, processors: dict, batch_size: int, paraphrases: bool = False):
    """The batches of one teaching step: mixed picture questions, then a batch of videos.

    Pictures alternate between image splitting on (lesson 1's default) and off (lesson 2's token
    budget); videos alternate between SmolVLM v1's timestamped frames (split or one view each) and
    SmolVLM2's video input. `paraphrases` words scene and video questions as a learner may type them.
    """
    rng = random.Random(seed * 1_000_003 + step)
    shares = PARAPHRASE_TASK_SHARES if paraphrases else TASK_SHARES
    tasks = [task for task, share in sorted(shares.items()) for _ in range(share)]
    image_tasks = {**IMAGE_TASKS, "scene": broad_scene_example} if paraphrases else IMAGE_TASKS
    video_questions = BROAD_VIDEO_QUESTIONS if paraphrases else VIDEO_ORDER_QUESTIONS
    pictures = [image_tasks[tasks[index % len(tasks)]](rng) for index in range(batch_size)]
    yield collate_conversations(processors["idefics3"], pictures, do_image_splitting=step % 2 == 0)
    # Split frames cost five tiles each: that format comes every 8th step only, with fewer clips.
    split_frames = step % 8 == 1
    clips = [
        video_order_example(rng, video_questions) for _ in range(batch_size // (8 if split_frames else 4))
    ]
    kind = "idefics3" if step % 4 in (0, 1) else "smolvlm"
    yield collate_conversations(processors[kind], clips, do_image_splitting=split_frames)


def teach(
    model,
    processors: dict,
    steps: int,
    learning_rate: float,
    seed: int = 0,
    batch_size: int = 24,
    log_every: int = 50,
    paraphrases: bool = False,
):
    """Train the whole tiny model on fresh examples of every taught skill (a plain torch loop)."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=learning_rate, total_steps=max(steps, 1), pct_start=0.1
    )
    model.train()
    for step in range(steps):
        losses = []
        for batch in teaching_batches(step, seed, processors, batch_size, paraphrases):
            loss = model(**batch).loss
            loss.backward()
            losses.append(loss.item())
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        if log_every and (step % log_every == 0 or step == steps - 1):
            shown = " ".join(f"{value:.3f}" for value in losses)
            print(f"  step {step:4d}/{steps}  losses {shown}", flush=True)
    model.eval()
    return model
