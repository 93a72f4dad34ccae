"""The one error type a FIT file can raise: what a user sees for a bad file."""

from __future__ import annotations


class FitDecodeError(Exception):
    """A file that cannot be read as a FIT activity, with a one-line reason."""

    def __init__(self, reason: str, path: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path

    def with_path(self, path: str) -> FitDecodeError:
        """The same error, naming the file it came from."""
        return type(self)(self.reason, path)

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" if self.path else self.reason


class NotAnActivity(FitDecodeError):
    """A readable FIT file that records no activity (a workout, a course, settings, daily
    monitoring: a watch's folder holds them too): nothing to ingest, and nothing broken."""
