"""Response headers that keep partner pages self-contained: strict CSP, no referrer, no framing."""

from __future__ import annotations

from flask import Flask, Response
from flask_wtf import CSRFProtect

#: Everything comes from this host; no inline script, no other origin, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)

csrf = CSRFProtect()


#: The headers every response carries (also sent by :mod:`survey.web.partner.fast_form`).
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "interest-cohort=(), camera=(), microphone=()"),
)


def add_security_headers(response: Response) -> Response:
    """Attach the CSP and related headers to every response."""
    for name, value in SECURITY_HEADERS:
        response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    """Enable CSRF protection and the security headers."""
    csrf.init_app(app)
    app.after_request(add_security_headers)
