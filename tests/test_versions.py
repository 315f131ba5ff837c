"""The version check at import: one line per package outside the range the course declares."""

import subprocess
import sys
from importlib.metadata import version

from course_utils.versions import too_old


def _fake_distribution(folder, *requirements):
    info = folder / "fake_course-1.0.dist-info"
    info.mkdir()
    lines = ["Metadata-Version: 2.1", "Name: fake-course", "Version: 1.0"]
    lines += [f"Requires-Dist: {requirement}" for requirement in requirements]
    (info / "METADATA").write_text("\n".join(lines) + "\n")


def test_a_package_below_its_bound_is_named_with_both_versions(tmp_path, monkeypatch):
    _fake_distribution(
        tmp_path,
        "torch>=999",
        "pillow>=1.0",
        "no-such-package>=1.0",
        'ruff>=999; extra == "test"',
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    problems = too_old("fake-course")
    found = version("torch")
    assert problems == [
        f"torch {found} is installed, this course needs torch>=999: "
        "pip install -U 'torch>=999', then restart the runtime."
    ]


def test_the_installed_course_meets_its_own_bounds():
    assert too_old() == []


def test_importing_the_course_is_silent_when_the_versions_fit():
    done = subprocess.run([sys.executable, "-c", "import course_utils"], capture_output=True, text=True)
    assert done.returncode == 0 and "course_utils:" not in done.stderr
