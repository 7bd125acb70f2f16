"""The invitation and reminder e-mails: defaults, ``{placeholder}`` checks, rendering and preview.

Placeholders: ``{survey}``, ``{wave}``, ``{closes_on}``, ``{link}`` and, in invitations only,
``{code}``. In an invitation ``{link}`` already carries the code (``...?code=XXXXX-XXXXX``). A
reminder has no ``{code}``: reminders are not linked to the codes sent (see
:mod:`survey.services.invitation_mail`), so its ``{link}`` is the wave's plain link.
"""

from __future__ import annotations

import re

import sqlite_utils

from survey.errors import InvalidInput
from survey.store.mailings import MAIL_KINDS, MailTemplate, save_template, saved_templates

PLACEHOLDERS = {
    "invitation": ("survey", "wave", "closes_on", "link", "code"),
    "reminder": ("survey", "wave", "closes_on", "link"),
}
MAX_SUBJECT = 200
MAX_BODY = 10_000
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

DEFAULT_TEMPLATES = {
    "invitation": MailTemplate(
        "Your invitation: {survey}",
        "Hello,\n\nIT would like to hear how it works with you. Please answer the short, anonymous "
        "survey \u201c{survey}\u201d ({wave}) by {closes_on}:\n\n{link}\n\n"
        "Your single-use invitation code is {code} (the link above already holds it). The code shows "
        "you were invited without saying who you are: your e-mail address is not kept, and your "
        "answers cannot be linked to this e-mail.\n\nThank you!\n"),
    "reminder": MailTemplate(
        "Reminder: {survey}",
        "Hello,\n\nIf you already answered \u201c{survey}\u201d ({wave}), thank you! Answers are "
        "anonymous, so we cannot tell who has answered: that is why everyone gets this reminder.\n\n"
        "If you have not answered yet, there is still time until {closes_on}. Use this link (and, if it "
        "asks for one, the invitation code from your first e-mail):\n\n{link}\n\nThank you!\n"),
}


def check_template(kind: str, template: MailTemplate) -> None:
    """Raise :class:`InvalidInput` naming what is wrong with a template of ``kind``."""
    if kind not in MAIL_KINDS:
        raise InvalidInput(f"Unknown e-mail kind {kind!r}.")
    allowed = PLACEHOLDERS[kind]
    if not template.subject.strip() or "\n" in template.subject or len(template.subject) > MAX_SUBJECT:
        raise InvalidInput(f"The subject must be one line of 1 to {MAX_SUBJECT} characters.")
    if not template.body.strip() or len(template.body) > MAX_BODY:
        raise InvalidInput(f"The message must hold 1 to {MAX_BODY:,} characters.")
    for text in (template.subject, template.body):
        unknown = sorted({name for name in _PLACEHOLDER.findall(text) if name not in allowed})
        if "code" in unknown and kind == "reminder":
            raise InvalidInput("A reminder cannot hold {code}: reminders are not linked to the codes "
                               "sent, so there is no code to put there. Use {link}.")
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            raise InvalidInput(f"Unknown placeholder {names}. You can use "
                               + ", ".join("{" + name + "}" for name in allowed) + ".")
    if "{link}" not in template.body:
        raise InvalidInput("The message must hold {link}, so people can reach the survey.")


def render(template: MailTemplate, values: dict[str, str]) -> MailTemplate:
    """Fill in the placeholders (the template was checked)."""
    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)
    return MailTemplate(fill(template.subject), fill(template.body))


def templates_for(db: sqlite_utils.Database, survey_id: int) -> dict[str, MailTemplate]:
    """The survey's templates: edited ones, and the defaults for the others."""
    return {**DEFAULT_TEMPLATES, **saved_templates(db, survey_id)}


def update_template(db: sqlite_utils.Database, survey_id: int, kind: str, subject: str, body: str) -> None:
    """Check and keep an edited template."""
    template = MailTemplate(subject.strip(), body.replace("\r\n", "\n"))
    check_template(kind, template)
    save_template(db, survey_id, kind, template)
