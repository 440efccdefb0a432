"""`bigmed lab` serves JupyterLab on loopback with a token and the package's kernel."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bigmed_utils.lab import KERNEL_NAME, install_kernel, lab_command


def test_lab_command_listens_on_loopback_with_a_token(tmp_path):
    cmd = lab_command(notebooks=tmp_path, port=9999, token="t0k")
    assert "--ServerApp.ip=127.0.0.1" in cmd
    assert "--IdentityProvider.token=t0k" in cmd
    assert f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}" in cmd
    tokens = [next(a for a in lab_command(notebooks=tmp_path) if a.startswith("--IdentityProvider.token=")) for _ in range(2)]
    assert tokens[0] != tokens[1]  # a fresh token each time


def test_kernel_spec_runs_this_python():
    folder = Path(install_kernel())
    spec = json.loads((folder / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable


@pytest.mark.slow  # runs bigmed in a subprocess (Hail, kernels) or writes whole cohorts
def test_lab_serves_the_notebooks_only_with_the_token(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / "hello.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    cmd = lab_command(notebooks=tmp_path, port=port, token="secret-token")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "HOME": str(tmp_path)})
    try:
        url = f"http://127.0.0.1:{port}/api/contents"
        deadline = time.monotonic() + 90
        while True:
            try:
                body = urllib.request.urlopen(f"{url}?token=secret-token", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(1)
        assert "hello.ipynb" in [c["name"] for c in json.loads(body)["content"]]
        try:
            urllib.request.urlopen(url, timeout=5)
            refused = False
        except urllib.error.HTTPError as err:
            refused = err.code == 403
        assert refused
        kernels = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernelspecs?token=secret-token").read())
        assert KERNEL_NAME in kernels["kernelspecs"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
