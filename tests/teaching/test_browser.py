"""Real-browser check of a teaching notebook: JupyterLab on 127.0.0.1, headless Chromium through Playwright.

Runs only when Debian's Chromium (``/usr/bin/chromium``) and Playwright's Python client are installed; it
never downloads a browser and never installs anything (see docs/teaching.md, "Browser test"). The notebook is
copied without its stored outputs to a temporary folder first: everything asserted was produced by this
run, and JupyterLab's autosave cannot touch the repository's copy.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = "03_cardiac_family.ipynb"  # fast (no Hail) and holds the ipywidgets QTc explorer
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",  # containers: small /dev/shm
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", "--no-first-run"]

if not CHROMIUM.exists():
    pytest.skip("Chromium not installed (/usr/bin/chromium; Debian: apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python client not installed "
                               "(pip install playwright; it drives Debian's Chromium, no browser download)")

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("JupyterLab did not answer on 127.0.0.1 within 120 s")


@pytest.fixture()
def lab(tmp_path):
    """JupyterLab serving a copy of the teaching notebook; yields (base URL, token)."""
    from bigmed_utils.demo import ensure_demo_data
    from bigmed_utils.lab import lab_command

    data = ensure_demo_data(echo=lambda _: None)
    root = tmp_path / "project"
    (root / "notebooks" / "teaching").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "demo").symlink_to(data)  # the notebook reads ../../data/demo
    # without its stored outputs: whatever the page shows afterwards was produced by this browser run
    nb = json.loads((REPO / "notebooks" / "teaching" / NOTEBOOK).read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    (root / "notebooks" / "teaching" / NOTEBOOK).write_text(json.dumps(nb))

    # isolated Jupyter settings: render every cell (no virtual scrolling) so all outputs are in the DOM
    settings = tmp_path / "lab-settings"
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    env = dict(os.environ,
               JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "lab-workspaces"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
               BIGMED_DEMO_DIR=str(data))
    port, token = _free_port(), "bigmed-browser-test-token"
    cmd = lab_command(notebooks=root / "notebooks", port=port, token=token)
    log = open(tmp_path / "jupyterlab.log", "wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(f"{base}/api/status?token={token}", proc)
        yield base, token
    finally:
        proc.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # our own process group only (start_new_session)
            proc.wait()
        log.close()


def test_teaching_notebook_runs_in_chromium_and_widget_renders(lab, tmp_path):
    base, token = lab
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/tree/teaching/{NOTEBOOK}?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
            n_code = sum(c["cell_type"] == "code" for c in json.loads(
                (REPO / "notebooks" / "teaching" / NOTEBOOK).read_text())["cells"])

            # the kernel must be up before "Run All" (the status bar reads "Python 3 (ipykernel) | Idle")
            page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\|\s*Idle")).first.wait_for(
                timeout=180_000)
            page.locator(".jp-Notebook .jp-Cell").first.click()

            def run_all() -> None:
                page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
                page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()

            run_all()
            # every code cell gets an execution count; none is left waiting ([*]) or skipped
            prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt")
            started = False
            retry_at = time.monotonic() + 60
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                if not started and any(re.search(r"\[(\*|\d+)\]", t) for t in prompts.all_inner_texts()):
                    started = True
                if not started and time.monotonic() > retry_at:  # the click reached a kernel not yet ready
                    run_all()
                    retry_at = deadline
                texts = prompts.all_inner_texts()
                if len(texts) == n_code and all(re.fullmatch(r"\[\d+\]:", t.strip()) for t in texts):
                    break
                if any("Traceback" in t for t in page.locator(".jp-OutputArea-output").all_inner_texts()):
                    break
                time.sleep(1)
            page.screenshot(path=str(shots / "03_cardiac_family_top.png"), full_page=False)
            outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
            errors = [t for t in outputs if "Traceback" in t or re.search(r"^\w+Error\b", t, re.M)]
            assert not errors, f"a cell errored in the browser: {errors[0][:500]}"
            texts = prompts.all_inner_texts()
            assert len(texts) == n_code and all(re.fullmatch(r"\[\d+\]:", t.strip()) for t in texts), texts
            numbers = sorted(int(t.strip()[1:-2]) for t in texts)
            assert numbers == list(range(1, n_code + 1))  # each cell ran once, in one pass

            # the ipywidgets QTc explorer rendered (widget manager active, sliders and result table drawn)
            explorer = page.locator(".bigmed-qtc-explorer")
            explorer.wait_for(state="visible", timeout=120_000)
            assert explorer.locator(".widget-slider").count() == 2
            table = explorer.locator("table.bigmed-qtc-table")
            assert "Bazett" in table.inner_text() and "Framingham" in table.inner_text()
            explorer.scroll_into_view_if_needed()
            shot = shots / "03_cardiac_family_widget.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            print(f"screenshots in {shots}")
        finally:
            browser.close()
