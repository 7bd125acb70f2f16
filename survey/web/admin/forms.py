"""Forms of the admin pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

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
