"""The Jupyter kernel manager used by the runner.

Kernels talk to the runner over IPC sockets in a private temporary folder instead of TCP ports: nothing
listens on the network (the secure lab's offline rule), and ipykernel's warning about unencrypted TCP stays
out of the case log. The kernel's own stderr goes to ``$BIGMED_KERNEL_LOG`` (the run's ``logs/kernel.log``)
(stdout too: the Hail JVM inherits both) so that a scheduler's log shows one line per case, not the
kernel's and Spark's chatter.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import default

ENV_KERNEL_LOG = "BIGMED_KERNEL_LOG"


class LocalKernelManager(AsyncKernelManager):
    """An AsyncKernelManager on IPC transport with the kernel's stderr in a log file."""

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"

    @default("ip")
    def _default_ip(self) -> str:
        return os.path.join(tempfile.mkdtemp(prefix="bigmed-kernel-"), "kernel")

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        log_path = os.environ.get(ENV_KERNEL_LOG)
        if log_path and "stderr" not in kw:
            os.makedirs(os.path.dirname(log_path), exist_ok=True)
            log = open(log_path, "ab")  # noqa: SIM115 - owned by the kernel process for its life
            # the kernel talks over its sockets: its stdout and stderr (and the Hail JVM's, which inherits
            # them) carry only log chatter
            kw["stderr"] = log
            kw.setdefault("stdout", log)
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            try:  # the private socket folder, empty once jupyter_client removed its sockets
                os.rmdir(os.path.dirname(self.ip))
            except OSError:
                pass
