"""A Prefect server of stridewise's own, its database under the data directory: what
`stridewise serve` starts when no server is configured (the temporary server that one-off
runs use stops with its process, and cannot run schedules)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PREFECT = (sys.executable, "-m", "prefect")

STARTUP_TIMEOUT_S = 180.0
"""A new database is migrated on the first start (25 s on the 2-core reference machine)."""


class ServerError(RuntimeError):
    """The server could not be started: the message says why, in one line."""


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@contextmanager
def local_server(home: Path, port: int) -> Iterator[str]:
    """Run `prefect server start` on 127.0.0.1:`port` with `home` as its PREFECT_HOME (its log
    in `home/server.log`) until the block ends; yields the API URL once it answers."""
    if not port_is_free(port):
        raise ServerError(f"port {port} is in use: choose another with --port")
    url = f"http://127.0.0.1:{port}/api"
    log_path = home / "server.log"
    with log_path.open("ab") as log:
        server = subprocess.Popen(
            [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, "PREFECT_HOME": str(home)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C stops the runner first, then it stops the server
        )
    try:
        _wait_until_healthy(url, server, log_path)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerError(
                f"the Prefect server stopped at start-up (exit code {server.returncode}): see {log}"
            )
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise ServerError(f"the Prefect server did not answer in {STARTUP_TIMEOUT_S:.0f} s: see {log}")
