"""WTForms for improvement actions (Flask-WTF adds the CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from survey.store.actions import ACTION_STATUSES, MAX_NOTE_CHARS, MAX_TITLE_CHARS

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


class StatusForm(FlaskForm):
    """Move an action to another status from a list."""

    status = SelectField("Status", choices=STATUS_CHOICES)
