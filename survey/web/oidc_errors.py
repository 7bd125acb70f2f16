"""Every way a single sign-on can fail, as a status and a message a person can act on.

:func:`failure_for` turns what Authlib, joserfc, requests or the sign-in services raise into a
:class:`SignInFailure`; the views render it with :func:`render_failure`. Nothing here is a 500.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import render_template
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError

from survey.services.sso import AccountDeactivated, NoMappedRole

START_AGAIN = "Go back to the sign-in page and start again."

#: What a wrong value of an ID token claim means.
CLAIM_PROBLEMS = {
    "aud": "was issued for another application (its audience is not Rapport's client id)",
    "azp": "was issued to another application (its authorised party is not Rapport's client id)",
    "iss": "was issued by another provider than the one Rapport is configured for",
    "nonce": "does not belong to this sign-in (its nonce does not match; it may be replayed)",
    "iat": "claims to be issued in the future (check the clocks of Rapport and the provider)",
    "nbf": "is not valid yet (check the clocks of Rapport and the provider)",
    "sub": "does not name the person it is about",
}


@dataclass(frozen=True)
class SignInFailure(Exception):
    """A single sign-on that did not work: the HTTP status, a short title and a human message."""

    status: int
    title: str
    message: str


def render_failure(failure: SignInFailure) -> tuple[str, int]:
    """The sign-in failure page (with a way back to the sign-in page)."""
    return render_template("auth/sso_failure.html", failure=failure), failure.status


def provider_unreachable(provider: str, error: Exception) -> SignInFailure:
    """The provider could not be reached, or answered its discovery, key or token URL with an error."""
    if isinstance(error, requests.HTTPError) and error.response is not None:
        detail = f"it answered HTTP {error.response.status_code} at {error.response.url}"
    elif isinstance(error, requests.Timeout):
        detail = "it did not answer in time"
    elif isinstance(error, ValueError):
        detail = "its answer was not the JSON document OpenID Connect prescribes"
    elif isinstance(error, KeyError | RuntimeError):
        detail = f"its discovery document lacks what OpenID Connect requires ({error})"
    else:
        detail = "the connection failed"
    return SignInFailure(502, "The sign-in service is unavailable",
                         f"Rapport could not reach {provider}: {detail}. Nothing was changed. Try again "
                         "in a few minutes; if it keeps failing, tell your IT administrator.")


def id_token_rejected(error: JoseError) -> SignInFailure:
    """An ID token that failed a check: signature, expiry, audience, issuer, nonce or another claim."""
    title = "The sign-in could not be verified"
    if isinstance(error, ExpiredTokenError):
        return SignInFailure(401, title, "The identity token from the provider had already expired "
                             "when it reached Rapport. If this keeps happening, the clock of Rapport's "
                             f"server or of the provider is wrong. {START_AGAIN}")
    if isinstance(error, ClaimError):
        problem = CLAIM_PROBLEMS.get(error.claim, f"has a missing or wrong {error.claim!r} claim")
        return SignInFailure(401, title, f"The identity token from the provider {problem}, so Rapport "
                             f"did not accept it. {START_AGAIN}")
    return SignInFailure(401, title, "The identity token's signature could not be verified with the "
                         f"provider's published keys, so Rapport did not accept it. {START_AGAIN}")


def failure_for(error: Exception, provider: str) -> SignInFailure:
    """The :class:`SignInFailure` for anything raised while completing a single sign-on."""
    if isinstance(error, SignInFailure):
        return error
    if isinstance(error, NoMappedRole):
        return SignInFailure(403, "No access to Rapport", str(error))
    if isinstance(error, AccountDeactivated):
        return SignInFailure(403, "Account deactivated", str(error))
    if isinstance(error, MismatchingStateError):
        return SignInFailure(400, "This sign-in cannot be completed",
                             "This browser did not start this sign-in (its session cookie is missing or "
                             f"was replaced), so Rapport refused it. {START_AGAIN}")
    if isinstance(error, OAuthError):
        detail = ": ".join(part for part in (error.error, error.description) if part)
        return SignInFailure(400, "The provider refused the sign-in",
                             f"{provider} did not accept this sign-in ({detail}). {START_AGAIN}")
    if isinstance(error, JoseError):
        return id_token_rejected(error)
    if isinstance(error, requests.RequestException | ValueError | KeyError | RuntimeError):
        return provider_unreachable(provider, error)
    raise error
