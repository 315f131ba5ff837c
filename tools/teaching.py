"""What the embedded tiny SmolVLM is taught when it is built, before any lesson touches it.

Lesson 1's scenes (colour, shape, count), the order of colours in a video, and visual primitives
that lesson 2's fine-tuning later adapts to new tasks and formats: every bar height read out as a
digit, left to right or sorted, and whether a shape sits left or right, at the top or the bottom.
The lesson tasks are never taught: asked for one value or the number of bars, the model recites a
whole list, or answers in words as it does about scenes. The last two phases ask lesson 1's scene
and video questions in many wordings (both spellings of colour, paraphrases, indirect questions,
synonyms), as a learner types them.

Lesson 3 (GRPO) starts from a copy taught one more thing: the answers of lesson 2's quick chart
questions, given as one number only some of the time (`hedged_chart_example`).
"""

from __future__ import annotations

import random
import re

import torch

from course_utils.generation import encode_conversations
from course_utils.masking import mask_prompt_labels
from course_utils.scenes import COLORS, QUESTION_TEMPLATES, SHAPES, make_scene
from course_utils.synthetic_data import (
    MAX_BARS,
    MAX_VALUE,
    MIN_BARS,
    MIN_VALUE,
    QUADRANTS,
    QUICK_CHART_KINDS,
    draw_bar_chart,
    draw_shape_in_quadrant,
    random_chart_question,
)
from course_utils.video import SampledVideo
from course_utils.video_synth import COLOR_NAMES, draw_frame, random_colors

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
# The paraphrases of lesson 1's scene and video questions taught in the last phases (TEACH_PHASES), so
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


def pick(template: str, rng: random.Random) -> str:
    """One random wording of a `template` with (nested) `{a|b}` alternatives (see `expand`)."""
    while (group := re.search(r"\{([^{}]*)\}", template)) is not None:
        template = template[: group.start()] + rng.choice(group.group(1).split("|")) + template[group.end() :]
    return template


_P = "{picture|image|photo|scene|drawing|pic}"
_ONE = "{shape|object|figure|thing|item}"
_MANY = "{shapes|objects|figures|things|items|elements}"
_AT = f"{{| here| in the {_P}| in this {_P}| on the {_P}| in it}}"
_SEEN = "{shown|drawn|visible|pictured|depicted|there}"
_SHAPE_LISTS = tuple(
    " or ".join([", ".join(order[:2]), order[2]])
    for order in (
        ("{a circle|circle}", "{a square|square}", "{a triangle|triangle}"),
        ("{a square|square}", "{a triangle|triangle}", "{a circle|circle}"),
        ("{a triangle|triangle}", "{a circle|circle}", "{a square|square}"),
        ("{a circle|circle}", "{a triangle|triangle}", "{a square|square}"),
    )
)
_PLURAL_LISTS = (
    "circles, squares or triangles",
    "squares, triangles or circles",
    "triangles, circles or squares",
)
_HUE = "{color|colour|hue|shade|tint}"
# Openings of indirect questions ("Could you please tell me what colour the shapes are").
_ASK = (
    "{I'd like to know|I want to know|Do you know|Would you mind telling me|Can you tell me|Could you tell me"
    "|Could you please tell me|Please tell me|Tell me|I wonder}"
)
# Question grammars for half of the last teaching phase's scene and video questions: each call of
# `composed_question` picks one wording at random, so the phase meets far more wordings than it could
# enumerate (both spellings of colour, indirect questions, synonyms, fragments, polite or casual
# additions). Lesson 2's tasks stay new: no bars, no values, no corners.
COMPOSED_SCENE_GRAMMAR = {
    "color": (
        f"{{What|Which}} {_C} {{is|are}} {{the|these|those|all the|each of the}} {{{_ONE}|{_MANY}}}{_AT}",
        f"{{What|Which}} {_C} {{is it|are they|is this|are these|is shown|do you see|can you see"
        f"|can be seen|appears|is used|are they painted|are they drawn in|do the {_MANY} have"
        f"|does the {_ONE} have}}{_AT}",
        f"{{What is|What's|Whats}} the {_C}{{| of the {_ONE}| of the {_MANY}| of these {_MANY}| of it"
        f"| of them}}{_AT}",
        f"{{Tell me|Name|Give me|Say|Identify|State}} the {_C}{{| of the {_MANY}| of the {_ONE}"
        f"| you see}}{_AT}",
        f"{{Tell me|Say}} {{what|which}} {_C} the {_MANY} are",
        f"{{Can|Could}} you tell me {{the {_C}|what {_C} the {_MANY} are|what {_C} it is}}",
        f"Do you know the {_C}{{| of the {_MANY}}}",
        f"{{In|Of}} {{what|which}} {_C} {{is|are}} the {{{_ONE}|{_MANY}}}",
        f"{{The|Its|Their}} {_C}",
        f"{{{_C}|{_C} of the {_MANY}|{_C} of the {_ONE}|What {_C}|Which {_C}}}",
        f"{_ASK} {{what|which}} {_C} {{the {_MANY} are|the {_ONE} is|it is|they are|these {_MANY} are}}{_AT}",
        f"{_ASK} the {_C} of the {{{_MANY}|{_ONE}}}{_AT}",
        f"{{What|Which}} {{{_C}|hue|shade|tint}} {{do|does}} {{all the {_MANY}|the {_MANY}"
        f"|the {_ONE}}} {{share|have}}",
        f"{{The|These}} {_MANY} are {{what|which}} {_C}",
        f"{{What|Which}} {_HUE} {{is|are}} {{the {_MANY}|the {_ONE}|they|it|these {_MANY}}}{{| painted in"
        f"| drawn in}}{_AT}",
        f"{{Tell me|Name|Report|State|Give me}} the {_HUE} of the {{{_MANY}|{_ONE}}}",
        f"{_ASK} {{what|which}} {_HUE} the {_MANY} are",
        f"{_HUE} of {{{_MANY}|the {_MANY}|{_ONE}}}",
    ),
    "shape": (
        f"{{What|Which}} {{shape|kind of shape|type of shape|sort of shape|form}} {{is it|is this|is that"
        f"|is shown|is drawn|do you see|can you see|is there|appears|is visible|can be seen}}{_AT}",
        f"{{What|Which}} shapes {{are these|are those|are they|are there|are shown|are drawn|do you see"
        f"|can you see|appear}}{_AT}",
        f"{{What|Which}} {{kind|type|sort}} of {{{_MANY}|{_ONE}}} {{is it|are they|are these|are there"
        f"|are shown|are drawn|do you see}}{_AT}",
        f"{{What is|What's|Whats}} the shape{{| of the {_MANY}| of the {_ONE}| of these {_MANY}"
        f"| of each {_ONE}| called}}{_AT}",
        f"{{What|Which}} shape {{is each {_ONE}|does the {_ONE} have|do the {_MANY} have"
        f"|are the {_MANY}}}{_AT}",
        f"{{Tell me|Name|Give me|Say|Identify}} the shape{{| of the {_MANY}| you see| of the {_ONE}}}{_AT}",
        f"{{Can|Could}} you tell me {{the shape|what shape it is|what shape the {_MANY} are}}",
        f"{{Is it|Is this|Is that}} {{{'|'.join(_SHAPE_LISTS)}}}",
        f"{{Are they|Are these|Are the {_MANY}|Do you see}} {{{'|'.join(_PLURAL_LISTS)}}}",
        f"{{{'|'.join(_SHAPE_LISTS)}|{'|'.join(_PLURAL_LISTS)}}}",
        f"{{Shape|Shape of the {_MANY}|What shape|Which shape|The shape|Kind of shape}}",
        f"{_ASK} {{what|which}} {{shape|kind of shape|type of shape|form}} {{the {_MANY} are"
        f"|the {_ONE} is|it is|they are|these {_MANY} are|is shown|appears}}{_AT}",
        f"{{What|Which}} geometric {{shape|shapes|figure|figures|form|forms}} {{is it|are they|is shown"
        f"|are shown|is drawn|are drawn|appears|appear|do you see|does the {_P} show}}{_AT}",
        f"{{What|Which}} {{kind|type|sort}} of {{{_MANY}|{_ONE}}} {{does the {_P} {{contain|show|have}}"
        f"|can you see|is depicted|are depicted}}",
        f"What {{form|shape}} {{do|does}} {{the {_MANY}|the {_ONE}|they|it}} {{take|have}}{_AT}",
        f"{{Are|Is}} {{the {_MANY}|they|it|the {_ONE}}} {{round, square or triangular"
        f"|square, triangular or round|triangular, round or square|round, triangular or square}}",
        f"{{Are we looking at|Do I see|Are there}} {{{'|'.join(_PLURAL_LISTS)}}}",
        f"{{What|Which}} {{outline|outlines|geometry|form}} {{do|does}} {{the {_MANY}|the {_ONE}|they"
        f"|it}} have{_AT}",
        f"{{What is|What's}} the {{outline|geometry|form}} of {{the {_MANY}|the {_ONE}|each {_ONE}|them}}",
        f"{{Tell me|Name|Report|State|Identify}} the {{outline|geometry|form"
        f"|type of geometry}} of the {_MANY}",
        f"{{shape|shape of {_MANY}|shape type|type of shape}}",
    ),
    "count": (
        f"How many {{{_MANY}|}} {{are there|do you see|can you see|are shown|are drawn|are visible|appear"
        f"|can be seen|can you count|are in it}}{_AT}{{| in total| altogether}}",
        f"How many {_MANY} {{does the {_P} {{have|show|contain}}|does it show|are in the {_P}|are {_SEEN}}}",
        f"{{Count|Please count|Can you count|Could you count}} the {_MANY}{_AT}",
        f"Count {{how many {_MANY} there are|them|the number of {_MANY}|the {_MANY} you see}}{_AT}",
        f"{{What is|What's|Whats}} the {{number|count|total|amount}} of {_MANY}{_AT}",
        f"{{Number|Count|Total number}} of {_MANY}{_AT}",
        f"{{Tell me|Give me|Say}} {{the number of {_MANY}|how many {_MANY} there are"
        f"|how many {_MANY} you see}}{_AT}",
        f"{{Can|Could}} you tell me how many {_MANY} there are",
        "{How many|Count|Number|How many in total|Total}",
        f"{_ASK} how many {_MANY} {{there are|the {_P} {{has|shows|contains}}|you see|are {_SEEN}}}{_AT}",
        f"{_ASK} the {{number|count|total number|amount}} of {_MANY}{_AT}",
        f"How many {_MANY} {{does the {_P} {{display|depict|hold}}|can you spot|are {{displayed|depicted}}}}",
        f"{{Quantity|Amount|Total|Count}} of {_MANY}",
        "{What is|What's|Tell me|Report|Give me} the {shape|object|item|figure} {count|total|number}",
        f"{{Report|State|Give}} the {{count|number|total}} of {_MANY}",
        f"How many {_MANY} {{are in|are on|are there in}} {{{_P}|the {_P}|this {_P}|the white background}}",
    ),
    "describe": (
        f"Describe {{the {_P}|this {_P}|what you see|what is shown|it|this|the {_MANY}}}{{| for me}}"
        "{| briefly| in a few words| in one sentence| shortly}",
        f"{{Can|Could|Would}} you describe {{the {_P}|this {_P}|what you see|it}}{{| for me}}",
        "{What is|What's|Whats} {in|shown in|on|going on in|happening in|depicted in|drawn in"
        f"|visible in}} {{the|this}} {_P}",
        f"What {{does|do}} {{the|this}} {_P} {{show|contain|depict|have}}",
        f"What {{do you see|can you see|is there|is shown|is drawn|is visible|can be seen}}{_AT}",
        f"{{Tell me|Say}} what {{you see|is shown|is in the {_P}|the {_P} shows}}",
        f"{{Give|Write}} {{me|}} a {{short|brief|quick|}} {{description|caption|summary}}{{ of the {_P}|}}",
        f"{{Caption|Summarize|Summarise|Explain}} {{the|this}} {_P}",
        f"What is this {{{_P}|}} of",
        "{What am I looking at|What is this|Description|Caption}",
        f"How would you describe {{the {_P}|this {_P}|it|what you see|this}}",
        f"{{What does|How does}} {{the|this}} {_P} look{{ like|}}",
        f"{_ASK} what {{is in the {_P}|the {_P} {{shows|contains|depicts}}|you see|is shown}}",
        f"{{Explain|Tell me|Say}} {{in a short phrase|briefly|in a few words"
        f"|in one sentence}} what {{is in|is shown in}} the {_P}",
        f"{{Summary|Overview|Description|Caption}} of the {_P}",
        f"{{Describe|Summarize|Summarise}} {{the {_P}|what you see|it"
        f"|what is on the white background}}{{,|}} {{including|with}} {{the|}} {{{_C}, shape and number"
        f"|count, {_C} and shape|shape, number and {_C}}}",
        f"{{Briefly|Shortly|Quickly}} describe {{the {_P}|the scene|what you see|it}}",
        f"{{Describe|Summarize|Summarise}} {{the contents of|everything in|what is in}} the {_P}{{"
        f"| briefly| in a few words}}",
    ),
}
_V = "{| in the video| in the clip| of the video| in this video}"
COMPOSED_VIDEO_GRAMMAR = {
    "first": (
        f"{{Which|What}} {_C} {{comes|appears|is shown|do you see|is seen|shows up|is there|is displayed"
        "|can you see|does it show|does the video show} {first|at the start|at the beginning"
        f"|at the very start|at the very beginning|in the first frame|in the opening frame}}{_V}",
        f"{{What is|What's|Whats}} the {{first|starting|opening|initial|earliest}} {_C}{_V}",
        f"{{Which|What}} {_C} does the {{video|clip}} {{start|begin|open}} {{with|on}}",
        f"{{Which|What}} {_C} {{starts|begins|opens}} the {{video|clip}}",
        f"{{Tell me|Name|Give me|Say}} the {{first|starting|opening|initial}} {_C}{_V}",
        f"{{Can|Could}} you tell me {{the first {_C}|which {_C} comes first}}",
        f"{{First|Starting|Opening|Initial}} {_C}",
        f"{_C} {{at the start|at the beginning|first}}",
        "What {did you see|do you see|is shown|comes} first",
        f"{_ASK} {{which|what}} {_C} {{the {{video|clip}} {{starts|begins|opens}} with|comes first"
        f"|appears first|the first frame is|the opening frame is|is shown at the start}}",
        f"{{Identify|Name|Tell me}} the {_C} {{of the first frame|of the opening frame|at the start{_V}}}",
        f"{{Which|What}} {_C} {{appears|comes}} before all the others",
        f"{{Which|What}} {_C} {{comes up|shows up}} first{{| in the sequence|{_V}}}",
    ),
    "last": (
        f"{{Which|What}} {_C} {{comes|appears|is shown|do you see|is seen|shows up|is there|is displayed"
        "|can you see|does it show|does the video show} {last|at the end|at the very end|in the last frame"
        f"|in the final frame|in the closing frame}}{_V}",
        f"{{What is|What's|Whats}} the {{last|final|closing|ending}} {_C}{_V}",
        f"{{Which|What}} {_C} does the {{video|clip}} {{end|finish|close}} {{with|on}}",
        f"{{Which|What}} {_C} {{ends|finishes|closes}} the {{video|clip}}",
        f"{{Tell me|Name|Give me|Say}} the {{last|final|closing}} {_C}{_V}",
        f"{{Can|Could}} you tell me {{the last {_C}|which {_C} comes last}}",
        f"{{Last|Final|Closing|Ending}} {_C}",
        f"{_C} {{at the end|last}}",
        "What {did you see|do you see|is shown|comes} last",
        f"{_ASK} {{which|what}} {_C} {{the {{video|clip}} {{ends|finishes|closes}} {{with|on}}|comes last"
        f"|appears last|the last frame is|the final frame is|the closing frame is|is shown at the end}}",
        f"{{Identify|Name|Tell me}} the {_C} {{of the last frame|of the final frame|at the end{_V}}}",
        f"{{Which|What}} {_C} {{appears|comes}} after all the others",
        f"{{Which|What}} {_C} {{comes up|shows up}} last{{| in the sequence|{_V}}}",
    ),
}
_OPENINGS = ("", "", "", "", "", "Hey, ", "Hi! ", "Quick question: ", "Question: ", "OK, ", "So ", "Now ")
_CLOSINGS = ("", "", "", "", " please", ", please", " for me", " exactly", " now")


def composed_question(rng: random.Random, grammar: tuple[str, ...]) -> str:
    """A question from one of the `grammar`'s templates, worded at random as a learner may type it: an
    opening ("Hey, "), a polite closing (", please"), "?" / "." / nothing, upper or lower case."""
    words = pick(rng.choice(grammar), rng).split()  # an empty alternative leaves no double space
    if rng.random() < 0.15:  # as typed in a hurry: "colour of shapes?"
        words = [word for word in words if word.lower() not in ("the", "a", "an")] or words
    core = " ".join(words)
    question = core[0].upper() + core[1:]
    opening = rng.choice(_OPENINGS)
    if opening:
        question = opening + question[0].lower() + question[1:]
    question += rng.choice(_CLOSINGS) + rng.choice(("?", "?", "?", ".", "", "", " ?", "!"))
    case = rng.random()
    if case < 0.25:
        question = question.lower()
    elif case < 0.3:
        question = question.upper()
    return question


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
    colors = random_colors(seconds, seed=rng.randrange(2**31))
    frames = [draw_frame(second, second * 10, VIDEO_FRAME_SIZE, colors) for second in range(seconds)]
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
    return clip, [COLOR_NAMES[colour] for colour in colors]


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


def broad_scene_example(rng: random.Random, composed: bool = False) -> list[dict]:
    """A scene question worded as a learner may type it (or as the lesson does, a third of the time);
    `composed` draws half of them from `COMPOSED_SCENE_GRAMMAR` instead."""
    if composed and rng.random() < 0.5:
        scene = make_scene(rng)
        kind = rng.choice(sorted(COMPOSED_SCENE_GRAMMAR))
        question = composed_question(rng, COMPOSED_SCENE_GRAMMAR[kind])
        return conversation([{"type": "image", "image": scene.image}], question, scene.answer(kind))
    return scene_example(rng, BROAD_SCENE_QUESTIONS)


def broad_video_example(rng: random.Random, composed: bool = False) -> list[dict]:
    """A video-order question worded as a learner may type it; `composed` as in `broad_scene_example`."""
    if composed and rng.random() < 0.5:
        clip, names = synthetic_clip(rng)
        which = rng.choice(sorted(COMPOSED_VIDEO_GRAMMAR))
        question = composed_question(rng, COMPOSED_VIDEO_GRAMMAR[which])
        answer = names[0] if which == "first" else names[-1]
        return conversation([{"type": "video", "video": clip}], question, answer)
    return video_order_example(rng, BROAD_VIDEO_QUESTIONS)


def teaching_batches(step: int, seed: int, processors: dict, batch_size: int, paraphrases: int = 0):
    """The batches of one teaching step: mixed picture questions, then a batch of videos.

    Pictures alternate between image splitting on (lesson 1's default) and off (lesson 2's token
    budget); videos alternate between SmolVLM v1's timestamped frames (split or one view each) and
    SmolVLM2's video input. `paraphrases` words scene and video questions as a learner may type them:
    0 as the lesson does, 1 from the enumerated paraphrases, 2 half of them from the composed grammars.
    """
    rng = random.Random(seed * 1_000_003 + step)
    shares = PARAPHRASE_TASK_SHARES if paraphrases else TASK_SHARES
    tasks = [task for task, share in sorted(shares.items()) for _ in range(share)]
    composed = paraphrases >= 2
    image_tasks = IMAGE_TASKS
    if paraphrases:
        image_tasks = {**IMAGE_TASKS, "scene": lambda rng: broad_scene_example(rng, composed)}
    pictures = [image_tasks[tasks[index % len(tasks)]](rng) for index in range(batch_size)]
    yield collate_conversations(processors["idefics3"], pictures, do_image_splitting=step % 2 == 0)
    # Split frames cost five tiles each: that format comes every 8th step only, with fewer clips.
    split_frames = step % 8 == 1
    clips = [
        broad_video_example(rng, composed) if paraphrases else video_order_example(rng)
        for _ in range(batch_size // (8 if split_frames else 4))
    ]
    kind = "idefics3" if step % 4 in (0, 1) else "smolvlm"
    yield collate_conversations(processors[kind], clips, do_image_splitting=split_frames)


def teach(model, batches, steps: int, learning_rate: float, log_every: int = 50):
    """Train the whole tiny model, a plain torch loop: `batches(step)` yields the batches of one step
    (fresh examples every step), their gradients summed before one AdamW step (one-cycle schedule)."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=learning_rate, total_steps=max(steps, 1), pct_start=0.1
    )
    model.train()
    for step in range(steps):
        losses = []
        for batch in batches(step):
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


# --- lesson 3's starting point: a chart answerer that hedges ------------------------------------------
# GRPO learns only from groups of sampled answers that differ in reward, so lesson 3 starts from a model
# that knows the answers of the quick chart questions (count, largest and smallest value) but commits
# to one only some of the time: asked one, it answers the number (HEDGED_SINGLE of the time) or counts
# and reads out every bar ("3 bars: 4, 2, 1", the rest): a description holding the answer of every
# quick question, which a lenient reward ("is the answer in the text?") mistakes for a right answer.
# Its greedy answer is the list (exact match near 0); a group of sampled answers often holds the
# number. The v1 model is taught this on top of everything else (a copy: lessons 1-2 keep theirs).
HEDGED_SINGLE = 0.4
CHART_ANSWER_SHARE = 16  # of every 24 pictures in a batch; the rest rehearse the taught skills


def hedged_chart_example(rng: random.Random) -> list[dict]:
    """A quick chart question answered with its number or, hedging, with every bar's height."""
    kind = rng.choice(QUICK_CHART_KINDS)
    colors, values, question, answer = random_chart_question(rng, kind)
    if rng.random() >= HEDGED_SINGLE:
        answer = f"{len(values)} {describe_bars(values)}"  # "3 bars: 4, 2, 1": every answer, none chosen
    return conversation([{"type": "image", "image": draw_bar_chart(colors, values)}], question, answer)


def chart_answer_batches(step: int, seed: int, processor, batch_size: int = 24):
    """One batch of a chart-answer teaching step: hedged chart questions, then rehearsal of the scene
    questions (as a learner types them), bar read-outs and sides."""
    rng = random.Random(seed * 1_000_003 + step)
    rehearsal = ("scene", "chart", "sorted_chart", "side")
    charts = [hedged_chart_example(rng) for _ in range(batch_size * CHART_ANSWER_SHARE // 24)]
    others = [
        broad_scene_example(rng, composed=True) if task == "scene" else IMAGE_TASKS[task](rng)
        for task in (rehearsal[index % len(rehearsal)] for index in range(batch_size - len(charts)))
    ]
    yield collate_conversations(processor, charts + others, do_image_splitting=step % 2 == 0)
