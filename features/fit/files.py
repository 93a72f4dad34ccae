"""Find the FIT files a user pointed at: files as given, folders searched recursively."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path


def is_fit_name(path: Path) -> bool:
    return path.suffix.lower() == ".fit"


def find_fit_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Each named file, and every `*.fit` (any case) below each named folder, in sorted order.

    A path that does not exist is yielded as is, so that the caller reports it like any file
    it cannot read; hidden files and folders (dot-names, e.g. macOS `._` forks) are skipped;
    a link to a FIT file is read as the file (the user pointed at the folder holding it).
    """
    for path in paths:
        if path.is_dir():
            files, links = fit_files_below(path)
            yield from sorted([*files, *(link for link in links if link.is_file())])
        else:
            yield path


def fit_files_below(folder: Path) -> tuple[list[Path], list[Path]]:
    """The `*.fit` files (any case) below a folder, sorted, and apart from them the symbolic
    links met on the way (to a folder, or named `*.fit`), neither followed nor read: a link
    can lead out of the folder, and an inbox must not make the pipeline read what lies
    elsewhere (`/etc/hostname`). Hidden files and folders (dot-names) are skipped."""
    files: list[Path] = []
    links: list[Path] = []
    for root, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        base = Path(root)
        links += (base / name for name in folders if (base / name).is_symlink())
        for name in names:
            path = base / name
            if name.startswith(".") or not is_fit_name(path):
                continue
            if path.is_symlink():
                links.append(path)
            elif path.is_file():  # not a FIFO or a device that reading would hang on
                files.append(path)
    return sorted(files), sorted(links)
