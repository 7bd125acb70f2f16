"""BRM pages for e-mail invitations: send codes or reminders to pasted or uploaded addresses, and
edit the two e-mail templates with a preview. Addresses are used for this request and forgotten."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, make_response, render_template, request, url_for

from survey.db import get_db
from survey.errors import InvalidInput
from survey.services.invitation_mail import (
    MailError,
    MailingReport,
    SmtpSettings,
    send_invitations,
    send_reminders,
)
from survey.services.mail_templates import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    check_template,
    render,
    templates_for,
    update_template,
)
from survey.store.mailings import MAIL_KINDS, MailTemplate, mailings_for_wave
from survey.store.surveys import get_survey, get_wave, waves_for
from survey.web.auth import role_required
from survey.web.workspace.builder import public_link
from survey.web.workspace.forms import MailingForm, MailTemplateForm

bp = Blueprint("mail", __name__, url_prefix="/staff")
SAMPLE_CODE = "ABCDE-FGHJK"


def _no_store(body: str, status: int) -> Any:
    """Pages that may echo addresses back are never cached."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _render_mailing(wave_id: int, form: MailingForm, report: MailingReport | None = None,
                    error: str | None = None, status: int = 200) -> Any:
    db = get_db()
    wave = get_wave(db, wave_id)
    settings = SmtpSettings.from_config(current_app.config)
    page = render_template("workspace/mail.html", wave=wave, survey=get_survey(db, wave.survey_id), form=form,
                           report=report, error=error, mailings=mailings_for_wave(db, wave_id),
                           configured=settings.configured,
                           max_addresses=current_app.config["MAIL_MAX_RECIPIENTS"])
    return _no_store(page, status)


@bp.route("/waves/<int:wave_id>/email")
@role_required("brm")
def mailing(wave_id: int) -> Any:
    """The form to send invitations or reminders to a list of addresses, and the counts sent so far."""
    wave = get_wave(get_db(), wave_id)
    form = MailingForm(formdata=None, kind="invitation" if wave.access == "invitation" else "reminder")
    return _render_mailing(wave_id, form)


def _uploaded_text(form: MailingForm) -> str:
    upload = form.upload.data
    if not upload or not getattr(upload, "filename", ""):
        return ""
    try:
        return str(upload.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput("The file is not UTF-8 text. Save it as \u201cCSV UTF-8\u201d or plain text "
                           "and upload it again.") from None


@bp.route("/waves/<int:wave_id>/email", methods=["POST"])
@role_required("brm")
def send_mailing(wave_id: int) -> Any:
    """Send the e-mails now; each bad line is named and nothing is sent until every line is good."""
    db = get_db()
    wave = get_wave(db, wave_id)
    form = MailingForm()
    if not form.validate():
        return _render_mailing(wave_id, form, status=400)
    send = send_invitations if form.kind.data == "invitation" else send_reminders
    settings = SmtpSettings.from_config(current_app.config)
    try:
        report = send(db, wave_id, form.addresses.data or "", public_link(wave), settings,
                      current_app.config["MAIL_MAX_RECIPIENTS"], _uploaded_text(form))
    except MailError as error:
        return _render_mailing(wave_id, form, error=str(error), status=502)
    except InvalidInput as error:
        return _render_mailing(wave_id, form, error=str(error), status=400)
    if report.sent:
        form = MailingForm(formdata=None, kind=form.kind.data)  # sent: the addresses leave the page
    return _render_mailing(wave_id, form, report, status=200 if report.sent or not report.problems else 400)


def _preview(survey_id: int, kind: str, template: MailTemplate) -> MailTemplate:
    db = get_db()
    waves = waves_for(db, survey_id)
    link = public_link(waves[-1]) if waves else url_for("partner.survey", token="example", _external=True)
    values = {"survey": get_survey(db, survey_id).title, "wave": waves[-1].label if waves else "Wave 1",
              "closes_on": waves[-1].closes_on.strftime("%d %B %Y") if waves else "31 March 2027",
              "code": SAMPLE_CODE, "link": link + (f"?code={SAMPLE_CODE}" if kind == "invitation" else "")}
    return render(template, values)


def _submitted_template(survey_id: int, kind: str, form: MailTemplateForm) -> MailTemplate:
    """Check the submitted template, and keep it when the BRM pressed "Save"."""
    if not form.validate():
        raise InvalidInput("Fill in the subject and the message.")
    template = MailTemplate((form.subject.data or "").strip(), (form.body.data or "").replace("\r\n", "\n"))
    check_template(kind, template)
    if request.form.get("action") == "save":
        update_template(get_db(), survey_id, kind, template.subject, template.body)
    return template


@bp.route("/surveys/<int:survey_id>/email-templates", methods=["GET", "POST"])
@role_required("brm")
def templates(survey_id: int) -> Any:
    """Edit the invitation and reminder e-mails; "Preview" fills them in with sample values."""
    db = get_db()
    survey = get_survey(db, survey_id)
    current = templates_for(db, survey_id)
    forms = {kind: MailTemplateForm(formdata=None, kind=kind, subject=current[kind].subject,
                                    body=current[kind].body, prefix=kind) for kind in MAIL_KINDS}
    previews: dict[str, MailTemplate | None] = {}
    saved, status = "", 200
    if request.method == "POST":
        kind = request.form.get("kind_submitted", "")
        if kind not in MAIL_KINDS:
            return _no_store("Unknown template kind.", 400)
        forms[kind] = form = MailTemplateForm(prefix=kind)
        try:
            current = {**current, kind: _submitted_template(survey_id, kind, form)}
            saved = kind if request.form.get("action") == "save" else ""
        except InvalidInput as error:
            form.form_errors.append(str(error))
            previews[kind], status = None, 400
    for kind in MAIL_KINDS:
        previews.setdefault(kind, _preview(survey_id, kind, current[kind]))
    return render_template("workspace/mail_templates.html", survey=survey, forms=forms, previews=previews,
                           saved=saved, placeholders=PLACEHOLDERS, defaults=DEFAULT_TEMPLATES), status
