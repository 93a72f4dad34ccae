"""Local receivers of notifications, as a coach's channels would be: an HTTP endpoint that
keeps what is posted to it (Apprise's json://) and an SMTP server that keeps the mail."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


@contextmanager
def http_receiver(
    status: int = 200, port: int = 0, location: str | None = None
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(port, posts): every JSON body posted, with its path, while the context lasts; the
    answer is `status` (500: a channel that refuses; 307 with `location`: one that redirects);
    on `port` if given (a channel that was down and is back), else on a free one."""
    posts: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            posts.append({"path": self.path, **json.loads(body)})
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], posts
    finally:
        server.shutdown()
        server.server_close()


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 OK"


@contextmanager
def smtp_receiver(port: int) -> Iterator[list[Message]]:
    """The mail an SMTP server on 127.0.0.1:`port` receives while the context lasts."""
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox.messages
    finally:
        controller.stop()
