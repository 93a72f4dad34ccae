"""Secrets at rest: notification target URLs hold passwords and webhook tokens.

They are encrypted with Fernet (AES-128-CBC with an HMAC, from `cryptography`) under a key
that is not in the database: `$STRIDEWISE_SECRET_KEY`, else `DATA/secret.key`, created on first
use and readable by its owner only. A stolen database then holds no usable URL; a URL is only
ever shown back redacted to its scheme and host.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken

SECRET_KEY_ENV = "STRIDEWISE_SECRET_KEY"
KEY_FILE = "secret.key"


class SecretError(Exception):
    """A secret cannot be read back; the message says why, in one line."""


def _key(data: Path) -> bytes:
    if value := os.environ.get(SECRET_KEY_ENV):
        return value.encode()
    path = data / KEY_FILE
    if not path.exists():
        data.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as f:
            f.write(Fernet.generate_key())
    return path.read_bytes().strip()


def encrypt(data: Path, text: str) -> str:
    return Fernet(_key(data)).encrypt(text.encode()).decode()


def decrypt(data: Path, token: str) -> str:
    try:
        return Fernet(_key(data)).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise SecretError(
            f"a stored secret cannot be decrypted with this key (${SECRET_KEY_ENV} or "
            f"{data / KEY_FILE} changed since it was stored)"
        ) from None


def sign(data: Path, message: str) -> str:
    """An HMAC-SHA256 of `message` under the secret key: a link that works without a sign-in
    (a calendar feed) carries it, and only this installation can make one."""
    key = hashlib.sha256(b"stridewise link " + _key(data)).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def signed(data: Path, message: str, signature: str) -> bool:
    """Whether `signature` is `message`'s (bytes compared: any text, of any length, is only
    a wrong signature)."""
    return hmac.compare_digest(sign(data, message).encode(), signature.encode(errors="replace"))


def redacted(url: str) -> str:
    """What may be shown of a target URL: its scheme, and its host when that is a network
    address ("json://127.0.0.1:8025/…", "mailtos://smtp.example.org/…"), never a user,
    password, token or path: "slack://…" (Slack's and ntfy's first part is a token)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # not a number: say nothing of it
        port = ""
    if "." not in host and host != "localhost":
        return f"{parts.scheme}://…"
    return f"{parts.scheme}://{host}{port}/…"
