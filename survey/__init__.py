"""Rapport's web front end and storage: the Flask application factory lives here.

``create_app`` builds everything in one order: configuration, the database, the web layer
(:mod:`survey.web`) and the ``rapport`` commands (:mod:`survey.cli`). ``docs/architecture.md``
draws the layers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from survey import cli, db, web
from survey.config import load_config


def create_app(
    test_config: Mapping[str, Any] | None = None, *, require_secret_key: bool = True
) -> Flask:
    """Build the Rapport app: config, database, security headers, blueprints and CLI.

    ``require_secret_key=False`` is for offline CLI commands (``init-db``, ``analyze``...) that
    serve no sessions; ``rapport serve`` checks the key itself before starting.
    """
    app = Flask(__name__, instance_path=os.environ.get("RAPPORT_INSTANCE_PATH") or None,
                instance_relative_config=True, template_folder="web/templates",
                static_folder="web/static")
    load_config(app, test_config, require_secret_key=require_secret_key)
    db.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app
