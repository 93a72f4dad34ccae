"""Secrets at rest: encrypted with a key outside the database, shown back redacted."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from stridewise.store.secrets import SECRET_KEY_ENV, SecretError, decrypt, encrypt, redacted


def test_a_secret_round_trips_under_a_key_file_only_its_owner_reads(tmp_path: Path) -> None:
    token = encrypt(tmp_path, "slack://T1/B2/s3cret")
    assert "s3cret" not in token
    assert decrypt(tmp_path, token) == "slack://T1/B2/s3cret"
    mode = stat.S_IMODE((tmp_path / "secret.key").stat().st_mode)
    assert mode == 0o600


def test_another_key_cannot_read_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = encrypt(tmp_path, "json://hooks.example.org/x")
    monkeypatch.setenv(SECRET_KEY_ENV, Fernet.generate_key().decode())
    with pytest.raises(SecretError, match="cannot be decrypted with this key"):
        decrypt(tmp_path, token)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("json://127.0.0.1:8025/hook-token", "json://127.0.0.1:8025/…"),
        ("mailtos://zoe:pw@smtp.example.org:587?to=z@example.org", "mailtos://smtp.example.org:587/…"),
        ("slack://T0123/B0456/abcdef", "slack://…"),  # Slack's first part is a token
        ("ntfy://private-topic", "ntfy://…"),
        ("json://localhost:bad/x", "json://localhost/…"),
    ],
)
def test_only_scheme_and_network_host_are_shown(url: str, shown: str) -> None:
    assert redacted(url) == shown
