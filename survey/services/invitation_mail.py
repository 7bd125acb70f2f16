"""Sending invitation codes and reminders by e-mail, then forgetting the addresses (issue 15, part 4).

The addresses live only in this request's memory: they are never written to the database, a log or
a file, and no code is ever stored next to an address (codes are kept as hashes, as always). Only
the number of e-mails sent is kept (:mod:`survey.store.mailings`).

Reminders carry the wave's plain link, not a code. Rapport cannot know who answered (that is the
point), so a reminder goes to everyone on the list again. Had reminders carried a fresh code, a
person who already answered would hold a second working code and could answer twice; re-sending
the *same* code would need the address-to-code pairing that Rapport refuses to keep. So the
reminder asks people to use their first e-mail's code, and thanks those who already answered.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import sqlite_utils

from survey.errors import InvalidInput
from survey.services.mail_addresses import AddressList, read_addresses
from survey.services.mail_templates import render, templates_for
from survey.store.invitations import generate_invitation_codes, withdraw_invitation_codes
from survey.store.mailings import record_mailing
from survey.store.surveys import Wave, get_survey, get_wave


class MailError(InvalidInput):
    """The mail server could not be reached or refused the sender: nothing was sent."""


@dataclass(frozen=True)
class SmtpSettings:
    """The ``SMTP_*`` configuration keys."""

    host: str | None
    port: int = 587
    username: str | None = None
    password: str | None = None
    sender: str | None = None
    starttls: bool = True
    implicit_tls: bool = False
    ca_file: str | None = None
    timeout_seconds: float = 30

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        """Read ``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USERNAME``, ``SMTP_PASSWORD``, ``SMTP_FROM``,
        ``SMTP_STARTTLS``, ``SMTP_SSL``, ``SMTP_CA_FILE`` and ``SMTP_TIMEOUT_SECONDS``."""
        return cls(config.get("SMTP_HOST") or None, int(config.get("SMTP_PORT") or 587),
                   config.get("SMTP_USERNAME") or None, config.get("SMTP_PASSWORD") or None,
                   config.get("SMTP_FROM") or None, bool(config.get("SMTP_STARTTLS", True)),
                   bool(config.get("SMTP_SSL", False)), config.get("SMTP_CA_FILE") or None,
                   float(config.get("SMTP_TIMEOUT_SECONDS") or 30))

    @property
    def configured(self) -> bool:
        """Whether e-mail can be sent at all (a host and a sender address)."""
        return bool(self.host and self.sender)


@dataclass
class MailingReport:
    """What one upload did: e-mails sent, per-line problems, notes; addresses only for the BRM's eyes."""

    kind: str
    sent: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=settings.ca_file)
    client: smtplib.SMTP
    if settings.implicit_tls:
        client = smtplib.SMTP_SSL(settings.host or "", settings.port, timeout=settings.timeout_seconds,
                                  context=context)
    else:
        client = smtplib.SMTP(settings.host or "", settings.port, timeout=settings.timeout_seconds)
    try:
        if settings.starttls and not settings.implicit_tls:
            client.starttls(context=context)
        if settings.username:
            client.login(settings.username, settings.password or "")
    except BaseException:
        client.close()
        raise
    return client


def _open(settings: SmtpSettings) -> smtplib.SMTP:
    if not settings.configured:
        raise MailError("E-mail is not set up: ask an admin to set SMTP_HOST and SMTP_FROM "
                        "(README, \u201cE-mail invitations\u201d).")
    try:
        return _connect(settings)
    except smtplib.SMTPAuthenticationError as error:
        raise MailError("The mail server refused the SMTP user name or password "
                        f"({error.smtp_code}).") from None
    except smtplib.SMTPNotSupportedError:
        raise MailError("The mail server does not offer STARTTLS; Rapport does not send invitations in "
                        "clear text. Use SMTP_SSL for port 465, or ask for STARTTLS.") from None
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"Could not reach the mail server {settings.host}:{settings.port} "
                        f"({error.__class__.__name__}). Nothing was sent.") from None


def _message(settings: SmtpSettings, address: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender or ""
    message["To"] = address
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=(settings.sender or "rapport").rsplit("@", 1)[-1].strip(">"))
    message.set_content(body)
    return message


def _send_all(client: smtplib.SMTP, settings: SmtpSettings, messages: list[tuple[str, str, str, str]],
              report: MailingReport) -> list[int]:
    """Send each (line, address, subject, body); return the indexes that were not sent."""
    unsent: list[int] = []
    for index, (line, address, subject, body) in enumerate(messages):
        try:
            client.send_message(_message(settings, address, subject, body))
        except smtplib.SMTPRecipientsRefused:
            unsent.append(index)
            report.problems.append(
                f"{line}: the mail server refused \u201c{address}\u201d; it was not sent.")
        except (smtplib.SMTPServerDisconnected, OSError):
            unsent.extend(range(index, len(messages)))
            report.problems.append(f"The mail server closed the connection after {report.sent} e-mails; "
                                   f"{len(messages) - index} were not sent (from {line.lower()} on). "
                                   "Upload those addresses again.")
            break
        except smtplib.SMTPException as error:
            unsent.append(index)
            report.problems.append(f"{line}: the mail server did not accept the e-mail to "
                                   f"\u201c{address}\u201d ({error.__class__.__name__}).")
        else:
            report.sent += 1
    return unsent


def _values(db: sqlite_utils.Database, wave: Wave, link: str) -> dict[str, str]:
    return {"survey": get_survey(db, wave.survey_id).title, "wave": wave.label,
            "closes_on": wave.closes_on.strftime("%d %B %Y"), "link": link}


def _checked_list(text: str, upload: str, max_addresses: int,
                  kind: str) -> tuple[AddressList, MailingReport]:
    addresses = read_addresses(text, max_addresses, upload)
    return addresses, MailingReport(kind, problems=list(addresses.problems), notes=list(addresses.notes))


def send_invitations(db: sqlite_utils.Database, wave_id: int, text: str, link: str,
                     settings: SmtpSettings, max_addresses: int = 5000, upload: str = "") -> MailingReport:
    """E-mail a new single-use code to each address in ``text`` and ``upload`` (a file's text);
    nothing is sent if a line is bad.

    ``link`` is the wave's partner link; each e-mail's ``{link}`` carries its code. Codes of e-mails
    that could not be sent are withdrawn, so the wave's issued count stays true.
    """
    wave = get_wave(db, wave_id)
    if wave.access != "invitation":
        raise InvalidInput("This wave uses a public link: send reminders with the link, or switch the "
                           "wave to invitation codes to send invitations.")
    addresses, report = _checked_list(text, upload, max_addresses, "invitation")
    if report.problems:
        return report
    template, values = templates_for(db, wave.survey_id)["invitation"], _values(db, wave, link)
    client = _open(settings)
    try:
        codes = generate_invitation_codes(db, wave_id, len(addresses.addresses))
        messages = []
        for (line, address), code in zip(addresses.addresses, codes, strict=True):
            filled = render(template, {**values, "code": code, "link": f"{link}?code={code}"})
            messages.append((line, address, filled.subject, filled.body))
        unsent = _send_all(client, settings, messages, report)
    finally:
        _quit(client)
    withdraw_invitation_codes(db, wave_id, [codes[index] for index in unsent])
    record_mailing(db, wave_id, "invitation", report.sent, len(unsent))
    return report


def send_reminders(db: sqlite_utils.Database, wave_id: int, text: str, link: str,
                   settings: SmtpSettings, max_addresses: int = 5000, upload: str = "") -> MailingReport:
    """E-mail the reminder (plain link, no code, "if you already answered, thank you") to each address."""
    wave = get_wave(db, wave_id)
    addresses, report = _checked_list(text, upload, max_addresses, "reminder")
    if report.problems:
        return report
    filled = render(templates_for(db, wave.survey_id)["reminder"], _values(db, wave, link))
    client = _open(settings)
    try:
        messages = [(line, address, filled.subject, filled.body) for line, address in addresses.addresses]
        unsent = _send_all(client, settings, messages, report)
    finally:
        _quit(client)
    record_mailing(db, wave_id, "reminder", report.sent, len(unsent))
    return report


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
