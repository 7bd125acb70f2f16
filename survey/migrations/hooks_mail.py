"""Issue 15, parts 3 and 4: webhook endpoints, events and deliveries; e-mail invitation counts.

Nothing here holds a response or an e-mail address. Events keep the date only (DESIGN.md section 3,
rule 9); a delivery keeps a retry time only while it is pending.
"""

from __future__ import annotations

import sqlite_utils

from survey.migrations.registry import migrations


@migrations()
def hooks_mail_webhooks(db: sqlite_utils.Database) -> None:
    """Endpoints (secret kept to sign with), the event outbox, one delivery per endpoint and event,
    and the last wave status seen, so opening and closing (by date) become events once."""
    db.executescript(
        """
        CREATE TABLE webhook_endpoints (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            secret TEXT NOT NULL,
            events TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1,
            created_on TEXT NOT NULL
        );
        CREATE TABLE webhook_events (
            id INTEGER PRIMARY KEY,
            public_id TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_on TEXT NOT NULL
        );
        CREATE TABLE webhook_deliveries (
            id INTEGER PRIMARY KEY,
            endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
            event_id INTEGER NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL,
            lease_until REAL,
            last_status INTEGER,
            last_error TEXT NOT NULL DEFAULT '',
            last_attempt_on TEXT
        );
        CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);
        CREATE INDEX idx_webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id);
        CREATE TABLE webhook_wave_states (
            wave_id INTEGER PRIMARY KEY REFERENCES waves(id) ON DELETE CASCADE,
            status TEXT NOT NULL
        );
        INSERT INTO webhook_wave_states (wave_id, status)
            SELECT id, CASE WHEN date('now', 'localtime') < opens_on THEN 'scheduled'
                            WHEN date('now', 'localtime') <= closes_on THEN 'open'
                            ELSE 'closed' END
            FROM waves;
        """
    )


@migrations()
def hooks_mail_invitation_mail(db: sqlite_utils.Database) -> None:
    """E-mail templates per survey, and how many invitations or reminders a wave's mailing sent
    (a count and a date: never an address)."""
    db.executescript(
        """
        CREATE TABLE email_templates (
            survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (survey_id, kind)
        ) WITHOUT ROWID;
        CREATE TABLE invitation_mailings (
            id INTEGER PRIMARY KEY,
            wave_id INTEGER NOT NULL REFERENCES waves(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            sent INTEGER NOT NULL,
            failed INTEGER NOT NULL,
            sent_on TEXT NOT NULL
        );
        """
    )
