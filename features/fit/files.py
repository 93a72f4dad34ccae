"""Find the FIT files a user pointed at: files as given, folders searched recursively."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path


def is_fit_name(path: Path) -> bool:
    return path.suffix.lower() == ".fit"


def find_fit_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Each named file, and every `*.fit` (any case) below each named folder, in sorted order.

    A path that does not exist is yielded as is, so that the caller reports it like any file
    it cannot read; hidden files and folders (dot-names, e.g. macOS `._` forks) are skipped.
    """
    for path in paths:
        if path.is_dir():
            found = (
                p
                for p in path.rglob("*")
                if is_fit_name(p)
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            yield from sorted(found)
        else:
            yield path
