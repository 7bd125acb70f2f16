"""E-mail invitation templates per survey, and how many e-mails each mailing sent.

Never an address: a mailing is a wave, a kind (invitation or reminder), two counts and a date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

MAIL_KINDS = ("invitation", "reminder")


@dataclass(frozen=True)
class MailTemplate:
    """A subject and body with ``{placeholders}``."""

    subject: str
    body: str


@dataclass(frozen=True)
class Mailing:
    """One upload's outcome: e-mails sent and not sent, and the day."""

    kind: str
    sent: int
    failed: int
    sent_on: dt.date


def saved_templates(db: sqlite_utils.Database, survey_id: int) -> dict[str, MailTemplate]:
    """The survey's edited templates by kind (kinds never edited are missing)."""
    rows = db.execute("SELECT kind, subject, body FROM email_templates WHERE survey_id = ?", [survey_id])
    return {kind: MailTemplate(subject, body) for kind, subject, body in rows}


def save_template(db: sqlite_utils.Database, survey_id: int, kind: str, template: MailTemplate) -> None:
    """Keep the survey's template of ``kind`` (checked by the caller)."""
    with db.conn:
        db.conn.execute(
            "INSERT INTO email_templates (survey_id, kind, subject, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (survey_id, kind) DO UPDATE SET subject = excluded.subject, body = excluded.body",
            [survey_id, kind, template.subject, template.body])


def record_mailing(db: sqlite_utils.Database, wave_id: int, kind: str, sent: int, failed: int,
                   today: dt.date | None = None) -> None:
    """Keep the counts of one mailing (nothing about who received it)."""
    with db.conn:
        db.conn.execute(
            "INSERT INTO invitation_mailings (wave_id, kind, sent, failed, sent_on) VALUES (?, ?, ?, ?, ?)",
            [wave_id, kind, sent, failed, (today or dt.date.today()).isoformat()])


def mailings_for_wave(db: sqlite_utils.Database, wave_id: int) -> list[Mailing]:
    """The wave's mailings, oldest first."""
    rows = db.execute("SELECT kind, sent, failed, sent_on FROM invitation_mailings WHERE wave_id = ? "
                      "ORDER BY id", [wave_id]).fetchall()
    return [Mailing(kind, sent, failed, dt.date.fromisoformat(day)) for kind, sent, failed, day in rows]
