"""The embedded tiny SmolVLM: a real Idefics3 / SmolVLM2 model folder built offline, no Hub.

A byte-level BPE tokenizer with SmolVLM's special tokens and chat template, a small image processor
and a config of under a million parameters, taught to answer questions about synthetic scenes.
The taught folders ship in the package (`course_utils/assets/`); `python -m tools.tiny build` rebuilds them
(`--kind charts` only lesson 3's chart answerer, from the shipped v1 folder, about 5 minutes).

The tokenizer is a frozen asset: the build reads it from the shipped
`course_utils/assets/tiny-smolvlm/tokenizer.json` (`FROZEN_TOKENIZER`, its one source of truth; the
SmolVLM2 folder's copy is the same file) and writes it back unchanged, so rewording, adding or fixing a
lesson's question never moves the token ids the taught weights were learnt on. A word the frozen
vocabulary lacks is split into smaller pieces, down to single bytes, all of which it has. Its merges
were learnt once from the course's questions and answers (`tokenizer_corpus`);
`python -m tools.tiny build --retrain-tokenizer` learns them again from today's questions, on purpose
only: new merges give new token ids, so the model must then be taught again from scratch (that
command's full build, about 19 minutes on 2 cores) and the new tokenizer.json committed with it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    AutoProcessor,
    Idefics3Config,
    Idefics3ForConditionalGeneration,
    Idefics3ImageProcessor,
    Idefics3Processor,
    LlamaConfig,
    PreTrainedTokenizerFast,
    SmolVLMConfig,
    SmolVLMForConditionalGeneration,
    SmolVLMImageProcessor,
    SmolVLMProcessor,
    SmolVLMVideoProcessor,
)
from transformers.models.idefics3.configuration_idefics3 import Idefics3VisionConfig
from transformers.models.smolvlm.configuration_smolvlm import SmolVLMVisionConfig

from course_utils import synthetic_data
from course_utils.loading import TINY_CHARTS_DIR, TINY_DIRS
from course_utils.scenes import COLORS, NUMBER_WORDS, QUESTION_TEMPLATES, SHAPES
from course_utils.video_synth import COLOR_NAMES
from tools import teaching

# SmolVLM's own chat template (User:/Assistant: turns ending in <end_of_utterance>), the exact text the
# real SmolVLM and SmolVLM2 checkpoints ship and trl keeps as `trl/chat_templates/smolvlm.jinja`
# (`trl.chat_template_utils.smolvlm_chat_template`): trl recognises it and swaps in its training
# template for `SFTConfig(assistant_only_loss=True)`. It has no video branch: SmolVLMProcessor's
# `apply_chat_template` uses transformers' video-capable DEFAULT_CHAT_TEMPLATE itself when a
# conversation holds a video part, as it does for the real checkpoints.
CHAT_TEMPLATE = (
    "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}"
    "{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}"
    "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}"
    "{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n"
    "{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
)
ROW_COL_TOKENS = [f"<row_{row}_col_{col}>" for row in range(1, 7) for col in range(1, 7)]
SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<end_of_utterance>",
    "<fake_token_around_image>",
    "<image>",
    "<global-img>",
    "<video>",
    *ROW_COL_TOKENS,
]
VOCAB_SIZE = 1024  # the most `--retrain-tokenizer` may learn; the frozen tokenizer holds 755 tokens
# The tiny model's tokenizer, frozen (module docstring); the build writes the same file back.
FROZEN_TOKENIZER = TINY_DIRS["idefics3"] / "tokenizer.json"

# Widths are multiples of 64 so that bitsandbytes 4-bit layers work on CPU.
TEXT_SIZES = dict(
    hidden_size=128,
    intermediate_size=256,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=4096,
)
VISION_SIZES = dict(
    hidden_size=128,
    intermediate_size=256,
    num_hidden_layers=2,
    num_attention_heads=4,
    image_size=64,
    patch_size=8,
)
SCALE_FACTOR = 2
IMAGE_SEQ_LEN = (VISION_SIZES["image_size"] // VISION_SIZES["patch_size"]) ** 2 // SCALE_FACTOR**2
IMAGE_SIZES = dict(size={"longest_edge": 128}, max_image_size={"longest_edge": 64})

# Phases of fresh examples: a fast one, then a gentler one that polishes them (19 minutes alone on
# 2 cores, benchmarks/RESULTS.md), then a short one that asks lesson 1's scene and video questions
# worded as a learner may type them (teaching.SCENE_PARAPHRASES; build t9), then one that draws half of
# those questions from grammars of indirect questions, synonyms, openings and closings
# (teaching.COMPOSED_SCENE_GRAMMAR; build t10). Earlier phases are unchanged from build to build, so
# `--from-phase 4 --weights-from <t9 folder>` teaches only the last one.
# (steps, peak learning rate[, paraphrases: 1 enumerated, 2 enumerated and composed])
TEACH_PHASES = ((2300, 2e-3), (1700, 1e-3), (1500, 1e-3, 1), (2000, 1e-3, 2))


def tokenizer_corpus() -> list[str]:
    """Sentences `--retrain-tokenizer` learns the tiny tokenizer's merges from: the course's questions
    and answers. The build does not read them: it reads `FROZEN_TOKENIZER`."""
    words = [*COLORS, *COLOR_NAMES, *SHAPES, *(f"{shape}s" for shape in SHAPES)]
    words += [*NUMBER_WORDS, *synthetic_data.QUADRANTS]
    chart_words = (
        "chart bar bars tallest shortest value highest lowest largest smallest label how many which "
        "what is the of picture frame frames video second seconds changes color colour count number "
        "answer question yes no left right top bottom first last comes shown corner where in kind "
        "list sort heights height from to "
        "apple banana cherry grape lemon mango peach plum sales year month total"
    ).split()
    lines = [question for group in QUESTION_TEMPLATES.values() for question in group]
    lines += [question for group in synthetic_data.CHART_QUESTION_TEMPLATES.values() for question in group]
    lines += list(synthetic_data.POSITION_QUESTION_TEMPLATES) + list(teaching.CHART_DESCRIBE_QUESTIONS)
    lines += [q for group in teaching.CHART_SORT_QUESTIONS.values() for q in group]
    lines += [q for group in teaching.SIDE_QUESTIONS.values() for q in group]
    lines += [q for group in teaching.VIDEO_ORDER_QUESTIONS.values() for q in group]
    lines += [" ".join(words), " ".join(chart_words), " ".join(str(n) for n in range(101))]
    lines += ["User: Assistant: System: You are a helpful assistant.", "Frame from 00:01:"]
    lines += ["You are provided the following series of frames from a 0:00:06 [H:MM:SS] video."]
    lines += ["Frame at 00:03:", "bars: 2, 3, 1"]
    return lines * 4


def train_tokenizer() -> Tokenizer:
    """A byte-level BPE tokenizer with SmolVLM's special tokens, its merges learnt from `tokenizer_corpus`.

    Only for `--retrain-tokenizer`: its token ids differ from the frozen ones whenever the questions do.
    """
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        # every byte is a token, so a word the merges never saw still encodes (byte by byte at worst)
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(tokenizer_corpus(), trainer=trainer)
    return bpe


def build_tokenizer(source: str | Path | None = FROZEN_TOKENIZER) -> PreTrainedTokenizerFast:
    """The tiny model's tokenizer, read from the tokenizer.json `source` (by default the frozen one);
    `source=None` learns new merges instead (`train_tokenizer`), which needs the model taught again."""
    bpe = train_tokenizer() if source is None else Tokenizer.from_file(str(source))
    return PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        bos_token="<|im_start|>",
        eos_token="<end_of_utterance>",
        pad_token="<|im_end|>",
        unk_token="<|endoftext|>",
        additional_special_tokens=SPECIAL_TOKENS[3:],
        model_max_length=4096,
        chat_template=CHAT_TEMPLATE,
    )


def build_config(kind: str, tokenizer) -> Idefics3Config | SmolVLMConfig:
    """Config of the tiny model; `kind` is "idefics3" (SmolVLM v1) or "smolvlm" (SmolVLM2)."""
    ids = dict(
        vocab_size=-(-len(tokenizer) // 64) * 64,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    text_config = LlamaConfig(**TEXT_SIZES, **ids, rms_norm_eps=1e-5)
    common = dict(
        text_config=text_config,
        scale_factor=SCALE_FACTOR,
        image_token_id=tokenizer.convert_tokens_to_ids("<image>"),
        pad_token_id=tokenizer.pad_token_id,
    )
    if kind == "idefics3":
        return Idefics3Config(vision_config=Idefics3VisionConfig(**VISION_SIZES), **common)
    if kind == "smolvlm":
        return SmolVLMConfig(vision_config=SmolVLMVisionConfig(**VISION_SIZES), **common)
    raise ValueError(f"Unknown tiny model kind {kind!r}; use 'idefics3' or 'smolvlm'.")


def build_processor(kind: str, tokenizer) -> Idefics3Processor | SmolVLMProcessor:
    """SmolVLM's processor with a small image size: 64 px tiles, 16 tokens per tile."""
    if kind == "idefics3":
        return Idefics3Processor(
            image_processor=Idefics3ImageProcessor(**IMAGE_SIZES),
            tokenizer=tokenizer,
            image_seq_len=IMAGE_SEQ_LEN,
            chat_template=CHAT_TEMPLATE,
        )
    video_processor = SmolVLMVideoProcessor(size={"longest_edge": 64}, max_image_size={"longest_edge": 64})
    return SmolVLMProcessor(
        image_processor=SmolVLMImageProcessor(**IMAGE_SIZES),
        tokenizer=tokenizer,
        video_processor=video_processor,
        image_seq_len=IMAGE_SEQ_LEN,
        chat_template=CHAT_TEMPLATE,
    )


def build_tiny(
    out_dir: str | Path,
    kind: str = "idefics3",
    phases: tuple[tuple[int, float], ...] = TEACH_PHASES,
    seed: int = 0,
    weights_from: str | Path | None = None,
    from_phase: int = 1,
    tokenizer_source: str | Path | None = FROZEN_TOKENIZER,
) -> Path:
    """Build, teach and save a tiny SmolVLM into `out_dir`; returns the folder.

    `phases` lists (steps, learning rate[, paraphrases]) teaching phases, each on its own fresh
    examples; `()` leaves the model untaught. `weights_from` starts from the weights of an already
    taught tiny folder (SmolVLM v1 and SmolVLM2 share the architecture, so the video variant reuses
    v1's lessons with `phases=()`); `from_phase` skips the phases before it (counted from 1), e.g.
    `from_phase=3` with the weights of a folder taught phases 1-2. `tokenizer_source` is the
    tokenizer.json to use (by default the frozen one); `None` learns new merges (`--retrain-tokenizer`).
    """
    out_dir = Path(out_dir)
    torch.manual_seed(seed)
    tokenizer = build_tokenizer(tokenizer_source)
    # Every kind's processor, built before anything reads the tokenizer: they share it and set its
    # special-token attributes, so every folder saves the same tokenizer files; teaching uses them all.
    processors = {name: build_processor(name, tokenizer) for name in TINY_DIRS}
    config = build_config(kind, tokenizer)
    model_class = Idefics3ForConditionalGeneration if kind == "idefics3" else SmolVLMForConditionalGeneration
    model = model_class(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.bos_token_id = tokenizer.bos_token_id
    if weights_from is not None:
        taught = Idefics3ForConditionalGeneration.from_pretrained(weights_from)
        model.load_state_dict(taught.state_dict())
        del taught
    for phase, (steps, learning_rate, *paraphrases) in enumerate(phases):
        if phase + 1 < from_phase:
            continue
        print(f"Teaching phase {phase + 1}/{len(phases)}: {steps} steps", flush=True)
        started = time.perf_counter()
        level = paraphrases[0] if paraphrases else 0
        phase_seed = seed + phase * 7919

        def batches(step, phase_seed=phase_seed, level=level):
            return teaching.teaching_batches(step, phase_seed, processors, 24, paraphrases=level)

        teaching.teach(model, batches, steps, learning_rate)
        print(f"Phase {phase + 1} took {time.perf_counter() - started:.1f} s", flush=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    processors[kind].save_pretrained(out_dir)
    return out_dir


# Lesson 3's chart answerer: the taught v1 weights, then this phase (steps, peak learning rate).
CHARTS_PHASE = (1000, 5e-4)


def build_chart_answerer(out_dir: str | Path, weights_from: str | Path, seed: int = 0) -> Path:
    """Copy the taught v1 folder `weights_from` into `out_dir`, taught `CHARTS_PHASE` more: the answers
    of the quick chart questions, hedged (`teaching.hedged_chart_example`), the other skills rehearsed."""
    out_dir = Path(out_dir)
    torch.manual_seed(seed)
    model = Idefics3ForConditionalGeneration.from_pretrained(weights_from)
    processor = AutoProcessor.from_pretrained(weights_from)
    steps, learning_rate = CHARTS_PHASE

    def batches(step):
        return teaching.chart_answer_batches(step, seed, processor)

    teaching.teach(model, batches, steps, learning_rate)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return out_dir


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rebuild the embedded tiny SmolVLM folders.")
    parser.add_argument("command", choices=["build"])
    parser.add_argument("--kind", choices=[*TINY_DIRS, "charts", "all"], default="all")
    parser.add_argument("--quick", action="store_true", help="3 steps per phase, to check the build")
    parser.add_argument("--out", type=Path, default=None, help="folder (default: the package's)")
    parser.add_argument(
        "--from-phase", type=int, default=1, help="teach TEACH_PHASES from this one on (counted from 1)"
    )
    parser.add_argument(
        "--weights-from", type=Path, default=None, help="start from this taught v1 folder's weights"
    )
    parser.add_argument(
        "--last-phase", default=None, metavar="STEPS,LR", help="try other settings for the last phase"
    )
    parser.add_argument(
        "--retrain-tokenizer",
        action="store_true",
        help=(
            f"learn the tokenizer's merges again from the course's questions instead of reading the frozen "
            f"{FROZEN_TOKENIZER.name} (course_utils/assets/tiny-smolvlm/): new token ids, so the model "
            "is taught again from scratch (the full build, about 19 minutes) and the new tokenizer.json "
            "must be committed with the new weights"
        ),
    )
    args = parser.parse_args(argv)
    if args.from_phase > 1 and args.weights_from is None:
        parser.error("--from-phase needs --weights-from (a folder taught the phases before it)")
    if args.retrain_tokenizer and (args.weights_from is not None or args.kind == "smolvlm"):
        parser.error(
            "--retrain-tokenizer changes the token ids: it needs a model taught from scratch "
            "(--kind idefics3 or all, without --weights-from)"
        )
    outputs = {kind: args.out / kind if args.out else TINY_DIRS[kind] for kind in TINY_DIRS}
    outputs["charts"] = args.out / "charts" if args.out else TINY_CHARTS_DIR
    if args.kind in ("idefics3", "all"):
        started = time.perf_counter()
        print(f"Building and teaching tiny SmolVLM into {outputs['idefics3']} ...", flush=True)
        phases = TEACH_PHASES
        if args.last_phase:
            steps, learning_rate = args.last_phase.split(",")
            phases = (*phases[:-1], (int(steps), float(learning_rate), *phases[-1][2:]))
        if args.quick:
            phases = tuple((3, *phase[1:]) for phase in phases)
        build_tiny(
            outputs["idefics3"],
            kind="idefics3",
            phases=phases,
            weights_from=args.weights_from,
            from_phase=args.from_phase,
            tokenizer_source=None if args.retrain_tokenizer else FROZEN_TOKENIZER,
        )
        print(f"Built in {time.perf_counter() - started:.1f} s", flush=True)
    if args.kind in ("smolvlm", "all"):
        print(f"Building tiny SmolVLM2 into {outputs['smolvlm']} (weights from v1) ...")
        # SmolVLM2 takes v1's weights and, with them, the tokenizer they were taught with.
        build_tiny(
            outputs["smolvlm"],
            kind="smolvlm",
            phases=(),
            weights_from=outputs["idefics3"],
            tokenizer_source=outputs["idefics3"] / "tokenizer.json",
        )
    if args.kind in ("charts", "all"):
        started = time.perf_counter()
        print(f"Teaching lesson 3's chart answerer into {outputs['charts']} ...", flush=True)
        build_chart_answerer(outputs["charts"], weights_from=outputs["idefics3"])
        print(f"Built in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
