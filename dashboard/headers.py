"""Security headers on every response, errors included, as plain ASGI: Starlette's
`@app.middleware("http")` pipes each body through a stream, which cost more than the cached
team page itself."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
"""Scripts only from this server (the pages have no inline script); plotly.js sets styles."""


STATIC = "/static/"
"""The only answers a browser or a proxy may keep: scripts and styles, no one's data."""


class SecurityHeaders:
    """Content-Security-Policy (except under `exempt`: Swagger UI starts with an inline
    script), no MIME sniffing, no referrer sent to other sites, and nothing kept in any
    cache but the static files (pages, feeds, exports and the API carry health data)."""

    def __init__(self, app: ASGIApp, exempt: str) -> None:
        self.app = app
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        strict = not scope["path"].startswith(self.exempt)
        static = scope["path"].startswith(STATIC)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if strict:
                    headers["Content-Security-Policy"] = CONTENT_POLICY
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                if not static:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


def outermost(app: Starlette, exempt: str) -> None:
    """Wrap the whole app in SecurityHeaders: `add_middleware` puts it inside Starlette's
    ServerErrorMiddleware, whose 500 answers would then go out without the headers."""
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build(), exempt)  # type: ignore[method-assign]
