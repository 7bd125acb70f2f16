"""Vetting of chart SVG before it is inlined in HTML or converted for the PDF.

Chart SVG is the only markup a report lets through unescaped, so it must not be able to run code or
fetch anything: no scripts, event handlers, animations, links, entities, or external references.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from reports.errors import DocumentError

_SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_FORBIDDEN_TAGS = {"script", "foreignObject", "iframe", "object", "embed", "a", "animate", "set",
                   "animateMotion", "animateTransform"}
_EXTERNAL_CSS = re.compile(r"@import|url\(\s*(?!#)", re.IGNORECASE)
_DOCTYPE_OR_ENTITY = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_inline_svg(svg: str) -> str:
    """Return ``svg`` unchanged if it is safe to inline; raise if it could run code or fetch anything.

    Parameters
    ----------
    svg : str
        An SVG document such as the charts in :mod:`reports.charts` return.

    Returns
    -------
    str
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
        if tag == "style" and _EXTERNAL_CSS.search(element.text or ""):
            raise DocumentError("chart SVG styles must not import or reference anything")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise DocumentError(f"chart SVG must not carry event handler {local!r}")
            if name in (_XLINK_HREF, "href") and not value.startswith(("#", "data:image/")):
                raise DocumentError(f"chart SVG must not reference {value[:40]!r}")
            if "url(" in value and not re.fullmatch(r"[^()]*url\(#[\w-]+\)[^()]*", value):
                raise DocumentError("chart SVG may only use url(#id) references")
    return svg
