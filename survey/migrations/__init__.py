"""The one place where the schema is created and changed: ``sqlite_utils`` migrations.

Anonymity (DESIGN.md section 3) is built into the schema: responses, answers, invitation codes and
used form tokens live in ``WITHOUT ROWID`` tables keyed by random values, so storage order says
nothing about arrival order, and no table has a column for an address, agent, cookie or time of day.
"""

from __future__ import annotations

import importlib

import sqlite_utils

from survey.migrations.registry import migrations

#: Modules that register migrations, in the order they apply (a new one goes at the end).
MIGRATION_MODULES = ("base", "insider", "corrections", "hardening", "themes_ui", "oidc", "plain", "api",
                     "backup_imports", "hooks_mail", "submit_budget_2", "submit_perf_3")
for _module in MIGRATION_MODULES:
    importlib.import_module(f"survey.migrations.{_module}")

__all__ = ["migrate", "migrations"]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    pending = [migration.name for migration in migrations.pending(db)]
    migrations.apply(db)
    return pending
