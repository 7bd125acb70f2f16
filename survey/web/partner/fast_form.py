"""A public wave's blank form served before Flask, for the plain case (DESIGN.md section 8).

Opening a public survey link is half of a partner's requests, and Flask's work around that page
(request context, session, routing, the app's hooks) cost more than building it: about 0.2 ms of
the 0.27 ms a GET took in process. This WSGI middleware answers the plain case itself: a ``GET
/s/<token>`` with no query string, from a browser that sends no cookie but the partner one, for
an open public wave this browser has not answered, whose page this worker has already rendered
(:mod:`.blank_form`). It sends what the Flask view sends (the page with fresh tokens, the partner
cookie when new, ``no-store``, HSTS over HTTPS, the security headers): ``tests/test_partner_fast_form.py``
compares the two answers header by header. Everything else goes to Flask unchanged: other paths and
methods, closed, scheduled and invitation waves, a wave already answered, unknown tokens, any
other cookie (a staff session, flashed messages, remember-me), debug mode, the first visit after
an edit. It sits inside ``ProxyFix``, so it sees the scheme and host the app would.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.http import parse_cookie

from survey.db import partner_db_for
from survey.errors import NotFound
from survey.web.partner import blank_form, browser_cookie, tokens
from survey.web.partner.answer import definition_cache
from survey.web.security import SECURITY_HEADERS
from survey.web.sessions import strict_transport_security

_PATH = re.compile(r"/s/([A-Za-z0-9_-]{1,64})")
_ASCII_ROOT = re.compile(r"[\x21-\x7e]*")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class BlankFormFastPath:
    """WSGI middleware: the plain blank-form GET answered here, everything else by ``wsgi_app``."""

    def __init__(self, app: Flask, wsgi_app: WSGIApp) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and not environ.get("QUERY_STRING"):
            match = _PATH.fullmatch(environ.get("PATH_INFO", ""))
            answer = self.blank_form(environ, match[1]) if match else None
            if answer is not None:
                headers, body = answer
                start_response("200 OK", headers)
                return [body]
        return self.wsgi_app(environ, start_response)

    def blank_form(self, environ: dict[str, Any], token: str) -> tuple[list[tuple[str, str]], bytes] | None:
        """The headers and body of the blank form for ``token``, or ``None`` when Flask must answer."""
        app, config = self.app, self.app.config
        script_root = environ.get("SCRIPT_NAME", "")
        if app.debug or not _ASCII_ROOT.fullmatch(script_root):
            return None
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if any(name != browser_cookie.COOKIE_NAME for name in cookies):
            return None
        try:
            definition = definition_cache(app).by_token(partner_db_for(config["DATABASE"]), token)
        except (NotFound, sqlite3.Error):
            return None
        wave = definition.wave
        if wave.access != "public" or wave.status(dt.date.today()) != "open":
            return None
        cookie = browser_cookie.parse(cookies.get(browser_cookie.COOKIE_NAME, ""))
        if wave.id in cookie.answered:
            return None
        script_root = script_root.rstrip("/")
        key = blank_form.page_key(wave, definition.survey, definition.questions, script_root, config)
        page = blank_form.cached_page(app, key)
        if page is None:
            return None
        secret = config["SECRET_KEY"]
        csrf_on = config.get("WTF_CSRF_ENABLED", True)
        csrf = browser_cookie.new_csrf_token(cookie.key, secret) if csrf_on else None
        body = blank_form.filled(page, csrf, tokens.new_form_token(wave.id, secret)).encode()
        secure = environ.get("wsgi.url_scheme") in ("https", "wss")  # as request.is_secure
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        if cookie.changed:
            set_cookie = browser_cookie.set_cookie_header(cookie, config, script_root, secure,
                                                          config["MAX_COOKIE_SIZE"])
            headers.append(("Set-Cookie", set_cookie))
        headers.append(("Cache-Control", "no-store"))
        hsts = strict_transport_security(config)
        if secure and hsts:
            headers.append(("Strict-Transport-Security", hsts))
        headers.extend(SECURITY_HEADERS)
        return headers, body


def init_app(app: Flask) -> None:
    """Put the fast path in front of ``app``'s own WSGI callable (before any proxy fix wraps it)."""
    app.wsgi_app = BlankFormFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
