"""The signed values partner forms carry: keyed HMACs under the app's secret, one key per purpose.

The one-time form token (issue 11, item 9) is ``<wave id>.<nonce>.<signature>``: it names the wave
the page was made for, and its random nonce is burnt (stored hashed) when the form is stored, so a
page restored from history cannot be submitted twice. It is plain text signed with HMAC-SHA256
rather than itsdangerous' JSON serializer, which cost ten times as much per request
(DESIGN.md section 8).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets

from flask import current_app

FORM_TOKEN_PURPOSE = b"rapport-partner-form-token"
_FORM_TOKEN = re.compile(r"(\d{1,18})\.([0-9a-f]{32})\.([0-9a-f]{64})")


def sign(purpose: bytes, message: str, secret_key: str | bytes | None = None) -> str:
    """The hex HMAC-SHA256 of ``message`` for ``purpose`` under ``secret_key`` (this app's secret
    key when ``None``)."""
    key = _key(purpose, current_app.config["SECRET_KEY"] if secret_key is None else secret_key)
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def new_form_token(wave_id: int, secret_key: str | bytes | None = None) -> str:
    """A signed one-time token for a form of the wave ``wave_id`` (``secret_key``: as :func:`sign`)."""
    payload = f"{wave_id}.{secrets.token_hex(16)}"
    return f"{payload}.{sign(FORM_TOKEN_PURPOSE, payload, secret_key)}"


def form_token_nonce(wave_id: int, token: str | None) -> str | None:
    """The nonce of ``token`` if it is a genuine form token for the wave ``wave_id``, else ``None``."""
    match = _FORM_TOKEN.fullmatch(token or "")
    if match is None or int(match[1]) != wave_id:
        return None
    expected = sign(FORM_TOKEN_PURPOSE, f"{match[1]}.{match[2]}")
    return match[2] if hmac.compare_digest(match[3], expected) else None


@functools.lru_cache(maxsize=16)
def _key(purpose: bytes, secret_key: str | bytes) -> bytes:
    """A key for one purpose only, derived from the app's secret."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hashlib.sha256(purpose + b"\x00" + secret).digest()
