"""Admin page: API tokens for the REST API: create one (its secret is shown once), revoke one."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from survey.db import get_db
from survey.errors import InvalidInput
from survey.store.api_tokens import create_api_token, get_api_token, list_api_tokens, revoke_api_token
from survey.web.admin.forms import NewApiTokenForm
from survey.web.admin.users import bp
from survey.web.auth import role_required
from survey.web.forms import ConfirmForm


def _render(form: NewApiTokenForm | None = None, status: int = 200, secret: str | None = None,
            created: Any = None) -> Any:
    page = {"tokens": list_api_tokens(get_db()), "form": form or NewApiTokenForm(formdata=None),
            "button_form": ConfirmForm(), "secret": secret, "created": created}
    return render_template("admin/api_tokens.html", **page), status


@bp.route("/api-tokens")
@role_required("admin")
def api_tokens() -> Any:
    """Every API token (never its secret), and the form to create one."""
    return _render()


@bp.route("/api-tokens", methods=["POST"])
@role_required("admin")
def create_token() -> Any:
    """Create a token and show its secret on this answer only (it is not stored, so not shown again)."""
    form = NewApiTokenForm()
    if form.validate():
        try:
            token, secret = create_api_token(get_db(), form.name.data or "", form.scope.data,
                                             created_by=int(current_user.id))
        except InvalidInput as error:
            form.form_errors.append(str(error))
        else:
            # Rendered, not flashed: a flash would carry the secret in the session cookie.
            return _render(secret=secret, created=token)
    return _render(form, status=400)


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@role_required("admin")
def revoke_token(token_id: int) -> Any:
    """Revoke a token: it stops opening the API from the next request on."""
    token = get_api_token(get_db(), token_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    revoke_api_token(get_db(), token.id)
    flash(f"The token “{token.name}” is revoked.", "success")
    return redirect(url_for("admin.api_tokens"))
