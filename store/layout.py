"""Where the app database is, for code that must know without importing SQLAlchemy (the
one-second `score` opens it only when there is one)."""

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
