"""The web layer: security headers, staff sign-in, error pages, navigation and every blueprint.

Pages live in one area package each (:mod:`~survey.web.partner`, :mod:`~survey.web.workspace`,
:mod:`~survey.web.culture`, :mod:`~survey.web.admin`). Every module of an area that defines a
``bp`` blueprint is registered, so a new page is one view module (plus, for a staff page, one line
in :data:`survey.web.navigation.PAGES`).
"""

from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint, Flask

from survey.web import auth, error_pages, navigation, oidc, presentation, security, sessions
from survey.web.partner import fast_form

#: The area packages whose modules' blueprints are registered, in this order.
AREAS = ("survey.web.partner", "survey.web.workspace", "survey.web.culture", "survey.web.admin",
         "survey.web.api")


def area_blueprints() -> list[Blueprint]:
    """The ``bp`` of every module in :data:`AREAS`, each once (a module may add views to another's)."""
    found: list[Blueprint] = []
    for area in AREAS:
        package = importlib.import_module(area)
        for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
            module = importlib.import_module(f"{area}.{module_info.name}")
            blueprint = getattr(module, "bp", None)
            if isinstance(blueprint, Blueprint) and all(blueprint is not seen for seen in found):
                found.append(blueprint)
    return found


def init_app(app: Flask) -> None:
    """Wire the web layer into ``app``."""
    security.init_app(app)
    fast_form.init_app(app)  # inside the proxy fix that sessions.init_app may add
    sessions.init_app(app)
    auth.init_app(app)
    oidc.init_app(app)
    error_pages.init_app(app)
    navigation.init_app(app)
    presentation.init_app(app)
    for blueprint in area_blueprints():
        app.register_blueprint(blueprint)
