"""Admin pages: list staff accounts, create one with a role, deactivate or reactivate it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from survey.db import get_db
from survey.errors import InvalidInput
from survey.services.passwords import check_password
from survey.store.staff import create_staff_user, get_staff_user, list_staff_users, set_staff_user_active
from survey.web.admin.forms import ROLE_LABELS, NewStaffUserForm
from survey.web.auth import role_required
from survey.web.forms import ConfirmForm

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")


def _render_users(form: NewStaffUserForm | None = None, status: int = 200) -> Any:
    page = {"users": list_staff_users(get_db()), "form": form or NewStaffUserForm(formdata=None),
            "button_form": ConfirmForm(), "role_labels": ROLE_LABELS}
    return render_template("admin/users.html", **page), status


@bp.route("/users")
@role_required("admin")
def users() -> Any:
    """Every staff account, and the form to create one."""
    return _render_users()


@bp.route("/users", methods=["POST"])
@role_required("admin")
def create_user() -> Any:
    """Create a staff account with a role."""
    form = NewStaffUserForm()
    if form.validate():
        try:
            check_password(form.password.data or "", form.username.data or "")
            user = create_staff_user(get_db(), form.username.data or "", form.password.data or "",
                                     form.role.data)
        except InvalidInput as error:
            form.form_errors.append(str(error))
        else:
            flash(f"Created {ROLE_LABELS[user.role]} account {user.username}.", "success")
            return redirect(url_for("admin.users"))
    return _render_users(form, status=400)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@role_required("admin")
def toggle_active(user_id: int) -> Any:
    """Deactivate an active account or reactivate an inactive one (never your own)."""
    user = get_staff_user(get_db(), user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if str(user.id) == current_user.id:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("admin.users"))
    try:
        set_staff_user_active(get_db(), user_id, not user.active)
    except InvalidInput as error:
        flash(str(error), "error")
    else:
        flash(f"{user.username} is {'deactivated' if user.active else 'active again'}.", "success")
    return redirect(url_for("admin.users"))
