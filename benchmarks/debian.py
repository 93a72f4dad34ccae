"""Programs from Debian's packages that benchmarks drive (wrk, chromium), installed with
apt-get when missing: the project's own setup, as on a machine with only Python."""

from __future__ import annotations

import os
import shutil
import subprocess


class NotInstallable(Exception):
    """apt-get could not install the package; the message says why, in one line."""


def debian_program(command: str, package: str) -> str:
    """The path of `command`, installing `package` first if it is not on the PATH."""
    if found := shutil.which(command):
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
        try:
            done = subprocess.run(step, capture_output=True, text=True, env=env, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise NotInstallable(f"{' '.join(step)}: {error}") from None
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise NotInstallable(f"{' '.join(step)} failed: {last}")
    if found := shutil.which(command):
        return found
    raise NotInstallable(f"{package} is installed but {command} is not on the PATH")
