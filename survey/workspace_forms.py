"""WTForms for curating themes from the BRM theme page (Flask-WTF adds the CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

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


class ConfirmForm(FlaskForm):
    """A button-only form (dismiss a proposal)."""
