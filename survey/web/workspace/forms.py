"""Forms of the BRM workspace: survey builder, theme curation, actions, the responses filter and
"Run analysis" (Flask-WTF adds the CSRF token to every POST form)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from survey.store.actions import ACTION_STATUSES, MAX_NOTE_CHARS, MAX_TITLE_CHARS
from survey.store.corrections import CORRECTION_LABELS
from survey.store.invitations import MAX_CODES_PER_BATCH
from survey.store.surveys import DEFAULT_PRIVACY_NOTE

# -- survey builder ----------------------------------------------------------------------------
#: The builder caps one batch below the store's limit: 10,000 codes is one mail-merge file.
MAX_CODES_PER_REQUEST = min(10_000, MAX_CODES_PER_BATCH)

QUESTION_KIND_LABELS = [
    ("text", "Open text"),
    ("rating", "Rating 1-5"),
    ("nps", "Recommendation 0-10 (NPS)"),
    ("choice", "Single choice"),
    ("segment", "Segment (department or business unit)"),
]


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


class MailingForm(FlaskForm):
    """Addresses to e-mail (pasted or uploaded) and what to send them; the addresses are never kept."""

    kind = RadioField("What to send", choices=_choices([
        ("invitation", "Invitations: each address gets a new single-use code"),
        ("reminder", "Reminders: the link, and “if you already answered, thank you”")]),
        default="invitation", validators=[AnyOf(("invitation", "reminder"))])
    addresses = TextAreaField("E-mail addresses", validators=[Optional(), Length(max=200_000)],
                              description="One per line; commas, semicolons and “Name <address>” work too.")
    upload = FileField("Or upload a file (.txt or .csv, UTF-8)")


class MailTemplateForm(FlaskForm):
    """An invitation or reminder template; "Preview" shows it filled in, "Save" keeps it."""

    kind = HiddenField(validators=[AnyOf(("invitation", "reminder"))])
    subject = StringField("Subject", validators=[DataRequired("Enter a subject."), Length(max=200)])
    body = TextAreaField("Message", validators=[DataRequired("Enter the message."), Length(max=10_000)])


# -- theme curation ----------------------------------------------------------------------------
NAME_LENGTH = 120
DESCRIPTION_LENGTH = 600


class RenameThemeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=NAME_LENGTH)])
    description = TextAreaField(
        "Description", validators=[Length(max=DESCRIPTION_LENGTH)],
        description="One or two sentences on what partners mean by this theme.",
    )


class MergeThemeForm(FlaskForm):
    into = SelectField("Merge into", validators=[DataRequired()],
                       description="This theme's comments join the chosen theme, which keeps its name.")


class SplitThemeForm(FlaskForm):
    name = StringField(
        "Name of the new theme", validators=[Optional(), Length(max=NAME_LENGTH)],
        description="Needed when you select comments; otherwise the key phrases of the split-off part.",
    )
    unit_ids = SelectMultipleField(
        "Comments to split off", choices=[], validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )


class MoveUnitForm(FlaskForm):
    unit_id = HiddenField(validators=[DataRequired()])
    theme_id = SelectField("Move to", validators=[DataRequired()])


class AcceptProposalForm(FlaskForm):
    name = StringField("Theme name", validators=[Optional(), Length(max=NAME_LENGTH)],
                       description="Leave empty to keep the proposed name.")


# -- improvement actions -----------------------------------------------------------------------
STATUS_CHOICES = [SelectChoice(value, label) for value, label in ACTION_STATUSES.items()]


def theme_select_choices(themes: list[tuple[str, str]]) -> list[SelectChoice]:
    """``(id, name)`` pairs as choices of the theme field."""
    return [SelectChoice(theme_id, name) for theme_id, name in themes]


class ActionForm(FlaskForm):
    """Create or edit an action; ``theme_id`` choices are filled in by the view."""

    theme_id = SelectField("Theme", choices=[], validate_choice=True)
    title = StringField("Action", validators=[DataRequired("Say what IT will do."),
                                              Length(max=MAX_TITLE_CHARS)])
    owner = StringField("Owner (staff only)", validators=[Length(max=200)])
    due_on = DateField("Due date", validators=[Optional()])
    status = SelectField("Status", choices=STATUS_CHOICES, default="planned")
    started_on = DateField("Started on", validators=[Optional()])
    public_note = TextAreaField(
        "Public note", validators=[Length(max=MAX_NOTE_CHARS)],
        description="Shown to partners on the \u201cYou said, we did\u201d page. No names.",
    )


class ActionNoteForm(FlaskForm):
    """Add a progress note to an action (staff only)."""

    note = TextAreaField("Progress note", validators=[DataRequired("Write what happened."),
                                                      Length(max=MAX_NOTE_CHARS)],
                         description="Staff only: what was done, decided or learned. Dated, no names.")


def population_form(departments: list[str], people: dict[str, int]) -> FlaskForm:
    """People per department a public-link wave was sent to (one number field per department)."""
    fields = {f"people_{index}": IntegerField(
        department, default=people.get(department),
        validators=[Optional(), NumberRange(min=0, max=1_000_000, message="Enter a whole number of people.")])
        for index, department in enumerate(departments)}
    form_class = type("PopulationForm", (FlaskForm,), fields)
    form = form_class()
    form.departments = departments
    return form


class StatusForm(FlaskForm):
    """Move an action to another status from a list."""

    status = SelectField("Status", choices=STATUS_CHOICES)


# -- responses browser and analysis runs -------------------------------------------------------
class UnitFilterForm(Form):
    """The responses browser's GET filter (no CSRF: it changes nothing).

    Unknown choices are not errors: a stale link or a segment without comments simply matches too
    few responses, which the page says.
    """

    q = SearchField("Search the comments")
    wave = SelectField("Wave", default="", validate_choice=False)
    segment = SelectField("Segment", default="", validate_choice=False)
    theme = SelectField("Theme", default="", validate_choice=False)
    sentiment = SelectField("Sentiment", default="", validate_choice=False)
    flag = SelectField("Silo language", default="", validate_choice=False,
                       choices=[SelectChoice("", "Any"), SelectChoice("yes", "Has a silo flag"),
                                SelectChoice("no", "No silo flag")])
    page = IntegerField("Page", default=1)


class RunAnalysisForm(FlaskForm):
    """The "Run analysis now" button (CSRF-protected POST)."""


# -- sentiment corrections ----------------------------------------------------------------------
class SentimentCorrectionForm(FlaskForm):
    """A BRM's sentiment label for one comment; ``next`` is the page to go back to."""

    unit_id = HiddenField("Comment", validators=[DataRequired(), Length(max=200)])
    label = SelectField("Correct sentiment to", choices=[SelectChoice(label, label.capitalize())
                                                         for label in CORRECTION_LABELS])
    next = HiddenField(validators=[Optional(), Length(max=2000)])


class UndoCorrectionForm(FlaskForm):
    """Undo one comment's correction."""

    unit_id = HiddenField("Comment", validators=[DataRequired(), Length(max=200)])
    next = HiddenField(validators=[Optional(), Length(max=2000)])
