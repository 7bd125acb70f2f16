"""Issue 15: staff accounts signed in through OpenID Connect, and single-use sign-in states."""

from __future__ import annotations

import sqlite_utils

from survey.migrations.registry import migrations


@migrations()
def oidc_m300_staff_sso(db: sqlite_utils.Database) -> None:
    """The provider identity (issuer + subject) of an account made at single sign-on, and the
    states of sign-ins in progress (hashed, with a coarse expiry), each accepted once."""
    db.executescript(
        """
        ALTER TABLE staff ADD COLUMN oidc_subject TEXT;
        CREATE UNIQUE INDEX idx_staff_oidc_subject ON staff(oidc_subject) WHERE oidc_subject IS NOT NULL;
        CREATE TABLE oidc_login_states (
            state_hash TEXT PRIMARY KEY,
            expires INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX idx_oidc_login_states_expires ON oidc_login_states(expires);
        """
    )
