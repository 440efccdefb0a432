"""``bigmed lab``: JupyterLab on the notebooks folder, on 127.0.0.1 with a token, with this package's kernel.

Offline-safe: JupyterLab's update check and news feed are switched off, and the server listens on the
loopback interface only (reach it from another machine through an SSH tunnel, never by opening a port).
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

KERNEL_NAME = "bigmed"


def install_kernel() -> str:
    """Install (or refresh) the ``bigmed`` kernelspec into this environment; return its folder."""
    from ipykernel.kernelspec import install

    return install(kernel_name=KERNEL_NAME, display_name="BigMed (Python 3.11)", prefix=sys.prefix)


def lab_command(*, notebooks: Path, port: int = 8888, token: str | None = None) -> list[str]:
    """The ``jupyter lab`` command line (pure; tested)."""
    return [
        sys.executable, "-m", "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={notebooks}",
        f"--IdentityProvider.token={token or secrets.token_urlsafe(24)}",
        "--ServerApp.open_browser=False",
        f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly",  # the default 'pypi' manager would query PyPI
    ] + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])  # containers, CI


def start_lab(*, notebooks: str | Path | None = None, port: int = 8888, token: str | None = None) -> None:
    """Replace this process by JupyterLab (prints the URL with its token)."""
    from .demo import project_root

    folder = Path(notebooks) if notebooks else project_root() / "notebooks"
    install_kernel()
    cmd = lab_command(notebooks=folder.resolve(), port=port, token=token)
    os.execv(cmd[0], cmd)
