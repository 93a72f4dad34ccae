"""How a flow tells whoever runs it in this process how far it has got (the CLI's bar).

Flow parameters must be serialisable, so the listener is not one: the caller installs it
around the call, and the flow reports to it (and to its Prefect log) as batches finish.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[int, int], None]
"""Called with (files done, files to do)."""

_listener: ContextVar[Listener | None] = ContextVar("stridewise_progress", default=None)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def report(done: int, total: int) -> None:
    listener = _listener.get()
    if listener is not None:
        listener(done, total)
