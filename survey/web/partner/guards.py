"""What the partner routes check before they read a form (issue 11, items 1, 8 and 9).

- Only form posts (``application/x-www-form-urlencoded`` or ``multipart/form-data``) are read, and
  only their text fields: uploads, JSON and other bodies never reach the form (415).
- NUL characters are refused with the same rule as ``rapport import-csv``.
- A browser that has submitted a wave is remembered in its own cookie (nothing is stored on the
  server; :mod:`survey.web.partner.browser_cookie`), so Back + Submit shows "you already answered"
  instead of storing a copy.
"""

from __future__ import annotations

from flask import Response, render_template, request
from werkzeug.datastructures import ImmutableMultiDict

from survey.store.surveys import Wave
from survey.web.partner import browser_cookie

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NOT_A_FORM = ("This address only accepts the survey form as your browser sends it. Open the survey "
              "link in a browser to answer.")
NUL_MESSAGE = ("Your answers contain an invisible NUL character (often pasted from another program), "
               "so nothing was saved. It has been removed below: check your answers and submit again.")
ALREADY_ANSWERED = ("You already answered this survey from this browser, so nothing more was saved. "
                    "Thank you for taking part.")
THROTTLED = ("Too many answers have come from your network in the last few minutes, so yours was not "
             "saved yet. Your answers are still below: please wait a few minutes and submit again.")


def no_store(response: Response) -> Response:
    """Partner pages are never cached, so Back fetches the page again (and meets these checks)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def is_form_post() -> bool:
    """Whether the request body is a browser form."""
    return request.mimetype in FORM_TYPES


def not_a_form_page() -> tuple[str, int]:
    """The 415 page for anything but a form post."""
    return render_template("error.html", status=415, message=NOT_A_FORM), 415


def form_fields() -> ImmutableMultiDict:
    """The posted text fields only (file parts of a multipart body are ignored)."""
    return request.form


def has_nul(fields: ImmutableMultiDict) -> bool:
    """Whether any posted value holds a NUL character."""
    return any("\x00" in value for values in fields.listvalues() for value in values)


def without_nul(fields: ImmutableMultiDict) -> ImmutableMultiDict:
    """The same fields with NUL characters removed (to show back to the partner)."""
    return ImmutableMultiDict([(key, value.replace("\x00", "")) for key, value in fields.items(multi=True)])


def answered_here(wave: Wave) -> bool:
    """Whether this browser has already submitted ``wave``."""
    return browser_cookie.answered_here(wave.id)


def remember_answered(wave: Wave) -> None:
    """Mark ``wave`` as answered in this browser's cookie (kept until the browser closes)."""
    browser_cookie.remember_answered(wave.id)


def already_answered_page(wave: Wave, status: int) -> tuple[str, int]:
    """The plain "you already answered" page."""
    return render_template("partner/already.html", message=ALREADY_ANSWERED, wave=wave), status
