"""What an attacker gets from the dashboard's sign-in: memory and time, password checks.

    python -m benchmarks.abuse [--site /work/before-site]

Each probe starts its own `stridewise dashboard --workers 1` (one process, so its peak RSS is
the process's) on a new data directory with one admin account, on 127.0.0.1 only, and
stops it afterwards:

- flood: 80 sign-ins with distinct made-up names from 40 threads; the process's resident
  memory before and at its peak (VmHWM), p50 and max response time, the answers by status;
- flood from 80 addresses: the same, each with its own X-Forwarded-For, the dashboard told
  to believe 127.0.0.1 as a proxy (`--trusted-proxy`, when the version has it; earlier
  versions believed it by default): what a spread-out attacker costs;
- lockout race: 40 parallel wrong passwords for the one account, from one address: how many
  were checked (401) for a limit of 5, and how many refused (429);
- forwarded-for: 50 wrong passwords one by one, each with another X-Forwarded-For, no proxy
  configured, then the right one: how many were checked, and whether it signed in.

`--site` runs another installation's code (PYTHONPATH), e.g. the code before a change.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

PASSWORD = "the coach's own password"
START_S = 60


def _command(site: str | None, *args: str) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "PYTHONPATH": site} if site else dict(os.environ)
    return [sys.executable, "-m", "stridewise", *args], env


@contextmanager
def dashboard(site: str | None, *options: str) -> Iterator[tuple[str, int]]:
    """A new data directory with one admin, and a one-process dashboard over it: its
    address and process id."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        add, env = _command(site, "users", "add", "coach", "--admin", "--password-stdin")
        subprocess.run([*add, "--data", str(data)], input=PASSWORD + "\n", text=True,
                       env=env, cwd=tmp, check=True, capture_output=True)  # fmt: skip
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        serve, _ = _command(site, "dashboard", "--data", str(data), "--port", str(port))
        log = (Path(tmp) / "server.log").open("w")
        server = subprocess.Popen([*serve, "--workers", "1", *options], env=env, cwd=tmp,
                                  stdout=log, stderr=log)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_S
            while True:
                try:
                    httpx.get(f"{base}/login", timeout=2)
                    break
                except httpx.HTTPError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("the dashboard did not start") from None
                    time.sleep(0.3)
            yield base, server.pid
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
            errors = [line for line in Path(log.name).read_text().splitlines() if "Error" in line]
            if errors:
                print(f"  the server's last error: {errors[-1]}")


def _kib(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)[1])


def sign_in(base: str, username: str, password: str, forwarded: str | None) -> tuple[int, float]:
    """One browser's sign-in (the form, then its post); the post's status and seconds."""
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    with httpx.Client(base_url=base, timeout=300, headers=headers) as client:
        page = client.get("/login").text
        token = re.search(r'name="login_token" value="([^"]+)"', page)[1]
        form = {"username": username, "password": password, "login_token": token}
        start = time.perf_counter()
        status = client.post("/login", data=form).status_code
        return status, time.perf_counter() - start


def flood(site: str | None, spread: bool, proxy_option: bool) -> str:
    options = ("--trusted-proxy", "127.0.0.1") if spread and proxy_option else ()
    with dashboard(site, *options) as (base, pid):
        before = _kib(pid, "VmRSS")
        with ThreadPoolExecutor(40) as pool:
            done = list(
                pool.map(
                    lambda i: sign_in(
                        base, f"nobody{i}", "a guess", f"10.0.{i}.1" if spread else None
                    ),
                    range(80),
                )
            )
        peak = _kib(pid, "VmHWM")
    seconds = [s for _, s in done]
    statuses = dict(sorted(Counter(status for status, _ in done).items()))
    return (
        f"RSS {before / 1024:.0f} MiB -> peak {peak / 1024:.0f} MiB; post p50 "
        f"{statistics.median(seconds):.2f} s, max {max(seconds):.2f} s; answers {statuses}"
    )


def race(site: str | None) -> str:
    with dashboard(site) as (base, _), ThreadPoolExecutor(40) as pool:
        done = list(pool.map(lambda _: sign_in(base, "coach", "a wrong one", None), range(40)))
    statuses = Counter(status for status, _ in done)
    return f"{statuses[401]} passwords checked of 40 (limit 5), {statuses[429]} refused (429)"


def forwarded_for(site: str | None) -> str:
    with dashboard(site) as (base, _):
        done = [sign_in(base, "coach", "a wrong one", f"10.1.{i}.1")[0] for i in range(50)]
        last = sign_in(base, "coach", PASSWORD, "10.2.0.1")[0]
    signed = "signed in" if last == 303 else f"not signed in ({last})"
    checked = f"{done.count(401)} of 50 checked, {done.count(429)} refused"
    return f"{checked}; then the right password: {signed}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", help="PYTHONPATH of another installation to measure")
    site = parser.parse_args().site
    command, env = _command(site, "dashboard", "--help")
    shown = subprocess.run(command, capture_output=True, text=True, env=env, cwd="/")
    proxy_option = "--trusted-proxy" in shown.stdout
    print(f"flood, one address:    {flood(site, spread=False, proxy_option=proxy_option)}")
    print(f"flood, 80 addresses:   {flood(site, spread=True, proxy_option=proxy_option)}")
    print(f"lockout race:          {race(site)}")
    print(f"X-Forwarded-For:       {forwarded_for(site)}")


if __name__ == "__main__":
    main()
