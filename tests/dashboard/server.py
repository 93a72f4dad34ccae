"""The dashboard as its users start it, for the tests and the benchmark: `stridewise dashboard`
in its own process on a free port, and the sign-in form a browser would post."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.flows.common import free_port

START_S = 60


@contextmanager
def running_dashboard(data: Path, log: Path, *options: str) -> Iterator[str]:
    """The server's address once it answers; what it prints (out and error) goes to `log`."""
    with dashboard_process(data, log, *options) as (base, _):
        yield base


@contextmanager
def dashboard_process(
    data: Path, log: Path, *options: str
) -> Iterator[tuple[str, subprocess.Popen]]:
    """The server's address once it answers, and its process."""
    port = free_port()
    command = [sys.executable, "-m", "stridewise", "dashboard", "--data", str(data)]
    with log.open("w") as output:
        server = subprocess.Popen(
            [*command, "--port", str(port), *options], stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_S
        while True:
            assert server.poll() is None, log.read_text()
            try:
                httpx.get(f"{base}/login", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, f"no answer in {START_S} s"
                time.sleep(0.3)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def sign_in_form(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    """What the sign-in form posts (its token comes with the page, and its cookie)."""
    page = client.get("/login").text
    token = re.search(r'name="login_token" value="([^"]+)"', page)[1]
    return {"username": username, "password": password, "login_token": token}
