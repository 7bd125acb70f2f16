"""Admin page "Settings and backups": effective settings, replication status, the last backup."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

from survey.db import get_db
from survey.services.replication import ReplicaSettings, replica_status
from survey.services.settings_report import effective_settings
from survey.store.backups import latest_backup
from survey.web.auth import role_required

bp = Blueprint("system", __name__, url_prefix="/staff/admin")


@bp.route("/system")
@role_required("admin")
def index() -> Any:
    """Backup and replication status, and every setting in force (secrets masked)."""
    config = current_app.config
    settings = ReplicaSettings.from_config(config)
    page = {"replica": replica_status(settings), "sync_interval": settings.sync_interval,
            "with_serve": bool(config["REPLICATE_WITH_SERVE"]), "backup": latest_backup(get_db()),
            "settings": effective_settings(config)}
    return render_template("admin/system.html", **page)
