"""Render a :class:`~reports.document.ReportDocument` to one self-contained HTML file.

CSS and SVG charts are inlined; a Content-Security-Policy meta tag forbids every request, so the
file opens offline and cannot call home. All text is escaped by Jinja's autoescaping; chart SVGs
are the only markup let through, after :func:`check_inline_svg` has vetted them.
"""

from __future__ import annotations

import functools
from importlib import resources

import jinja2
from markupsafe import Markup

from reports.document import ReportDocument
from reports.formatting import date_text
from reports.svg_safety import check_inline_svg

#: Nothing may be fetched: inline styles and data: images only.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

__all__ = ["CONTENT_SECURITY_POLICY", "check_inline_svg", "render_html"]


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["date_text"] = date_text
    environment.filters["inline_svg"] = lambda svg: Markup(check_inline_svg(svg))
    return environment


@functools.cache
def _stylesheet() -> str:
    return resources.files("reports").joinpath("templates/report.css").read_text(encoding="utf-8")


def render_html(doc: ReportDocument) -> str:
    """Render the report as one HTML5 file with inline CSS and inline SVG charts.

    Parameters
    ----------
    doc : ReportDocument
        The report; its text is escaped, its chart SVGs are vetted by :func:`check_inline_svg`.

    Returns
    -------
    str
        The complete HTML document. It makes no request when opened and prints on A4.
    """
    template = _environment().get_template("report.html")
    return template.render(
        doc=doc,
        stylesheet=Markup(_stylesheet()),
        content_security_policy=CONTENT_SECURITY_POLICY,
    )
