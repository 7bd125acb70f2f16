"""Staff sessions that end when they should, and HTTPS-only cookies (issue 11, item 5).

- **Trusted proxies**: ``TRUSTED_PROXIES`` (default 0) is how many reverse proxies in front of
  Rapport may set ``X-Forwarded-For/-Proto/-Host``; with 0 those headers are ignored, so a client
  cannot pretend to come from another address or over HTTPS.
- **HTTPS**: a request that arrived over HTTPS (directly, or through a trusted proxy) gets a
  ``Secure`` session cookie and ``Strict-Transport-Security`` (``HSTS_SECONDS``).
- **No caching**: every ``/staff`` page and download says ``Cache-Control: no-store``.
- **Idle timeout**: a staff session unused for ``SESSION_IDLE_SECONDS`` is signed out.
- **Logout ends the session everywhere**: each account has a session version, copied into the
  session at sign-in; logout bumps it, so a cookie captured earlier is refused by every worker.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, flash, request, session
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import current_user, logout_user
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

#: Session keys: the account's session version at sign-in, and the last time the session was used.
VERSION_KEY = "staff_session_version"
SEEN_KEY = "staff_seen"
#: How the session signed in: "password" or "oidc" (single sign-on; sign-out may end it there too).
SIGN_IN_METHOD_KEY = "staff_sign_in_method"
IDLE_MESSAGE = "You were signed out after {minutes} minutes without activity. Please sign in again."


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, marked ``Secure`` whenever the request came over HTTPS.

    The signing serializer is built once per key set rather than twice per request (Flask's
    default), which was a tenth of a partner page's session cost (DESIGN.md section 8).
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def __init__(self) -> None:
        self._serializers: dict[tuple[str | bytes, ...], URLSafeTimedSerializer] = {}

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """As Flask's, but an empty, unchanged session (every partner page) returns before working
        out the cookie's six attributes from the configuration, and says ``Vary: Cookie`` only on
        a response a cache may keep: ``no-store`` ones (every partner and staff page) are never
        cached, so the header would only cost the server and the browser parsing it."""
        if not session and not session.modified:
            if session.accessed and "no-store" not in response.headers.get("Cache-Control", ""):
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)  # current key last
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = URLSafeTimedSerializer(
                list(keys), salt=self.salt, serializer=self.serializer,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
            )
        return serializer


def remember_session_version(version: int) -> None:
    """Called at sign-in: bind this session to the account's current session version."""
    session[VERSION_KEY] = version
    session[SEEN_KEY] = round(time.time(), 1)


def session_is_current(version: int) -> bool:
    """Whether this session was signed in under the account's current session version."""
    return session.get(VERSION_KEY) == version


def _end_idle_session(app: Flask) -> None:
    if not request.path.startswith("/staff") or not current_user.is_authenticated:
        return
    now, idle = round(time.time(), 1), int(app.config["SESSION_IDLE_SECONDS"])
    seen = session.get(SEEN_KEY)
    if isinstance(seen, int | float) and now - seen > idle:
        logout_user()
        session.pop(VERSION_KEY, None)
        session.pop(SEEN_KEY, None)
        flash(IDLE_MESSAGE.format(minutes=max(1, idle // 60)), "info")
        return
    session[SEEN_KEY] = now


def strict_transport_security(config: Mapping[str, Any]) -> str | None:
    """The ``Strict-Transport-Security`` value for HTTPS responses, ``None`` when ``HSTS_SECONDS`` is 0."""
    seconds = int(config["HSTS_SECONDS"])
    return f"max-age={seconds}" if seconds > 0 else None


def _staff_headers(response: Response) -> Response:
    if request.path.startswith("/staff"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    """Trust the configured proxies, and wire cookies, HSTS, no-store and the idle timeout."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.session_interface = HttpsAwareSessionInterface()
    hsts = strict_transport_security(app.config)

    @app.before_request
    def end_idle_session() -> None:
        _end_idle_session(app)

    @app.after_request
    def session_headers(response: Response) -> Response:
        if request.is_secure and hsts:
            response.headers["Strict-Transport-Security"] = hsts
        return _staff_headers(response)
