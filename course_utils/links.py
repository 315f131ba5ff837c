"""Where the course lives online: its repository, the Colab links to its lessons, its solution files.

`REPOSITORY_URL` is the one place that names the repository. Text that cannot import it (pyproject's
[project.urls], README badges, the notebooks' badges and Colab setup cells) spells it out, and
tests/test_links.py checks that every copy agrees with this constant.
"""

REPOSITORY_URL = "https://github.com/smolvlm-course/smolvlm-course"
BRANCH = "main"
COLAB_CHECKOUT = "/content/smolvlm-course"  # where a lesson's Colab setup cell clones the repository


def repository_slug() -> str:
    """ "owner/name" of the GitHub repository."""
    return REPOSITORY_URL.removeprefix("https://github.com/")


def colab_url(notebook: str) -> str:
    """The Colab address that opens `notebook` (a path in the repository) from GitHub."""
    return f"https://colab.research.google.com/github/{repository_slug()}/blob/{BRANCH}/{notebook}"


def file_url(path: str) -> str:
    """The GitHub page of a file of the repository, e.g. a reference solution."""
    return f"{REPOSITORY_URL}/blob/{BRANCH}/{path}"
