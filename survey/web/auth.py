"""Staff sign-in with Flask-Login, role checks, and throttled failed logins (Flask-Limiter)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
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
from survey.store.staff import StaffUser, authenticate, get_staff_user
from survey.web.forms import LoginForm

bp = Blueprint("auth", __name__, url_prefix="/staff")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see staff pages."
login_manager.session_protection = "strong"
# Limits are kept in memory and keyed by address only for the login route; nothing is stored.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


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
    return LoginUser(user) if user.active else None


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


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302,
               error_message="Too many failed sign-in attempts. Wait a minute and try again.")
def login() -> Any:
    """Sign a staff member in (failed attempts are rate-limited per address)."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(get_db(), form.username.data, form.password.data)
        if user is not None:
            login_user(LoginUser(user))
            return redirect(_safe_next() or url_for("builder.index"))
        flash("That username and password do not match an active account.", "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Sign out and return to the sign-in page."""
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Wire Flask-Login, the rate limiter and the sign-in routes into the app."""
    login_manager.init_app(app)
    limiter.init_app(app)
    app.register_blueprint(bp)
