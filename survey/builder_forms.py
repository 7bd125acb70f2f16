"""WTForms for the BRM survey builder and the admin pages (Flask-WTF adds the CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from survey.store.invitations import MAX_CODES_PER_BATCH
from survey.store.staff import MIN_PASSWORD_LENGTH, ROLES
from survey.store.surveys import DEFAULT_PRIVACY_NOTE

#: The builder caps one batch below the store's limit: 10,000 codes is one mail-merge file.
MAX_CODES_PER_REQUEST = min(10_000, MAX_CODES_PER_BATCH)

QUESTION_KIND_LABELS = [
    ("text", "Open text"),
    ("rating", "Rating 1-5"),
    ("nps", "Recommendation 0-10 (NPS)"),
    ("choice", "Single choice"),
    ("segment", "Segment (department or business unit)"),
]
ROLE_LABELS = {"admin": "Admin", "brm": "BRM", "culture_lead": "Culture lead"}


def _choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def option_lines(text: str | None) -> list[str]:
    """Split a one-option-per-line text area into trimmed, non-empty options."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SurveyForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the survey a title."), Length(max=200)])
    introduction = TextAreaField(
        "Introduction", validators=[Length(max=4000)],
        description="Shown above the questions: why you ask and what you will do with the answers.",
    )
    privacy_note = TextAreaField(
        "Privacy note", default=DEFAULT_PRIVACY_NOTE, validators=[Length(max=4000)],
        description="What is and is not recorded. Leave empty to use the standard note.",
    )


class QuestionForm(FlaskForm):
    kind = SelectField("Kind", choices=_choices(QUESTION_KIND_LABELS), default="text")
    prompt = StringField("Question", validators=[DataRequired("Write the question."), Length(max=500)])
    help_text = StringField("Hint (optional)", validators=[Length(max=500)])
    options = TextAreaField(
        "Options", validators=[Length(max=4000)],
        description="For single choice and segment questions: one option per line, at least two.",
    )
    required = BooleanField("Answer required")

    def validate_options(self, field: TextAreaField) -> None:
        if self.kind.data in ("choice", "segment") and len(option_lines(field.data)) < 2:
            raise ValidationError("Give at least two options, one per line.")


class MoveQuestionForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])


class WaveForm(FlaskForm):
    label = StringField(
        "Label", validators=[DataRequired("Give the wave a label, such as '2026 Q1'."), Length(max=100)]
    )
    opens_on = DateField("Opens on", validators=[InputRequired("Choose the opening date.")])
    closes_on = DateField("Closes on", validators=[InputRequired("Choose the closing date.")])

    def validate_closes_on(self, field: DateField) -> None:
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError("The closing date is before the opening date.")


class NewWaveForm(WaveForm):
    access = RadioField(
        "Who can answer",
        choices=_choices([("public", "Anyone with the link"),
                          ("invitation", "Only people with an invitation code")]),
        default="public",
    )


class InvitationCodesForm(FlaskForm):
    count = IntegerField(
        "Number of codes",
        validators=[
            InputRequired("Enter how many codes to generate."),
            NumberRange(1, MAX_CODES_PER_REQUEST,
                        f"Generate between 1 and {MAX_CODES_PER_REQUEST:,} codes at a time."),
        ],
    )


class NewStaffUserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired("Enter a username."), Length(max=100)])
    role = SelectField("Role", choices=_choices([(role, ROLE_LABELS[role]) for role in ROLES]), default="brm")
    password = PasswordField(
        "Password",
        validators=[Length(MIN_PASSWORD_LENGTH, 200,
                           f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")],
    )
    confirm = PasswordField("Repeat password", validators=[EqualTo("password", "The passwords differ.")])


class ConfirmForm(FlaskForm):
    """An empty form for buttons that POST (delete, deactivate): it carries the CSRF token."""
