"""The blank survey page of a public wave, rendered once per survey definition (DESIGN.md section 8).

Everyone who opens a public link gets the same page except for two hidden values: the CSRF token
and the signed per-visit form token. Rendering it (template, WTForms fields) was about a fifth of
a submission's server time, so the page is rendered once with those two values marked, kept, and
each request only fills in its own fresh tokens (issued exactly as before: nothing about the
per-visit token or the CSRF check changes).

The key is everything the page is built from, as read on *this* request: the wave, survey and
question rows, the configuration the page states and the script root. Editing the survey, a
question or the wave gives a new key, so the next request renders afresh; nothing can be stale.
Pages that carry anything personal (an invitation code, a message, answers typed so far, flashed
messages) are never cached: only the blank form of a public wave is.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from flask import Flask, current_app, request, session

from survey.store.surveys import Question, Survey, Wave
from survey.web.partner import browser_cookie

#: Rendered pages kept per worker (one per survey definition and configuration).
CACHE_SIZE = 64
#: Stand-ins for the two per-visit values; random per process, so no survey text can contain them.
_CSRF_MARK = f"rapport-csrf-{secrets.token_hex(16)}"
_FORM_TOKEN_MARK = f"rapport-form-token-{secrets.token_hex(16)}"
_EXTENSION = "rapport_blank_forms"
_lock = threading.Lock()


def blank_form_page(wave: Wave, survey: Survey, questions: tuple[Question, ...],
                    render: Callable[[str], str], new_form_token: Callable[[], str]) -> str | None:
    """The public wave's blank form with fresh tokens, or ``None`` when it must be rendered in full.

    ``render(form_token)`` renders the blank page for this request around ``form_token``;
    ``new_form_token()`` issues a per-visit token.
    """
    if wave.access != "public" or current_app.debug or session.get("_flashes"):
        return None
    key = page_key(wave, survey, questions, request.script_root, current_app.config)
    pages = _pages(current_app)
    found, page = _kept(pages, key)
    if not found:
        token = new_form_token()
        page = marked_page(render(token), _csrf_token(), token)
        with _lock:
            pages[key] = page
            while len(pages) > CACHE_SIZE:
                pages.popitem(last=False)
    if page is None:
        return None
    return filled(page, _csrf_token(), new_form_token())


def page_key(wave: Wave, survey: Survey, questions: tuple[Question, ...], script_root: str,
             config: Mapping[str, Any]) -> Hashable:
    """What a blank page is built from: its rows as read now, and the settings and path it states."""
    return (wave, survey, questions, script_root, config["MAX_ANSWER_CHARS"], config["MIN_GROUP_SIZE"],
            config.get("WTF_CSRF_ENABLED", True))


def cached_page(app: Flask, key: Hashable) -> str | None:
    """The marked page kept under ``key`` (see :func:`filled`), or ``None`` if none is kept."""
    return _kept(_pages(app), key)[1]


def _kept(pages: OrderedDict[Hashable, str | None], key: Hashable) -> tuple[bool, str | None]:
    """Whether ``key`` is kept (as a page, or as ``None``: a page that cannot be kept), and its page;
    a kept key becomes the newest."""
    with _lock:
        found = key in pages
        if found:
            pages.move_to_end(key)
        return found, pages.get(key)


def filled(page: str, csrf_token: str | None, form_token: str) -> str:
    """A kept page with this visit's CSRF token (none with CSRF switched off) and form token."""
    return page.replace(_CSRF_MARK, csrf_token or "", 1).replace(_FORM_TOKEN_MARK, form_token, 1)


def _csrf_token() -> str | None:
    """This request's CSRF token (the one the form field shows), or ``None`` with CSRF switched off."""
    return browser_cookie.csrf_token() if current_app.config.get("WTF_CSRF_ENABLED", True) else None


def marked_page(html: str, csrf_token: str | None, form_token: str) -> str | None:
    """``html`` with its CSRF and form tokens replaced by the marks, if each occurs exactly once."""
    if html.count(form_token) != 1 or (csrf_token is not None and html.count(csrf_token) != 1):
        return None
    if csrf_token is not None:
        html = html.replace(csrf_token, _CSRF_MARK)
    return html.replace(form_token, _FORM_TOKEN_MARK)


def _pages(app: Flask) -> OrderedDict[Hashable, str | None]:
    """``app``'s rendered pages, oldest first."""
    with _lock:
        return app.extensions.setdefault(_EXTENSION, OrderedDict())


def cached_pages() -> int:
    """How many rendered pages this worker keeps for the current app."""
    return len(_pages(current_app))
