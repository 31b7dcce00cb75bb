"""The lessons' widgets in a real browser: JupyterLab in headless Chromium, driven by Playwright.

The package tests check that a widget's Python side redraws (`tests/package/test_widgets.py`);
this file checks what a student sees: JupyterLab started as `make lab` starts it, a lesson run
top to bottom with Run All (in the fast `ci` profile), a control moved with the keyboard or a
button pressed, and the picture redrawn. Screenshots of each widget before and after go to
`build/browser/`, and one of the whole page when a check fails.

Adding a lesson is one `lesson_case(...)` line in CASES: the lesson's folder, a CSS selector of
its widget, and what a student does to it (`move_slider("PC 1")`, `press_button("Step")`).
A case whose lesson does not exist yet is skipped.

Needs the Python package `playwright` (the `dev` extra) and Debian's `chromium` (installed by
`.ci/run`); without either, the tests skip and say why. `-m "not browser"` deselects them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
SERVER_START_S = 90  # JupyterLab answering its REST API
KERNEL_START_S = 120  # the page loaded and the notebook's kernel idle
RUN_ALL_S = 300  # a lesson in the ci profile takes under a minute; this is for a slow machine
REDRAW_S = 60  # a control moved, the new picture shown


def find_chromium() -> str | None:
    """Debian's chromium (`apt-get install chromium`), or any `chromium` on PATH."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = find_chromium()
sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the Python package playwright is not installed (it is in the dev extra: "
    "`make setup`, or pip install -e '.[dev]')",
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium: neither /usr/bin/chromium nor `chromium` on PATH "
        "(`apt-get install chromium`, as .ci/run does)",
    ),
]


# ---------------------------------------------------------------- what a student does


def move_slider(label: str, presses: int = 10) -> Callable:
    """Press the right arrow `presses` times on the slider labelled `label` (one step each)."""

    def act(widget) -> None:
        handle = widget.locator(".widget-slider", has_text=label).locator(".noUi-handle")
        for _ in range(presses):
            handle.press("ArrowRight")

    act.__doc__ = f"move the slider {label!r} {presses} steps to the right"
    return act


def press_button(label: str) -> Callable:
    """Click the button labelled `label`."""

    def act(widget) -> None:
        widget.get_by_role("button", name=label, exact=True).click()

    act.__doc__ = f"press the button {label!r}"
    return act


@dataclass(frozen=True)
class Case:
    """A lesson, the widget in its outputs, and what a student does to it."""

    lesson: str  # the folder in solutions/, e.g. "03_dcgan"
    widget: str  # a CSS selector matching the widget, once in the notebook's outputs
    act: Callable  # act(widget locator): moves a control of the widget
    image: str = ":scope > img.widget-image"  # the picture that must change, inside the widget

    @property
    def notebook(self) -> Path:
        return ROOT / "solutions" / self.lesson / f"{self.lesson}.ipynb"


def lesson_case(lesson: str, widget: str, act: Callable, **kwargs):
    """A pytest parameter for `Case(lesson, widget, act)`, skipped while the lesson is missing."""
    case = Case(lesson, widget, act, **kwargs)
    missing = not case.notebook.exists()
    reason = f"lesson {lesson} does not exist yet (no {case.notebook.relative_to(ROOT)})"
    return pytest.param(case, id=lesson, marks=pytest.mark.skipif(missing, reason=reason))


# Each widget is a box holding its picture (an ipywidgets Image) next to its controls.
CASES = [
    # widgets.latent_explorer(G_ema): seeds, an A -> B slider, one slider per principal direction
    lesson_case(
        "03_dcgan",
        ".widget-vbox:has(> .widget-slider):has(> img.widget-image)",
        move_slider("PC 1"),
    ),
    # GAN Lab (gankit.lab): one frame of training per press of "Step", and its panels redrawn
    lesson_case(
        "07_wasserstein",
        ".widget-vbox:has(> img.widget-image):has(.widget-button)",
        press_button("Step"),
    ),
]


# ---------------------------------------------------------------- JupyterLab and Chromium


@dataclass
class Lab:
    url: str  # http://127.0.0.1:PORT
    token: str
    folder: Path  # the folder JupyterLab serves

    def add_lesson(self, case: Case) -> str:
        """Copy the lesson's solution notebook into the served folder, in the `ci` profile."""
        nb = nbformat.read(case.notebook, as_version=4)
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1, f"{case.lesson}: expected one cell tagged 'parameters'"
        params[0].source, n = re.subn(
            r"^PROFILE = .*$", 'PROFILE = "ci"', params[0].source, flags=re.M
        )
        assert n == 1, f"{case.lesson}: expected one `PROFILE = ...` line in the parameters cell"
        name = case.notebook.name
        nbformat.write(nb, self.folder / name)
        return name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(lab_url: str, token: str, path: str, method: str = "GET") -> dict:
    request = urllib.request.Request(f"{lab_url}{path}", method=method,
                                     headers={"Authorization": f"token {token}"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else {}


def log_tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`jupyter lab` from this Python's environment, serving a temporary folder of lessons.

    Its own config, data, runtime, settings and workspace folders keep it apart from the
    user's JupyterLab; each kernel (the environment's python3) runs on one thread, as the
    tests beside it do.
    """
    tmp = tmp_path_factory.mktemp("lab")
    folder, runtime = tmp / "lessons", tmp / "runtime"
    folder.mkdir()
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "OMP_NUM_THREADS": "1",
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_DATA_DIR": str(tmp / "data"),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "IPYTHONDIR": str(tmp / "ipython"),
    }
    env.pop("MPLBACKEND", None)  # a forced Agg backend silently drops every figure
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
           f"--port={free_port()}", f"--ServerApp.root_dir={folder}",
           f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
           f"--LabApp.user_settings_dir={tmp / 'settings'}",
           f"--LabApp.workspaces_dir={tmp / 'workspaces'}"]  # fmt: skip
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = tmp / "jupyterlab.log"
    with log.open("w") as out:
        server = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)  # fmt: skip
    url = None
    try:
        url = wait_for_server(server, runtime, token, log)
        yield Lab(url, token, folder)
    finally:
        stop_server(server, url, token)
        print(f"JupyterLab's log, last lines:\n{log_tail(log, 15)}")


def wait_for_server(server: subprocess.Popen, runtime: Path, token: str, log: Path) -> str:
    """The server's URL once it answers; its port is read from the file it writes at start."""
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"jupyter lab exited with {server.returncode}:\n{log_tail(log)}")
        info = list(runtime.glob(f"jpserver-{server.pid}.json"))
        if info:
            url = f"http://127.0.0.1:{json.loads(info[0].read_text())['port']}"
            try:
                api(url, token, "/api/status")
                return url
            except (urllib.error.URLError, ConnectionError):
                pass
        time.sleep(0.5)
    pytest.fail(f"jupyter lab did not answer within {SERVER_START_S} s:\n{log_tail(log)}")


def stop_server(server: subprocess.Popen, url: str | None, token: str) -> None:
    """Ask the server to shut down (it stops its kernels); kill its process group if it will not."""
    if server.poll() is None and url is not None:
        try:
            api(url, token, "/api/shutdown", method="POST")
            server.wait(timeout=30)
        except (urllib.error.URLError, ConnectionError, subprocess.TimeoutExpired):
            pass
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:  # kernels left behind by a server that did not stop them
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium with a fresh profile (a Playwright persistent context)."""
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1000},
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


# ---------------------------------------------------------------- driving a notebook

# The notebook panel showing `path`, found through the application object JupyterLab exposes.
PANEL = ("Array.from(window.jupyterapp.shell.widgets('main'))"
         ".find(w => w.context && w.context.path === path)")  # fmt: skip

KERNEL_IDLE = f"""path => {{
    if (!window.jupyterapp) return false;
    const panel = {PANEL};
    const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
}}"""

RUN_ALL = f"""path => {{
    const panel = {PANEL};
    window.jupyterapp.shell.activateById(panel.id);
    window.runAllResult = null;
    window.jupyterapp.commands.execute('notebook:run-all-cells').then(
        ok => {{ window.runAllResult = {{ok}}; }},
        error => {{ window.runAllResult = {{error: String(error)}}; }});
}}"""

FINISHED = f"""path => {{
    const panel = {PANEL};
    const kernel = panel.sessionContext.session.kernel;
    const pending = Array.from(panel.node.querySelectorAll('.jp-InputPrompt'))
        .some(prompt => prompt.textContent.includes('*'));
    return window.runAllResult !== null && !pending && kernel.status === 'idle';
}}"""

CELLS = f"""path => {{
    const panel = {PANEL};
    return panel.content.widgets.map((cell, index) => ({{
        index,
        type: cell.model.type,
        source: cell.model.sharedModel.getSource(),
        count: cell.model.type === 'code' ? cell.model.executionCount : null,
        outputs: cell.model.type === 'code' ? cell.model.outputs.toJSON() : [],
    }}));
}}"""

RUNNING = f"""path => {{
    const panel = {PANEL};
    return panel.content.widgets
        .map((cell, index) => [index, cell])
        .filter(([, cell]) => cell.model.type === 'code'
                && (cell.node.querySelector('.jp-InputPrompt')?.textContent || '').includes('*'))
        .map(([index, cell]) => index + ': ' + cell.model.sharedModel.getSource().split('\\n')[0]);
}}"""

# The picture's PNG, read back from the image's (blob) URL, base64-encoded.
PICTURE_BYTES = """async img => {
    const blob = await (await fetch(img.src)).blob();
    return await new Promise(done => {
        const reader = new FileReader();
        reader.onload = () => done(reader.result.split(',')[1]);
        reader.readAsDataURL(blob);
    });
}"""

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_all(page, lab: Lab, name: str) -> None:
    """Open the notebook, wait for its kernel, Run All, wait until every cell ran; fail on errors."""
    page.goto(f"{lab.url}/lab/tree/{name}?token={lab.token}")
    page.wait_for_function(KERNEL_IDLE, arg=name, timeout=KERNEL_START_S * 1000, polling=500)
    began = time.monotonic()
    page.evaluate(RUN_ALL, name)
    try:
        page.wait_for_function(FINISHED, arg=name, timeout=RUN_ALL_S * 1000, polling=1000)
    except sync_api.TimeoutError:
        running = page.evaluate(RUNNING, name)
        pytest.fail(f"{name}: Run All had not finished after {RUN_ALL_S} s; "
                    f"running or queued: {running}")  # fmt: skip
    print(f"{name}: Run All took {time.monotonic() - began:.0f} s")

    cells = page.evaluate(CELLS, name)
    errors = [
        f"cell {c['index']} ({c['source'].splitlines()[0]!r}) raised "
        f"{o['ename']}: {o['evalue']}\n" + ANSI.sub("", "\n".join(o["traceback"]))
        for c in cells
        for o in c["outputs"]
        if o["output_type"] == "error"
    ]
    if errors:
        pytest.fail(f"{name}: a cell failed in the browser:\n\n" + "\n\n".join(errors))
    result = page.evaluate("() => window.runAllResult")
    assert result.get("ok"), f"{name}: Run All did not finish cleanly: {result}"
    not_run = [c["index"] for c in cells
               if c["type"] == "code" and c["source"].strip() and c["count"] is None]  # fmt: skip
    assert not not_run, f"{name}: code cells {not_run} never ran"


def settle(image, quiet_s: float = 1.0) -> None:
    """Wait until the picture has stopped changing (one action can bring several redraws)."""
    src, since = image.get_attribute("src"), time.monotonic()
    while time.monotonic() - since < quiet_s:
        time.sleep(0.2)
        now = image.get_attribute("src")
        if now != src:
            src, since = now, time.monotonic()
    sync_api.expect(image).to_have_js_property("complete", True)


@pytest.mark.parametrize("case", CASES)
def test_widget_redraws_in_the_browser(case: Case, browser, lab):
    """Run the lesson in JupyterLab, act on its widget, and see its picture change."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = lab.add_lesson(case)
    page = browser.new_page()
    try:
        run_all(page, lab, name)
        widget = page.locator(case.widget)
        sync_api.expect(widget).to_have_count(1, timeout=REDRAW_S * 1000)
        widget.scroll_into_view_if_needed()
        image = widget.locator(case.image)
        sync_api.expect(image).to_have_js_property("complete", True)
        before = image.get_attribute("src")
        before_png = image.evaluate(PICTURE_BYTES)
        widget.screenshot(path=SHOTS / f"{case.lesson}-before.png")

        case.act(widget)
        sync_api.expect(
            image, f"the picture did not change after the student's action: {case.act.__doc__}"
        ).not_to_have_attribute("src", before, timeout=REDRAW_S * 1000)
        settle(image)
        after_png = image.evaluate(PICTURE_BYTES)
        widget.screenshot(path=SHOTS / f"{case.lesson}-after.png")
        assert after_png != before_png, f"{case.lesson}: the new picture is the same as the old"
    except BaseException:
        with contextlib.suppress(sync_api.Error):
            page.screenshot(path=SHOTS / f"{case.lesson}-failure.png", full_page=True)
        raise
    finally:
        page.close()
