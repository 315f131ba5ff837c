"""Helpers for the SmolVLM course: load a VLM, build chat messages, ask questions, fine-tune.

Every lesson notebook imports from here; each module holds one concept. The shortcuts below are
imported lazily so that `import course_utils.video` does not load torch and transformers.
"""

from importlib import import_module

from course_utils import quiet, versions

quiet.hide_library_noise()
versions.warn_if_too_old()

_SHORTCUTS = {
    "ask": "course_utils.generation",
    "ask_batch": "course_utils.generation",
    "chat": "course_utils.generation",
    "load_vlm": "course_utils.loading",
}

__all__ = sorted(_SHORTCUTS)


def __getattr__(name: str):
    if name in _SHORTCUTS:
        return getattr(import_module(_SHORTCUTS[name]), name)
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")
