"""The library versions the course needs: one line at import for each package outside its declared range.

The bounds are the package's own (`pyproject.toml`, read back from the installed metadata), so they
are declared once. A package that is missing or newer says nothing here; a run from a source folder
that was never installed checks nothing.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, requires, version

from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version

from course_utils.i18n import message, render

DISTRIBUTION = "smolvlm-course"
OUTSIDE_RANGE = message(
    "versions.outside_range",
    "{package} {found} is installed, this course needs {needed}: pip install -U '{needed}', then restart "
    "the runtime.",
)


def too_old(distribution: str = DISTRIBUTION) -> list[str]:
    """One sentence per installed dependency outside the range the course declares for it."""
    try:
        declared = requires(distribution) or []
    except PackageNotFoundError:
        return []
    problems = []
    for line in declared:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # an optional extra's requirement
        try:
            found = Version(version(requirement.name))
        except (PackageNotFoundError, InvalidVersion):
            continue
        if not requirement.specifier.contains(found, prereleases=True):
            needed = f"{requirement.name}{requirement.specifier}"
            problems.append(render(OUTSIDE_RANGE, package=requirement.name, found=found, needed=needed))
    return problems


def warn_if_too_old() -> None:
    """Print `too_old`'s sentences on standard error, one line each."""
    for problem in too_old():
        print(f"course_utils: {problem}", file=sys.stderr)
