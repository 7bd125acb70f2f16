"""Render a :class:`~reports.document.ReportDocument` to one self-contained HTML file.

CSS and SVG charts are inlined; a Content-Security-Policy meta tag forbids every request, so the
file opens offline and cannot call home. All text is escaped by Jinja's autoescaping; chart SVGs
are the only markup let through, after :func:`check_inline_svg` has vetted them.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from xml.etree import ElementTree

import jinja2
from markupsafe import Markup

from reports.document import ReportDocument
from reports.errors import DocumentError

#: Nothing may be fetched: inline styles and data: images only.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_FORBIDDEN_TAGS = {"script", "foreignObject", "iframe", "object", "embed", "a"}
_DOCTYPE_OR_ENTITY = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["inline_svg"] = check_inline_svg
    return environment


@functools.cache
def _stylesheet() -> str:
    return resources.files("reports").joinpath("templates/report.css").read_text(encoding="utf-8")


def check_inline_svg(svg: str) -> Markup:
    """Return ``svg`` marked safe for inlining, or raise if it could run code or fetch anything.

    Parameters
    ----------
    svg : str
        An SVG document such as the charts in :mod:`reports.charts` return.

    Returns
    -------
    markupsafe.Markup
        The unchanged SVG.

    Raises
    ------
    DocumentError
        If it is not well-formed SVG, declares entities, or holds scripts, event handlers,
        links, or references to anything but its own ``#ids`` and ``data:`` images.
    """
    if _DOCTYPE_OR_ENTITY.search(svg):
        raise DocumentError("chart SVG must not declare a DOCTYPE or entities")
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise DocumentError(f"chart SVG is not well-formed: {error}") from error
    if root.tag != f"{_SVG_NAMESPACE}svg":
        raise DocumentError("chart must be an <svg> element")
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in _FORBIDDEN_TAGS:
            raise DocumentError(f"chart SVG must not contain <{tag}>")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise DocumentError(f"chart SVG must not carry event handler {local!r}")
            if name in (_XLINK_HREF, "href") and not value.startswith(("#", "data:image/")):
                raise DocumentError(f"chart SVG must not reference {value[:40]!r}")
            if "url(" in value and not re.fullmatch(r"[^()]*url\(#[\w-]+\)[^()]*", value):
                raise DocumentError("chart SVG may only use url(#id) references")
    return Markup(svg)


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
