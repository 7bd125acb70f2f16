"""The partner's one cookie: a random browser key for CSRF, and the waves answered in this browser.

Partner pages do not use Flask's signed session: signing, JSON, zlib and the timestamp on every
request were an eighth of a submission's server time (DESIGN.md section 8). Instead each browser
gets one cookie, ``rapport_partner`` (path ``/s/``, ``HttpOnly``, ``SameSite`` as configured for
sessions, ``Secure`` over HTTPS, deleted when the browser closes), holding

- a random key, sent back with every partner request. The form's ``csrf_token`` is an HMAC of that
  key and a timestamp under the server's secret (OWASP's "signed double-submit cookie"): a page on
  another site cannot read the cookie or set it, so it cannot produce a token this browser's key
  accepts; and ``SameSite`` keeps the browser from sending the cookie with a cross-site POST at all;
- the ids of the waves submitted from this browser, so Back + Submit says "you already answered"
  (issue 11, item 9). Only the browser can change this list, and only to its own disadvantage.

The server stores neither: the key is compared with the token and dropped, and nothing in the cookie
is ever written with a response or logged.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, g, request
from werkzeug.http import dump_cookie

from survey.web.partner import tokens

COOKIE_NAME = "rapport_partner"
CSRF_PURPOSE = b"rapport-partner-csrf"
#: Waves remembered per browser (oldest forgotten first).
MAX_REMEMBERED = 20
_COOKIE_VALUE = re.compile(rf"([0-9a-f]{{32}})(?:_(\d{{1,18}}(?:\.\d{{1,18}}){{0,{MAX_REMEMBERED - 1}}}))?")
_TOKEN = re.compile(r"(\d{1,12})\.([0-9a-f]{64})")
_G_KEY = "rapport_partner_cookie"


@dataclass
class PartnerCookie:
    """This request's view of the cookie; ``changed`` when the response must set it again."""

    key: str
    answered: list[int] = field(default_factory=list)
    changed: bool = False
    csrf_token: str | None = None


def current() -> PartnerCookie:
    """The cookie the browser sent (read once per request), or a new key when there was none."""
    cookie: PartnerCookie | None = g.get(_G_KEY)
    if cookie is None:
        cookie = parse(request.cookies.get(COOKIE_NAME, ""))
        setattr(g, _G_KEY, cookie)
    return cookie


def parse(value: str) -> PartnerCookie:
    """The cookie's value as the browser sent it, or a new key (``changed``) when it is not ours."""
    match = _COOKIE_VALUE.fullmatch(value)
    if match is None:
        return PartnerCookie(secrets.token_hex(16), changed=True)
    answered = [int(wave_id) for wave_id in match[2].split(".")] if match[2] else []
    return PartnerCookie(match[1], answered)


def answered_here(wave_id: int) -> bool:
    """Whether this browser has already submitted the wave ``wave_id``."""
    return wave_id in current().answered


def remember_answered(wave_id: int) -> None:
    """Remember in this browser (until it closes) that it has submitted the wave ``wave_id``."""
    cookie = current()
    cookie.answered = [*[known for known in cookie.answered if known != wave_id][-(MAX_REMEMBERED - 1):],
                       wave_id]
    cookie.changed = True


def csrf_token() -> str:
    """This request's CSRF token for the browser's key (the same one for every form of the page)."""
    cookie = current()
    if cookie.csrf_token is None:
        cookie.csrf_token = new_csrf_token(cookie.key, current_app.config["SECRET_KEY"])
    return cookie.csrf_token


def new_csrf_token(key: str, secret_key: str | bytes) -> str:
    """A CSRF token issued now for the browser key ``key``."""
    issued = str(int(time.time()))
    return f"{issued}.{_signature(key, issued, secret_key)}"


def csrf_token_is_valid(token: str | None) -> bool:
    """Whether ``token`` was issued for the key this browser sent, within ``WTF_CSRF_TIME_LIMIT``.

    A request without the cookie has just been given a new random key, which no token matches.
    """
    match = _TOKEN.fullmatch(token or "")
    if match is None:
        return False
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT")
    if limit and not -60 <= time.time() - int(match[1]) <= int(limit):
        return False
    expected = _signature(current().key, match[1], current_app.config["SECRET_KEY"])
    return hmac.compare_digest(match[2], expected)


def save(response: Response) -> Response:
    """Set the cookie on ``response`` when this request made a key or remembered a wave."""
    cookie: PartnerCookie | None = g.get(_G_KEY)
    if cookie is None or not cookie.changed:
        return response
    response.headers.add("Set-Cookie", set_cookie_header(cookie, current_app.config, request.script_root,
                                                         request.is_secure, response.max_cookie_size))
    return response


def set_cookie_header(cookie: PartnerCookie, config: Mapping[str, Any], script_root: str, is_secure: bool,
                      max_size: int) -> str:
    """The ``Set-Cookie`` value that stores ``cookie`` in the browser (as Werkzeug's ``set_cookie``
    writes it: path ``/s/``, ``HttpOnly``, ``Secure`` over HTTPS, ``SameSite`` as for sessions)."""
    value = cookie.key + ("_" + ".".join(map(str, cookie.answered)) if cookie.answered else "")
    return dump_cookie(COOKIE_NAME, value, path=f"{script_root}/s/", httponly=True,
                       secure=bool(config["SESSION_COOKIE_SECURE"]) or is_secure,
                       samesite=config.get("SESSION_COOKIE_SAMESITE") or "Lax", max_size=max_size)


def _signature(key: str, issued: str, secret_key: str | bytes) -> str:
    return tokens.sign(CSRF_PURPOSE, f"{key}.{issued}", secret_key)
