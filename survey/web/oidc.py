"""Staff sign-in with OpenID Connect (issue 15): Authlib's Flask client against the configured provider.

The authorization code flow with PKCE (S256): the provider's discovery document names its endpoints
and keys; the ID token's signature, issuer, audience, expiry and nonce are checked (Authlib and
joserfc); the state is single-use across every worker (:mod:`survey.store.oidc_states`). The role
comes from a configurable claim (``OIDC_ROLE_CLAIM`` through ``OIDC_ROLE_MAP``) and the staff
account is made at the first sign-on (:mod:`survey.services.sso`). Every failure is a page that
says what went wrong (:mod:`survey.web.oidc_errors`).
"""

from __future__ import annotations

from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_client import OAuth
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

from survey.db import get_db
from survey.services.sso import ProviderIdentity, identity_from_claims, sign_in_provider_identity
from survey.store.oidc_states import consume_login_state, remember_login_state
from survey.web.auth import start_staff_session
from survey.web.oidc_errors import SignInFailure, failure_for, render_failure
from survey.web.redirects import safe_next

bp = Blueprint("oidc", __name__, url_prefix="/staff/oidc")
EXTENSION = "rapport_oidc"
NEXT_KEY = "oidc_next"


def sso_enabled() -> bool:
    """Whether single sign-on is configured (``OIDC_ISSUER`` is set)."""
    return bool(current_app.config.get("OIDC_ISSUER"))


def provider_name() -> str:
    """The provider's name as the sign-in button shows it."""
    return str(current_app.config["OIDC_PROVIDER_NAME"])


def _client() -> Any:
    return current_app.extensions[EXTENSION].create_client("provider")


def _redirect_uri() -> str:
    return current_app.config["OIDC_REDIRECT_URI"] or url_for("oidc.callback", _external=True)


def _metadata() -> dict[str, Any]:
    """The provider's discovery document; refused when it names another issuer than configured."""
    metadata = _client().load_server_metadata()
    issuer = current_app.config["OIDC_ISSUER"]
    if metadata.get("issuer") != issuer:
        raise SignInFailure(502, "The sign-in service is misconfigured",
                            f"The discovery document of {provider_name()} names the issuer "
                            f"{metadata.get('issuer')!r}, but Rapport is configured for {issuer!r} "
                            "(OIDC_ISSUER). Tell your IT administrator.")
    return metadata


@bp.route("/login")
def login() -> Any:
    """Start single sign-on: send the browser to the provider with a fresh state, nonce and PKCE
    challenge (the state is also remembered server-side, to be accepted once)."""
    if not sso_enabled():
        abort(404)
    try:
        _metadata()
        client = _client()
        redirect_uri = _redirect_uri()
        authorization = client.create_authorization_url(redirect_uri)
    except Exception as error:
        return render_failure(failure_for(error, provider_name()))
    client.save_authorize_data(redirect_uri=redirect_uri, **authorization)
    remember_login_state(get_db(), authorization["state"], int(current_app.config["OIDC_LOGIN_SECONDS"]))
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    return redirect(authorization["url"])


def _claims_options(metadata: dict[str, Any]) -> dict[str, Any]:
    return {"iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
            "sub": {"essential": True}, "exp": {"essential": True}, "iat": {"essential": True}}


def _check_callback_arguments() -> None:
    """Refuse a callback the provider sent with an error, a state used before, or no code."""
    arguments = request.args
    state, code = arguments.get("state", ""), arguments.get("code", "")
    if state and not consume_login_state(get_db(), state):
        raise SignInFailure(400, "This sign-in link was already used",
                            "This sign-in response was used before, has expired, or was not issued by "
                            "Rapport, so it was refused. Go back to the sign-in page and start again.")
    if "error" in arguments:
        raise SignInFailure(401, "The provider did not sign you in",
                            f"{provider_name()} answered: "
                            f"{arguments.get('error_description') or arguments['error']}. "
                            "Go back to the sign-in page and start again.")
    if not state or not code:
        missing = "state" if not state else "authorization code"
        raise SignInFailure(400, "This sign-in response is incomplete",
                            f"The response from {provider_name()} has no {missing}, so Rapport cannot "
                            "finish the sign-in. Go back to the sign-in page and start again.")


def _provider_identity() -> ProviderIdentity:
    """Exchange the code (with the PKCE verifier), validate the ID token and read its claims."""
    _check_callback_arguments()
    metadata = _metadata()
    config = current_app.config
    client = _client()
    token = client.authorize_access_token(claims_options=_claims_options(metadata),
                                          leeway=int(config["OIDC_CLOCK_SKEW"]))
    if "userinfo" not in token:
        raise SignInFailure(502, "The sign-in service is misconfigured",
                            f"{provider_name()} sent no identity token; check that OIDC_SCOPES has 'openid'.")
    claims = dict(token["userinfo"])
    needed = {config["OIDC_ROLE_CLAIM"].split(".")[0], config["OIDC_USERNAME_CLAIM"]}
    if metadata.get("userinfo_endpoint") and not needed <= claims.keys():
        userinfo = client.userinfo()
        if userinfo.get("sub") == claims["sub"]:  # OpenID Connect Core 5.3.2
            claims = {**userinfo, **claims}
    return identity_from_claims(claims, issuer=metadata["issuer"], role_claim=config["OIDC_ROLE_CLAIM"],
                                role_map=config["OIDC_ROLE_MAP"],
                                username_claim=config["OIDC_USERNAME_CLAIM"])


@bp.route("/callback")
def callback() -> Any:
    """Finish single sign-on: verify the provider's answer, then sign the staff account in (made now
    at the first sign-on, its role taken from the provider's groups at every one)."""
    if not sso_enabled():
        abort(404)
    try:
        user = sign_in_provider_identity(get_db(), _provider_identity())
    except Exception as error:
        return render_failure(failure_for(error, provider_name()))
    start_staff_session(user, method="oidc")
    return redirect(session.pop(NEXT_KEY, None) or url_for("builder.index"))


@bp.route("/logout")
def provider_logout() -> Any:
    """After Rapport's sign-out: end the session at the provider too (RP-initiated logout).

    A page that moves on by itself (``Refresh``), not a redirect: the sign-out form's redirects must
    stay on this site (CSP ``form-action 'self'``). The provider sends the browser back to
    :func:`signed_out`.
    """
    if not sso_enabled() or not current_app.config["OIDC_LOGOUT_AT_PROVIDER"]:
        abort(404)
    try:
        end_session = _metadata().get("end_session_endpoint")
    except Exception as error:
        return render_failure(failure_for(error, provider_name()))
    if not end_session:
        return redirect(url_for("oidc.signed_out"))
    target = add_params_to_uri(end_session, [
        ("client_id", current_app.config["OIDC_CLIENT_ID"]),
        ("post_logout_redirect_uri", url_for("oidc.signed_out", _external=True))])
    page = render_template("auth/sso_logout.html", target=target, provider=provider_name())
    return page, 200, {"Refresh": f"0; url={target}"}


@bp.route("/signed-out")
def signed_out() -> Any:
    """Where the provider sends the browser after its sign-out: back to Rapport's sign-in page."""
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Register the single sign-on routes, and the provider's Authlib client when one is configured."""
    app.register_blueprint(bp)
    config = app.config
    if not config["OIDC_ISSUER"]:
        return
    oauth = OAuth(app)
    client_kwargs: dict[str, Any] = {"scope": config["OIDC_SCOPES"], "code_challenge_method": "S256",
                                     "default_timeout": float(config["OIDC_TIMEOUT"])}
    if not config["OIDC_CLIENT_SECRET"]:
        client_kwargs["token_endpoint_auth_method"] = "none"
    oauth.register("provider", client_id=config["OIDC_CLIENT_ID"], client_secret=config["OIDC_CLIENT_SECRET"],
                   server_metadata_url=config["OIDC_DISCOVERY_URL"]
                   or f"{str(config['OIDC_ISSUER']).rstrip('/')}/.well-known/openid-configuration",
                   client_kwargs=client_kwargs)
    app.extensions[EXTENSION] = oauth
