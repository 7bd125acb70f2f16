"""Forms shared by every area: the staff sign-in and the button-only confirmation form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Staff sign-in."""

    username = StringField("Username", validators=[DataRequired(), Length(max=100)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class ConfirmForm(FlaskForm):
    """An empty form for buttons that POST (delete, deactivate, dismiss): it carries the CSRF token."""
