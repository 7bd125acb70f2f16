"""Bearer-token authentication, scopes and rate limits of the API.

``Authorization: Bearer <token>`` names an active token (:mod:`survey.store.api_tokens`); cookies
are ignored, so a signed-in browser cannot be made to call the API (no CSRF surface). A missing,
unknown or revoked token answers 401; a read token on a write operation 403. Requests per token
(``API_RATE_LIMIT``) and failed tokens per client address (``API_AUTH_FAILURES``) are counted in the
shared throttle table under keyed hashes; over the limit the API answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request

from survey.db import get_db
from survey.store import throttle
from survey.store.api_tokens import ApiToken, active_token_for_secret
from survey.web.api.errors import ApiError
from survey.web.throttles import client_address

REQUESTS_SCOPE = "api-token"
FAILURES_SCOPE = "api-auth-failure"


def _limits(key: str) -> tuple[throttle.Limit, ...]:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return ()
    return throttle.parse_limits(str(current_app.config.get(key) or ""))


def _too_many(limits: tuple[throttle.Limit, ...]) -> ApiError:
    wait = min(limit.seconds for limit in limits)
    return ApiError(429, f"Too many requests; wait {wait} seconds and try again.",
                    headers={"Retry-After": str(wait)})


def _unauthorised(detail: str, error: str | None = "invalid_token") -> ApiError:
    challenge = 'Bearer realm="rapport"' + (f', error="{error}"' if error else "")
    return ApiError(401, detail, headers={"WWW-Authenticate": challenge})


def _bearer_secret() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.strip().partition(" ")
    if not header:
        raise _unauthorised("Send an API token: Authorization: Bearer <token>. Admins create tokens "
                            "on the API tokens page.", error=None)
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorised("The Authorization header must read: Bearer <token>.")
    return secret.strip()


def authenticate() -> ApiToken:
    """The token of this request, or :class:`ApiError` 401 / 429."""
    db, key = get_db(), current_app.config["SECRET_KEY"]
    failures = _limits("API_AUTH_FAILURES")
    if failures and throttle.exceeded(db, key, FAILURES_SCOPE, client_address(), failures):
        raise _too_many(failures)
    secret = _bearer_secret()
    token = active_token_for_secret(db, secret)
    if token is None:
        if failures:
            throttle.record(db, key, FAILURES_SCOPE, client_address(), failures)
        raise _unauthorised("This API token is unknown or has been revoked.")
    per_token = _limits("API_RATE_LIMIT")
    if per_token and not throttle.take(db, key, REQUESTS_SCOPE, str(token.id), per_token):
        raise _too_many(per_token)
    return token


def requires(scope: str) -> Callable:
    """Let a view run only for a token whose scope covers ``scope`` ("read" or "write")."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            token = authenticate()
            if not token.allows(scope):
                raise ApiError(403, f"This token has {token.scope} scope; this operation needs {scope}.",
                               headers={"WWW-Authenticate": f'Bearer realm="rapport", '
                                                            f'error="insufficient_scope", scope="{scope}"'})
            g.api_token = token
            return view(*args, **kwargs)

        return wrapped

    return decorator
