"""The accessibility and layout audit of the browser tests: which pages, and what is checked on each.

The page list comes from the app itself: every GET route of ``app.url_map`` (so a new page is
audited without touching the test), filled in with the ids of a seeded database (:class:`SeededIds`).
A route whose URL needs an id nobody seeded fails the audit with a message naming that id.
Staff pages are visited as each role; what a role may open follows ``survey.web.navigation.PAGES``.

On each page axe-core (``node_modules/axe-core``, pinned in ``package.json``) runs in the page, the
document must not scroll sideways, and a screenshot is written to ``screenshots/<width>/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from browser_support import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: The two widths every page is checked at: a laptop and a phone.
WIDTHS = (1280, 390)
#: axe impacts that fail the audit.
FAILING_IMPACTS = ("serious", "critical")
#: Routes that are not HTML pages (downloads in other formats are checked by their own tests).
NOT_PAGES = {"static"}
OVERFLOW_SCRIPT = "() => document.documentElement.scrollWidth - window.innerWidth"


@dataclass(frozen=True)
class Finding:
    """One problem on one page at one width."""

    page: str
    width: int
    problem: str

    def __str__(self) -> str:
        return f"{self.page} @ {self.width}px: {self.problem}"


@dataclass
class Audit:
    """Findings gathered over many pages (the test asserts there are none)."""

    findings: list[Finding] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    def report(self) -> str:
        return "\n".join(str(finding) for finding in self.findings)


@contextmanager
def chromium() -> Iterator[Any]:
    """One headless Chromium for a whole module of audits."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def audit_context(browser: Any, width: int, *, javascript: bool = True) -> Any:
    """A browser context for the audit: CSP bypassed only here, so axe can be injected.

    Downloads that are HTML (the wave report) open as pages here, so they are audited too.
    """
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True,
                                  java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(120_000)  # a wave report draws its charts on first view
    context.route(re.compile(r".*/report\.html(\?.*)?$"), _inline)
    # The favicon is not audited; the browser's background fetch of it, dropped mid-response, left
    # the dev server's file handle to the garbage collector (a ResourceWarning, an error here).
    context.route(re.compile(r".*/favicon\.(svg|ico)$"), lambda route: route.fulfill(status=204))
    return context


def _inline(route: Any) -> None:
    response = route.fetch(timeout=120_000)
    headers = {name: value for name, value in response.headers.items()
               if name.lower() != "content-disposition"}
    route.fulfill(response=response, headers=headers)


#: The smallest chart text, in CSS pixels, of every chart on the page as it is shown.
CHART_TEXT_SCRIPT = """() => [...document.querySelectorAll('figure.chart')].map(figure => {
  const drawings = [...figure.querySelectorAll('img, svg[role=img]')]
    .filter(chart => chart.getBoundingClientRect().width > 0);  /* the drawing for this width */
  if (drawings.length === 0) return 0;  /* a chart that is not shown at all */
  const chart = drawings[0], shown = chart.getBoundingClientRect().width;
  let svg = chart.outerHTML;
  if (chart.tagName === 'IMG') {
    const source = chart.currentSrc || chart.src;
    if (!source.startsWith('data:image/svg+xml;base64,')) return null;
    svg = atob(source.slice(26));
  }
  const box = /viewBox="0 0 ([0-9.]+)/.exec(svg);
  const sizes = [...svg.matchAll(/font-size="([0-9.]+)px"/g)].map(match => Number(match[1]));
  return box && sizes.length ? Math.min(...sizes) * shown / Number(box[1]) : null;
}).filter(size => size !== null)"""
#: Chart text smaller than this (CSS px) fails the audit.
MIN_CHART_TEXT_PX = 9


def check_page(page: Any, audit: Audit, name: str, width: int, *, screenshot: bool = True) -> None:
    """Run axe on the page as it is now, check it does not scroll sideways and its chart text is
    readable, and (unless told not to) screenshot it."""
    audit.pages.append(f"{name} @ {width}")
    for size in page.evaluate(CHART_TEXT_SCRIPT):
        if size < MIN_CHART_TEXT_PX:
            audit.findings.append(Finding(name, width, f"chart text is {size:.1f}px"))
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    for violation in result["violations"]:
        if violation["impact"] in FAILING_IMPACTS:
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:4])
            audit.findings.append(Finding(name, width, f"{violation['id']} ({violation['impact']}): "
                                                       f"{violation['help']} at {targets}"))
    overflow = page.evaluate(OVERFLOW_SCRIPT)
    if overflow > 0:
        audit.findings.append(Finding(name, width, f"the page scrolls sideways by {overflow}px"))
    if not screenshot:
        return
    folder = SCREENSHOTS / str(width)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{_file_name(name)}.png"), full_page=True)


def _file_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "page"


@dataclass(frozen=True)
class Route:
    """A GET page of the app, with the URL built from seeded ids."""

    endpoint: str
    rule: str
    url: str


def page_routes(app: Flask, ids: Mapping[str, Any]) -> list[Route]:
    """Every GET page of ``app`` with its URL arguments taken from ``ids``.

    Raises ``LookupError`` naming the argument when a route needs an id that ``ids`` lacks, so a new
    page with a new kind of id makes the audit ask for it rather than skip the page.
    """
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES or _is_file(rule.rule) \
                or _is_api(rule.rule):
            continue
        needed = sorted(rule.arguments - set(rule.defaults or {}))
        missing = [name for name in needed if name not in ids]
        if missing:
            raise LookupError(f"{rule.rule} needs a seeded {', '.join(missing)}: add it to SeededIds")
        values = {name: ids[name] for name in needed}
        url = rule.build(values, append_unknown=False)
        if url is None:  # a converter refused the value (for example report.<any(...):fmt>)
            raise LookupError(f"{rule.rule} refused the seeded values {values}")
        routes.append(Route(rule.endpoint, rule.rule, url[1]))
    return routes


def _is_api(rule: str) -> bool:
    """A JSON route of the REST API (its human page, ``/api/docs``, is audited)."""
    return rule.startswith("/api/") and rule != "/api/docs"


def _is_file(rule: str) -> bool:
    """A download such as ``/staff/lexicon.csv`` or ``/favicon.ico`` (the report route, whose
    extension is a variable, is audited as ``.html``)."""
    last = rule.rsplit("/", 1)[-1]
    return "." in last and not last.endswith(".html") and "<" not in last


def staff_routes(routes: list[Route]) -> list[Route]:
    """The staff pages (everything under ``/staff``) apart from signing in."""
    return [route for route in routes if route.url.startswith("/staff/") and route.endpoint != "auth.login"]


def public_routes(routes: list[Route]) -> list[Route]:
    """The pages anyone may open: partner forms, thanks, "You said, we did", sign-in."""
    return [route for route in routes
            if not route.url.startswith("/staff/") or route.endpoint == "auth.login"]
