"""The one registry of staff pages: the staff menu and a survey's tabs both come from :data:`PAGES`.

A new staff page is one view module and one line here. A page with ``survey_endpoint`` is also a tab
of every survey's workspace (that endpoint takes ``survey_id``). Links whose endpoint is not
registered are left out, and each role sees only what it may open (admins see everything).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from survey.db import get_db
from survey.store.surveys import list_surveys


@dataclass(frozen=True)
class Page:
    """A staff page: its label, its menu endpoint, the roles besides admin, and its survey tab."""

    label: str
    endpoint: str
    roles: tuple[str, ...]
    survey_endpoint: str | None = None


BRM_AND_CULTURE = ("brm", "culture_lead")
#: Menu order; survey tabs keep the same order.
PAGES = (
    Page("Surveys", "builder.index", BRM_AND_CULTURE),
    Page("Overview", "workspace.overview", BRM_AND_CULTURE, "workspace.overview"),
    Page("Themes", "workspace.themes", ("brm",), "workspace.themes"),
    Page("Responses", "explore.responses", ("brm",), "explore.responses"),
    Page("Segments", "explore.segments", ("brm",), "explore.segments"),
    Page("Silo language", "culture.silo_index", BRM_AND_CULTURE, "culture.silo"),
    Page("Actions", "actions.index", ("brm",), "actions.survey_actions"),
    Page("Analysis", "explore.analysis", ("brm",), "explore.analysis"),
    Page("Lexicon", "culture.lexicon", ("culture_lead",)),
    Page("Check my text", "culture.check_text", BRM_AND_CULTURE),
    Page("Reports", "downloads.index", BRM_AND_CULTURE),
    Page("Users", "admin.users", ()),
    Page("API tokens", "admin.api_tokens", ()),
    Page("Webhooks", "webhooks.index", ()),
    Page("Import", "imports.upload", ()),
    Page("Settings and backups", "system.index", ()),
)


def _may_open(page: Page) -> bool:
    return current_user.role in page.roles or current_user.role == "admin"


def staff_navigation() -> dict[str, Any]:
    """Give every template the staff links (label, endpoint) the signed-in user may follow."""
    if not current_user.is_authenticated:
        return {"staff_nav": []}
    links = [(page.label, page.endpoint) for page in PAGES
             if page.endpoint in current_app.view_functions and _may_open(page)]
    return {"staff_nav": links}


def survey_tabs(survey_id: int) -> list[tuple[str, str, str]]:
    """(label, url, endpoint) of the workspace tabs of a survey that the signed-in user may open."""
    tabs = []
    for page in PAGES:
        endpoint = page.survey_endpoint
        if endpoint is None or endpoint not in current_app.view_functions or not _may_open(page):
            continue
        try:
            tabs.append((page.label, url_for(endpoint, survey_id=survey_id), endpoint))
        except BuildError:
            continue
    return tabs


def choose_survey(endpoint: str, heading: str) -> Any:
    """Without a survey id: go straight to the only survey, or let the user pick one."""
    surveys = list_surveys(get_db())
    if len(surveys) == 1:
        return redirect(url_for(endpoint, survey_id=surveys[0].id))
    return render_template("workspace/choose.html", surveys=surveys, endpoint=endpoint, heading=heading)


def site_root() -> Any:
    """The site's root leads to the staff home (through sign-in); partners come in by their links."""
    return redirect(url_for("builder.index"))


def init_app(app: Flask) -> None:
    """Make :func:`staff_navigation` available to every template; serve the site root."""
    app.context_processor(staff_navigation)
    app.add_url_rule("/", "site_root", site_root)
