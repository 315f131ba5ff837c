"""Lesson 1 as a learner sees it: JupyterLab from this environment, driven in Debian's headless Chromium.

A JupyterLab server (loopback, a free port, a token, a temporary root holding a copy of lesson 1 in
Japanese: its code cells are the English ones, so one run covers the lesson and a language that is not
English) and Playwright pointed at /usr/bin/chromium (no browser download). The test runs every cell from
the Run menu and checks the page: no error output, the check's feedback in Japanese, a widget progress
bar, and the playground with Japanese labels answering after a click on its Ask button. Screenshots go
to build/browser/.
`make test` installs Chromium (as root, with apt-get) where it is missing.
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from course_utils.exercises.core import LABELS
from course_utils.generation import BATCHES
from course_utils.i18n import render
from course_utils.playground import ANSWER_LABEL, ASK_BUTTON, NEW_SCENE_BUTTON, QUESTION_LABEL

pytestmark = pytest.mark.slow  # JupyterLab and Chromium run lesson 1

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = "ja"
LESSON = ROOT / "notebooks" / LANGUAGE / "01_vlm_usage.ipynb"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and kanji
SCREENSHOTS = ROOT / "build" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_S = 90
RUN_ALL_S = 600  # every cell of the lesson (about 15 s here); generous for slow machines
WIDGET_S = 120  # one answer of the playground
KERNEL_IDLE = '.jp-Notebook-ExecutionIndicator[data-status="idle"]'  # the notebook toolbar's kernel status
STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
PLAYGROUND_CALL = "usage_playground("  # the lesson's playground cell (course_utils.playground)
PLAYGROUND_ANSWER = render(ANSWER_LABEL, LANGUAGE)  # shown once the model has answered
# Quiet and self-contained JupyterLab: no news or update checks (no network), settings kept in tmp.
# The kernel starts by itself (no "Select Kernel" dialog when Run All comes early), and every cell is
# laid out (no windowing), so that element screenshots do not shift while the page renders.
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "autoStartDefaultKernel": True,
        "windowingMode": "none",
    },
}
# Every code cell has run (a number in its prompt), or one failed and stopped "Run All Cells".
RUN_FINISHED = """() => {
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
  const errors = [...document.querySelectorAll('STDERR')].filter(e => e.textContent.includes('Traceback'));
  return errors.length > 0 || (prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)));
}""".replace("STDERR", STDERR_OUTPUT)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_user_settings(folder: Path) -> None:
    for name, values in USER_SETTINGS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@dataclass
class Lab:
    """A running JupyterLab: its address, token and log."""

    base: str
    token: str
    log: Path

    def url(self, path: str) -> str:
        return f"{self.base}/{path}?token={self.token}"

    def api(self, path: str):
        """The JSON of a REST call, or None while the server does not answer."""
        try:
            with urllib.request.urlopen(self.url(f"api/{path}"), timeout=5) as response:
                return json.load(response)
        except OSError:
            return None

    def log_tail(self) -> str:
        return self.log.read_text()[-3000:]


def wait_until_serving(lab: Lab, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{lab.log_tail()}")
        if lab.api("status") is not None:
            return
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {SERVER_START_S} s:\n{lab.log_tail()}")


def wait_for_idle_kernel(lab: Lab, notebook: str) -> None:
    """Until the page's session for `notebook` has a started, idle kernel."""
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        states = {
            session.get("path"): (session.get("kernel") or {}).get("execution_state")
            for session in lab.api("sessions") or []
        }
        if states.get(notebook) == "idle":
            return
        time.sleep(0.5)
    pytest.fail(f"no idle kernel for {notebook} within {SERVER_START_S} s:\n{lab.log_tail()}")


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A `Lab`: JupyterLab serving a copy of lesson 1 from a temporary root folder."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"NOT RUN: no browser at {CHROMIUM}; as root: apt-get install chromium (make test does)")
    folder = tmp_path_factory.mktemp("jupyterlab")
    root = folder / "root"
    root.mkdir()
    shutil.copy(LESSON, root / LESSON.name)
    write_user_settings(folder / "user-settings")
    port, token = free_port(), secrets.token_hex(16)
    as_root = ["--allow-root"] if os.geteuid() == 0 else []  # CI runs as root
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.terminals_enabled=False",
        "--KernelManager.transport_encryption=auto",
        "--LabApp.extension_manager=readonly",
        f"--LabApp.user_settings_dir={folder / 'user-settings'}",
        f"--LabApp.workspaces_dir={folder / 'workspaces'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        *as_root,
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "JUPYTER_RUNTIME_DIR": str(folder / "runtime")}
    log = folder / "jupyterlab.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(command, cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        lab = Lab(f"http://127.0.0.1:{port}", token, log)
        wait_until_serving(lab, server)
        yield lab
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def run_all_cells(page, lab: Lab) -> None:
    """Open the lesson, wait for its kernel, then Run → Run All Cells and wait until every cell ran."""
    page.goto(lab.url(f"lab/tree/{LESSON.name}"))
    page.wait_for_selector(KERNEL_IDLE, timeout=SERVER_START_S * 1000)
    wait_for_idle_kernel(lab, LESSON.name)
    page.click('.lm-MenuBar-itemLabel:text-is("Run")')
    page.click('.lm-Menu-item[data-command="runmenu:run-all"]')
    page.wait_for_function(RUN_FINISHED, timeout=RUN_ALL_S * 1000, polling=500)


@pytest.fixture(scope="module")
def page(jupyterlab):
    """Chromium showing lesson 1 after Run → Run All Cells has finished."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="NOT RUN: playwright is not installed")
    lab = jupyterlab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            try:
                run_all_cells(page, lab)
            except sync_api.Error as error:
                page.screenshot(path=str(SCREENSHOTS / "01_vlm_usage_failed.png"))
                pytest.fail(
                    f"{error}\nscreenshot: build/browser/01_vlm_usage_failed.png\n"
                    f"server log:\n{lab.log_tail()}"
                )
            page.screenshot(path=str(SCREENSHOTS / "01_vlm_usage_after_run_all.png"))
            yield page
        finally:
            browser.close()
    assert "Traceback" not in lab.log.read_text(), f"the server logged an error:\n{lab.log_tail()}"


def test_no_cell_shows_an_error_or_anything_on_stderr(page):
    stderr = page.locator(STDERR_OUTPUT).all_text_contents()
    assert not stderr, "stderr output in the lesson:\n" + "\n---\n".join(text[:1500] for text in stderr)
    prompts = [text.strip() for text in page.locator(".jp-CodeCell .jp-InputArea-prompt").all_text_contents()]
    assert prompts and all(re.fullmatch(r"\[\d+\]:", prompt) for prompt in prompts), prompts


def japanese(text: str) -> bool:
    return bool(JAPANESE.search(text))


def test_check_feedback_is_rendered_in_japanese(page):
    expected = render(LABELS["not_attempted"], LANGUAGE)
    assert japanese(expected) and expected != render(LABELS["not_attempted"], "en")
    feedback = page.locator(".jp-OutputArea-output", has_text=expected).first
    feedback.wait_for(timeout=10_000)
    feedback.screenshot(path=str(SCREENSHOTS / "01_vlm_usage_check_feedback.png"))
    assert japanese(feedback.text_content())


def test_progress_bar_ends_finished(page):
    """ask_batch's bar: one line that each update replaces, finished (so a saved notebook keeps it so)."""
    label = render(BATCHES, LANGUAGE)
    output = page.locator(".jp-OutputArea-output", has_text=f"{label}:").first
    output.screenshot(path=str(SCREENSHOTS / "01_vlm_usage_progress_bar.png"))
    text = output.text_content()
    assert japanese(label) and f"{label}: 100%" in text and "4/4" in text, text
    assert text.count("%|") == 1, text  # one line, finished


def test_playground_answers_after_a_click_on_ask(page):
    if PLAYGROUND_CALL not in LESSON.read_text(encoding="utf-8"):
        pytest.skip(f"lesson 1 has no playground cell yet ({PLAYGROUND_CALL}...)")
    ask, new_scene = render(ASK_BUTTON, LANGUAGE), render(NEW_SCENE_BUTTON, LANGUAGE)
    assert japanese(ask) and japanese(new_scene) and japanese(PLAYGROUND_ANSWER)
    playground = page.locator(".jp-OutputArea-output", has=page.locator("button", has_text=ask)).first
    assert playground.locator("button", has_text=new_scene).count() == 1
    labels = " ".join(playground.locator("label").all_text_contents())
    assert render(QUESTION_LABEL, LANGUAGE) in labels and japanese(labels), labels
    playground.locator("button", has_text=ask).click()
    answer = playground.locator(".widget-html", has_text=PLAYGROUND_ANSWER)
    answer.wait_for(timeout=WIDGET_S * 1000)
    playground.screenshot(path=str(SCREENSHOTS / "01_vlm_usage_playground.png"))
    assert japanese(answer.text_content()), answer.text_content()  # the read-out around the answer
