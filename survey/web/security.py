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


def add_security_headers(response: Response) -> Response:
    """Attach the CSP and related headers to every response."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "interest-cohort=(), camera=(), microphone=()"
    return response


def init_app(app: Flask) -> None:
    """Enable CSRF protection and the security headers."""
    csrf.init_app(app)
    app.after_request(add_security_headers)
