"""The crash tests' driver: the nightly flow, in a process that SIGKILLs itself at one point.

    python -m tests.flows.crash_run INBOX DATA POINT N [DELAY_MS]

POINT: `file` (once the N-th file is decoded), `before` or `after` (the N-th table write:
an append or a merge), or `inside` (DELAY_MS after the N-th write starts, while Delta writes
its files and commit).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import stridewise.flows.nightly as nightly
from stridewise.store.tables import Store
from tests.corpus import SAMPLES

BATCH_FILES = 4
WRITE_FILES = 8
"""Small batches, recorded two at a time, so that a crash can fall between the batches of one
group and between the groups of one run."""


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(inbox: Path, data: Path, point: str, n: int, delay_ms: float = 0.0) -> None:
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def reached(event: str) -> bool:
        with lock:
            seen[event] += 1
            return seen[event] == n

    read_runs, writes = nightly.read_runs, {"merge": Store.merge, "append": Store.append}

    def decode(files: Any, **options: Any) -> Any:
        def on_file(*_: Any) -> None:
            if point == "file" and reached("file"):
                _kill()

        return read_runs(files, on_file=on_file, **options)

    def killing(kind: str) -> Any:
        def write(store: Store, name: str, rows: Any) -> None:
            hit = point != "file" and reached("write")
            if hit and point == "before":
                _kill()
            if hit and point == "inside":
                threading.Timer(delay_ms / 1000, _kill).start()
            writes[kind](store, name, rows)
            if hit and point == "after":
                _kill()

        return write

    nightly.read_runs = decode
    Store.merge = killing("merge")  # type: ignore[method-assign]
    Store.append = killing("append")  # type: ignore[method-assign]
    nightly.nightly(
        inbox,
        data,
        roster=SAMPLES / "roster.csv",
        injuries=SAMPLES / "injuries.csv",
        batch_files=BATCH_FILES,
        write_files=WRITE_FILES,
    )


if __name__ == "__main__":
    inbox, data, point, n, *delay = sys.argv[1:]
    main(Path(inbox), Path(data), point, int(n), *map(float, delay))
