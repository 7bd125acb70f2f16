"""Forms of the admin pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    URLField,
)
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from survey.services.webhook_events import EVENT_TYPES
from survey.store.api_tokens import MAX_NAME_CHARS
from survey.store.staff import MIN_PASSWORD_LENGTH, ROLES

ROLE_LABELS = {"admin": "Admin", "brm": "BRM", "culture_lead": "Culture lead"}


class NewStaffUserForm(FlaskForm):
    """A new staff account with its role."""

    username = StringField("Username", validators=[DataRequired("Enter a username."), Length(max=100)])
    role = SelectField("Role", choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
                       default="brm")
    password = PasswordField(
        "Password",
        validators=[Length(MIN_PASSWORD_LENGTH, 200,
                           f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")],
    )
    confirm = PasswordField("Repeat password", validators=[EqualTo("password", "The passwords differ.")])


class NewApiTokenForm(FlaskForm):
    """A new API token: who uses it, and whether it may write."""

    name = StringField("Name", validators=[DataRequired("Say who or what will use the token."),
                                           Length(max=MAX_NAME_CHARS)],
                       description="For example “Power BI dashboard” or “HR portal”.")
    scope = SelectField("Scope", choices=[SelectChoice("read", "Read: results, surveys, waves, actions"),
                                          SelectChoice("write", "Write: read, plus create waves, codes "
                                                                "and actions")], default="read")


class ImportUploadForm(FlaskForm):
    """Step 1 of an import: the wave and the exported file."""

    wave = SelectField("Import into wave", coerce=int, validate_choice=False,
                       validators=[DataRequired("Choose a wave.")])
    export = FileField("Export file (CSV)", description="A LimeSurvey or Qualtrics response export, or a "
                       "plain CSV whose columns are named after the questions.",
                       validators=[FileRequired("Choose the CSV file to import.")])


class ImportMappingForm(FlaskForm):
    """Step 2: which question each column fills; the file travels back in ``payload``, never stored."""

    wave = HiddenField()
    payload = HiddenField()


def mapping_form(columns: list[tuple[str, str]], choices: list[tuple[str, str]],
                 chosen: dict[str, str], formdata: object = None) -> ImportMappingForm:
    """An :class:`ImportMappingForm` with one select per column (``column_<n>``), preset to ``chosen``."""

    class ColumnMappingForm(ImportMappingForm):
        pass

    for index, (key, label) in enumerate(columns):
        select = SelectField(key, choices=[SelectChoice(value, text) for value, text in choices],
                             default=chosen.get(key, ""), description=label)
        setattr(ColumnMappingForm, f"column_{index}", select)
    kwargs = {} if formdata is None else {"formdata": formdata}
    return ColumnMappingForm(**kwargs)
class WebhookEndpointForm(FlaskForm):
    """A new webhook endpoint: where to send, what for, and which events."""

    url = URLField("Endpoint URL", validators=[DataRequired("Enter the URL that receives the events."),
                                                Length(max=2000)],
                   description="https:// (or http://) URL of your receiver. Payloads are signed.")
    description = StringField("Description (optional)", validators=[Length(max=200)])
    events = SelectMultipleField(
        "Events", choices=[SelectChoice(name, f"{name}: {text}") for name, text in EVENT_TYPES.items()],
        default=list(EVENT_TYPES), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        validators=[DataRequired("Pick at least one event.")],
    )
