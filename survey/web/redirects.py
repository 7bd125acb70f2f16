"""Where sign-in may send a browser next: same-origin relative paths only (issue 11, item 4)."""

from __future__ import annotations

from urllib.parse import urlsplit

#: Characters a browser drops or treats as ``/`` while parsing a URL, so ``/\tevil`` or ``/\\evil``
#: could become ``//evil``; a ``next`` holding any of them (or any control character) is refused.
_SUSPICIOUS = frozenset("\\") | frozenset(chr(code) for code in range(0x20)) | {"\x7f"}


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (``/staff/...?...``), else ``None``.

    Refuses absolute URLs, scheme-relative ``//host``, backslashes, control and whitespace
    characters that browsers strip, and anything that parses with a scheme or a host.
    """
    if not target or len(target) > 2000 or any(ch in _SUSPICIOUS or ch.isspace() for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return target
