"""The one ``sqlite_utils`` migration list; modules of this package add to it in order."""

from __future__ import annotations

from sqlite_utils import Migrations

migrations = Migrations("rapport")
