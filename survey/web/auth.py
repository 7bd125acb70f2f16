"""Staff sign-in with Flask-Login, role checks, and failed sign-ins throttled per account and address.

Single sign-on (:mod:`survey.web.oidc`) signs in through :func:`start_staff_session` too. The
throttles (:mod:`survey.web.throttles`) are shared by every worker through the database;
logout ends the session on the server (:func:`survey.store.staff.end_sessions`); ``next`` only
ever leads to a path on this site (:func:`survey.web.redirects.safe_next`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)

from survey.db import get_db
from survey.errors import NotFound
from survey.store.staff import StaffUser, authenticate, end_sessions, get_staff_user
from survey.web import throttles
from survey.web.error_pages import render_error
from survey.web.forms import LoginForm
from survey.web.redirects import safe_next
from survey.web.sessions import SIGN_IN_METHOD_KEY, remember_session_version, session_is_current

bp = Blueprint("auth", __name__, url_prefix="/staff")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see staff pages."
login_manager.session_protection = "strong"
THROTTLED = ("Too many failed sign-in attempts for this account or from this network. Wait "
             "{minutes} minutes and try again, or ask an admin.")


class LoginUser(UserMixin):
    """Flask-Login's view of a staff account."""

    def __init__(self, user: StaffUser) -> None:
        self.user = user
        self.id = str(user.id)
        self.role = user.role
        self.username = user.username


@login_manager.user_loader
def load_user(user_id: str) -> LoginUser | None:
    """The signed-in staff account of a session, or ``None`` once it is deactivated or gone."""
    try:
        user = get_staff_user(get_db(), int(user_id))
    except (NotFound, ValueError):
        return None
    return LoginUser(user) if user.active and session_is_current(user.session_version) else None


def role_required(*roles: str) -> Callable:
    """Require a signed-in staff user whose role is one of ``roles`` (admins pass every check)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles and current_user.role != "admin":
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def start_staff_session(user: StaffUser, method: str) -> None:
    """Sign ``user`` in on this session, bound to the account's session version; ``method`` is
    ``"password"`` or ``"oidc"`` (sign-out then also ends the provider's session, when configured)."""
    login_user(LoginUser(user))
    remember_session_version(user.session_version)
    session[SIGN_IN_METHOD_KEY] = method


def _login_page(form: LoginForm, status: int = 200) -> tuple[str, int]:
    config = current_app.config
    sso_name = config["OIDC_PROVIDER_NAME"] if config.get("OIDC_ISSUER") else None
    return render_template("auth/login.html", form=form, local_login=bool(config["LOCAL_LOGIN"]),
                           sso_name=sso_name, next=safe_next(request.args.get("next"))), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign a staff member in (failed attempts are throttled per account and per address); with
    ``LOCAL_LOGIN`` off, only single sign-on is offered and passwords are refused."""
    form = LoginForm()
    if request.method == "POST" and not current_app.config["LOCAL_LOGIN"]:
        return render_error(403, "Sign-in with a Rapport password is switched off here. Use the "
                                 "single sign-on button on the sign-in page.")
    if form.validate_on_submit():
        db, username = get_db(), form.username.data or ""
        if throttles.login_blocked(db, username):
            minutes = max(1, int(current_app.config["LOGIN_FAILURE_WINDOW"]) // 60)
            flash(THROTTLED.format(minutes=minutes), "error")
            return _login_page(form, 429)
        user = authenticate(db, username, form.password.data or "")
        if user is not None:
            throttles.forget_login_failures(db, username)
            start_staff_session(user, method="password")
            return redirect(safe_next(request.args.get("next")) or url_for("builder.index"))
        throttles.record_login_failure(db, username)
        flash("That username and password do not match an active account.", "error")
        return _login_page(form, 401)
    return _login_page(form)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Sign out here and everywhere else (captured session cookies stop working), then go to sign-in."""
    if current_user.is_authenticated:
        end_sessions(get_db(), int(current_user.id))
    logout_user()
    if session.pop(SIGN_IN_METHOD_KEY, None) == "oidc" and current_app.config["OIDC_LOGOUT_AT_PROVIDER"]:
        return redirect(url_for("oidc.provider_logout"))
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Wire Flask-Login and the sign-in routes into the app."""
    login_manager.init_app(app)
    app.register_blueprint(bp)
