"""A throwaway PostgreSQL server for the tests: Debian's `postgresql` binaries, a cluster in
a temporary folder, reachable only through a Unix socket there, gone when the tests end.

`make debian` (part of `make test`) installs the package when it is missing and the tests
run as root; without it, the tests that need a server skip with one line saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

SYSTEM_USER = "postgres"
"""Debian's package creates it; PostgreSQL refuses to run as root."""
PORT = 5439
_DATABASES = count()


def binaries() -> Path | None:
    """The folder of `initdb` and `pg_ctl` (the newest installed version), if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", SYSTEM_USER, "--", *args] if os.geteuid() == 0 else args


@contextmanager
def temporary_server(folder: Path) -> Iterator[PostgresServer]:
    """A server on a fresh cluster in `folder`, stopped afterwards."""
    bin_dir = binaries()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    cluster, socket = folder / "cluster", folder / "socket"
    socket.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(folder, SYSTEM_USER)
        shutil.chown(socket, SYSTEM_USER)
    run = {"check": True, "capture_output": True, "timeout": 120}
    subprocess.run(
        _as_server_user([str(bin_dir / "initdb"), "-D", str(cluster), "-U", SYSTEM_USER, "-A",
                         "trust", "--no-sync"]),
        **run,
    )  # fmt: skip
    options = f"-c listen_addresses='' -k {socket} -p {PORT} -c fsync=off"
    log = folder / "server.log"
    subprocess.run(
        _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(cluster), "-l", str(log), "-o",
                         options, "-w", "start"]),
        **run,
    )  # fmt: skip
    try:
        yield PostgresServer(bin_dir, socket)
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(cluster), "-m", "fast", "stop"]),
            check=False,
            capture_output=True,
            timeout=120,
        )


class PostgresServer:
    def __init__(self, bin_dir: Path, socket: Path) -> None:
        self.bin_dir, self.socket = bin_dir, socket

    def new_database(self) -> str:
        """A new, empty database; its SQLAlchemy URL (psycopg over the socket)."""
        name = f"stridewise_{next(_DATABASES)}"
        subprocess.run(
            [str(self.bin_dir / "createdb"), "-h", str(self.socket), "-p", str(PORT), "-U",
             SYSTEM_USER, name],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        return f"postgresql+psycopg://{SYSTEM_USER}@/{name}?host={self.socket}&port={PORT}"
