"""Forms of the culture-lead workspace: lexicon terms, event notes, re-measuring, check my text."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

#: Longest draft "check my text" accepts: a long e-mail or intranet post.
MAX_CHECK_CHARS = 10_000


class TermForm(FlaskForm):
    """Add or edit one lexicon term; every save stores a new lexicon version."""

    patterns = TextAreaField(
        "Patterns, one per line",
        description="Plain phrases; inflections and hyphens match automatically. "
                    "Use | for alternatives (order taker|takers) and ? for an optional word.",
        validators=[DataRequired("Enter at least one pattern, one per line."), Length(max=2000)],
    )
    category = SelectField("Category", validators=[InputRequired("Choose a category.")])
    suggestion = StringField("Suggested alternative", validators=[Length(max=300)])
    rationale = TextAreaField("Why it matters", validators=[Length(max=1000)])
    note = StringField("Note for the version history", description="What changed and why (optional).",
                       validators=[Length(max=200)])
    based_on = HiddenField()

    def pattern_lines(self) -> list[str]:
        """The patterns as a list, one per non-empty line."""
        return [line for line in (self.patterns.data or "").splitlines() if line.strip()]


class PatternTestForm(Form):
    """The pattern tester's GET form (no CSRF: it changes nothing, and works without JavaScript)."""

    sentence = TextAreaField("A sentence to test", validators=[DataRequired("Type a sentence to test."),
                                                               Length(max=1000)])


class LexiconImportForm(FlaskForm):
    """Upload a lexicon CSV (as exported) to add or update terms."""

    file = FileField("Lexicon CSV file", validators=[FileRequired("Choose a CSV file to import.")])
    based_on = HiddenField()


class ToggleTermForm(FlaskForm):
    """Disable or enable a term (a button)."""

    based_on = HiddenField()


class EventForm(FlaskForm):
    """A dated event note drawn on the silo charts."""

    on_date = DateField("Date", validators=[InputRequired("Enter the date of the event (YYYY-MM-DD).")])
    label = StringField("What happened", description="For example: language workshop.",
                        validators=[DataRequired("Describe the event in a few words."), Length(max=80)])


class RemeasureForm(FlaskForm):
    """Re-measure one survey with the current lexicon."""

    survey_id = SelectField("Survey", coerce=int, validators=[InputRequired("Choose a survey.")])


class DeleteEventForm(FlaskForm):
    """Remove an event note (a button)."""


def _within_limit(form: FlaskForm, field: TextAreaField) -> None:
    length = len(field.data or "")
    if length > MAX_CHECK_CHARS:
        raise ValidationError(
            f"Your text is {length:,} characters long; the limit is {MAX_CHECK_CHARS:,}. "
            "Check it in parts, for example section by section."
        )


class CheckTextForm(FlaskForm):
    """A pasted draft: checked in memory, never stored or logged."""

    text = TextAreaField(
        "Your draft",
        description=f"Paste a status report, e-mail or intranet post (up to {MAX_CHECK_CHARS:,} characters). "
                    "Nothing you paste is stored or logged.",
        validators=[DataRequired("Paste the text you want to check."), _within_limit],
    )
