"""Rapport's web front end and storage: the Flask application factory lives here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(
    test_config: Mapping[str, Any] | None = None, *, require_secret_key: bool = True
) -> Flask:
    """Build the Rapport app: config, database, security headers, blueprints and CLI.

    ``require_secret_key=False`` is for offline CLI commands (``init-db``, ``analyze``...) that
    serve no sessions; ``rapport serve`` checks the key itself before starting.
    """
    app = Flask(__name__, instance_path=os.environ.get("RAPPORT_INSTANCE_PATH") or None,
                instance_relative_config=True)
    from survey.config import load_config

    load_config(app, test_config, require_secret_key=require_secret_key)

    from survey import admin, auth, builder, cli, db, errorpages, partner, security

    db.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    errorpages.init_app(app)
    app.register_blueprint(partner.bp)
    app.register_blueprint(builder.bp)
    app.register_blueprint(admin.bp)
    from survey import workspace
    app.register_blueprint(workspace.bp)
    from survey import culture
    app.register_blueprint(culture.bp)
    from survey import actions, public
    app.register_blueprint(actions.bp)
    app.register_blueprint(public.bp)
    from survey import downloads
    app.register_blueprint(downloads.bp)
    from survey import explore
    app.register_blueprint(explore.bp)
    cli.init_app(app)
    return app
