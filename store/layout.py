"""Where the app database is, for code that must know without importing SQLAlchemy (the
one-second `score` opens it only when there is one), and who may read the data directory."""

from __future__ import annotations

import os
from pathlib import Path

APP_DATABASE_FILE = "app.db"
DATABASE_URL_VARIABLE = "STRIDEWISE_DATABASE_URL"


def app_database_url(data: Path) -> str:
    """$STRIDEWISE_DATABASE_URL (e.g. PostgreSQL), else SQLite in the data directory."""
    return os.environ.get(DATABASE_URL_VARIABLE) or f"sqlite:///{data / APP_DATABASE_FILE}"


def has_app_database(data: Path) -> bool:
    return DATABASE_URL_VARIABLE in os.environ or (data / APP_DATABASE_FILE).is_file()


PRIVATE_UMASK = 0o077
"""What the command line creates is its user's alone: directories 0700, files 0600 (Delta
tables, the app database, secret.key, the quarantine, Prefect's home: health data all)."""


def keep_private(data: Path) -> None:
    """Make a data directory its owner's alone (0700), as an earlier version may have left
    it open to every local user; one owned by someone else is left as it is."""
    try:
        found = data.stat()
    except OSError:
        return
    if found.st_mode & 0o077 and found.st_uid == os.geteuid():
        data.chmod(0o700)
