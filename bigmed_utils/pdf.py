"""``report.pdf`` printed from ``report.html`` by headless Chromium, when it is installed.

Chromium is not a Python package; on Debian/Ubuntu ``sudo apt-get install chromium``. The flags keep it
from calling out (no background networking, component updates or sync): the report is a local file.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
NO_CHROMIUM = "PDF not written: headless Chromium is not installed (Debian/Ubuntu: sudo apt-get install chromium)"


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable on PATH, or ``None``."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: str | Path, pdf: str | Path, *, timeout: int = 120) -> bool:
    """Print ``html`` to ``pdf``; return ``False`` (and log why) when Chromium is absent or fails."""
    exe = find_chromium()
    if exe is None:
        log.warning(NO_CHROMIUM)
        return False
    with tempfile.TemporaryDirectory(prefix="bigmed-chromium-") as profile:
        cmd = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", f"--user-data-dir={profile}", "--no-pdf-header-footer",
            f"--print-to-pdf={Path(pdf).resolve()}", Path(html).resolve().as_uri(),
        ]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            log.warning("PDF not written: Chromium did not finish within %s s", timeout)
            return False
    if res.returncode != 0 or not Path(pdf).is_file():
        log.warning("PDF not written: Chromium failed (%s)", res.stderr.strip().splitlines()[-1:] or res.returncode)
        return False
    return True
