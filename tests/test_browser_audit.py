"""axe-core, sideways scrolling and screenshots on every page, at 1280 and 390 px (issue 14).

One server over a copy of the analysed demo survey (plus an action, an event note, a scheduled and an
invitation wave), one Chromium. Pages come from the app's routes (``audit_support.page_routes``),
so a new page is audited as soon as it exists. Screenshots go to ``screenshots/1280/`` and
``screenshots/390/`` (git-ignored).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from audit_support import (
    WIDTHS,
    Audit,
    Finding,
    Route,
    audit_context,
    check_page,
    chromium,
    page_routes,
    public_routes,
    staff_routes,
)
from browser_support import BROWSER_MARKS, serve_over_http
from conftest import STAFF_PASSWORD

from survey import create_app
from survey.db import open_migrated
from survey.store.actions import create_action
from survey.store.culture import add_event
from survey.store.lexicons import current_lexicon
from survey.store.staff import create_staff_user
from survey.store.surveys import create_wave, get_survey, questions_for, waves_for
from survey.web.navigation import PAGES

pytestmark = BROWSER_MARKS
ROLES = ("brm", "culture_lead", "admin")


@dataclass(frozen=True)
class Site:
    """The served demo: its base URL, its app, the pages to audit and the partner links."""

    url: str
    routes: list[Route]
    tokens: dict[str, str]


def _seed(db: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Add what the demo lacks (staff, an action, an event, more waves); return ids and tokens."""
    on = dt.date.today()  # when seeding, not at import: a run may cross midnight
    survey_id = db.execute("SELECT id FROM surveys ORDER BY id").fetchone()[0]
    for role in ROLES:
        create_staff_user(db, f"{role}-user", STAFF_PASSWORD, role)
    theme_id = db.execute("SELECT id FROM themes WHERE survey_id = ? AND kind = 'seeded' "
                          "ORDER BY units DESC LIMIT 1", [survey_id]).fetchone()[0]
    action = create_action(db, survey_id, theme_id, "Publish a delivery calendar", owner="Sam Porter",
                           due_on=on - dt.timedelta(days=3), status="in_progress",
                           public_note="A monthly calendar of releases, shared with every department.")
    waves = waves_for(db, survey_id)
    add_event(db, survey_id, waves[1].opens_on - dt.timedelta(days=20), "Service desk reorganised")
    scheduled = create_wave(db, survey_id, "Next year", on + dt.timedelta(days=60),
                            on + dt.timedelta(days=90))
    invited = create_wave(db, survey_id, "Leadership pulse", on, on + dt.timedelta(days=30),
                          "invitation")
    open_wave = next(wave for wave in waves if wave.status(on) == "open")
    closed_wave = next(wave for wave in waves if wave.status(on) == "closed")
    ids = {"survey_id": survey_id, "theme_id": theme_id, "action_id": action.id, "fmt": "html",
           "question_id": questions_for(db, survey_id)[0].id, "wave_id": open_wave.id,
           "term_id": current_lexicon(db).terms[0].id, "token": open_wave.token,
           "slug": get_survey(db, survey_id).slug}
    tokens = {"open": open_wave.token, "closed": closed_wave.token, "scheduled": scheduled.token,
              "invitation": invited.token}
    return ids, tokens


@pytest.fixture(scope="module")
def site(analysed_templates, tmp_path_factory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("audit")
    path = folder / "rapport.db"
    shutil.copy(analysed_templates.path(), path)
    db = open_migrated(str(path))
    ids, tokens = _seed(db)
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "audit", "WTF_CSRF_ENABLED": True,
                      "RATELIMIT_ENABLED": True, "LOGIN_ACCOUNT_FAILURES": 2,
                      "ANALYSIS_JOBS_DIR": str(folder / "jobs")})
    with serve_over_http(app) as url:
        yield Site(url, page_routes(app, ids), tokens)
    db.close()


@pytest.fixture(scope="module")
def browser_for_audit() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _sign_in(page: Any, base: str, username: str, password: str = STAFF_PASSWORD) -> Any:
    page.goto(f"{base}/staff/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def _navigation_endpoints(role: str) -> set[str]:
    """The menu pages and survey tabs that ``role`` may open, by the navigation registry."""
    pages = [page for page in PAGES if role == "admin" or role in page.roles]
    return {page.endpoint for page in pages} | {page.survey_endpoint for page in pages
                                                 if page.survey_endpoint}


def _pages_for(site: Site, role: str) -> list[Route]:
    """An admin opens every staff page; a BRM and a culture lead every page of their navigation
    (the pages behind those, such as one theme or one wave, look the same for every role)."""
    staff = staff_routes(site.routes)
    if role == "admin":
        return staff
    allowed = _navigation_endpoints(role)
    return [route for route in staff if route.endpoint in allowed]


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_page_of_every_role_passes_axe_at_both_widths(site, browser_for_audit, role):
    audit = Audit()
    routes = _pages_for(site, role)
    assert len(routes) >= 5
    for width in WIDTHS:
        context = audit_context(browser_for_audit, width)
        page = _sign_in(context.new_page(), site.url, f"{role}-user")
        seen: set[str] = set()
        for route in routes:
            response = page.goto(site.url + route.url)
            status = response.status if response else 0
            if route.endpoint in _navigation_endpoints(role) and status != 200:
                audit.findings.append(Finding(route.rule, width, f"in the menu, but it answered {status}"))
            if status >= 400 or page.url in seen:
                continue  # error pages: test_error_pages_pass_axe_at_both_widths
            seen.add(page.url)
            check_page(page, audit, f"{role} {route.rule}", width, screenshot=role == "admin")
        context.close()
    assert not audit.findings, audit.report()


def _public_pages(site: Site) -> list[tuple[str, str]]:
    """(name, URL) of every page a partner or the public sees without signing in."""
    pages = [(route.rule, route.url) for route in public_routes(site.routes)]
    pages += [(f"{name} wave", f"/s/{token}") for name, token in site.tokens.items() if name != "open"]
    return pages


def test_every_partner_and_public_page_passes_axe_at_both_widths(site, browser_for_audit):
    audit = Audit()
    for width in WIDTHS:
        context = audit_context(browser_for_audit, width)
        page = context.new_page()
        for name, url in _public_pages(site):
            page.goto(site.url + url)
            check_page(page, audit, name, width)
        page.goto(f"{site.url}/s/{site.tokens['open']}")
        page.get_by_role("button", name="Submit my answers").click()
        page.wait_for_load_state()
        check_page(page, audit, "partner form with errors", width)
        context.close()
    assert not audit.findings, audit.report()


def test_error_pages_pass_axe_at_both_widths(site, browser_for_audit):
    audit = Audit()
    for width in WIDTHS:
        context = audit_context(browser_for_audit, width)
        page = context.new_page()
        assert page.goto(f"{site.url}/s/no-such-wave").status == 404
        check_page(page, audit, "404 partner", width)
        for _ in range(3):
            _sign_in(page, site.url, f"nobody-{width}", "wrong password")
        assert page.get_by_role("alert").first.is_visible()
        check_page(page, audit, "429 sign-in throttled", width)
        _sign_in(page, site.url, "culture_lead-user")
        assert page.goto(f"{site.url}/staff/actions").status == 403
        check_page(page, audit, "403 staff", width)
        assert page.goto(f"{site.url}/staff/no-such-page").status == 404
        check_page(page, audit, "404 staff", width)
        context.close()
    assert not audit.findings, audit.report()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_after_a_failed_submit_the_error_summary_comes_first_and_has_focus(site, browser_for_audit,
                                                                           javascript):
    context = audit_context(browser_for_audit, 390, javascript=javascript)
    page = context.new_page()
    page.goto(f"{site.url}/s/{site.tokens['open']}")
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_load_state()
    summary = page.locator("#errors")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("() => document.activeElement.id") == "errors"
    box = summary.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, "the summary is below the first screen"
    first = page.evaluate("() => document.querySelector('main article').firstElementChild.id")
    assert first == "errors", "the summary must come before the introduction and privacy note"
    context.close()


def test_on_a_phone_the_menu_opens_without_javascript_and_the_tabs_all_show(site, browser_for_audit):
    from playwright.sync_api import expect

    context = audit_context(browser_for_audit, 390, javascript=False)
    page = _sign_in(context.new_page(), site.url, "brm-user")
    page.goto(f"{site.url}/staff/overview")
    expect(page.get_by_role("navigation", name="Staff", exact=True)).to_be_hidden()
    expect(page.get_by_role("link", name="Segments", exact=True).first).to_be_visible()  # the tab
    page.get_by_text("Menu", exact=True).click()
    menu = page.get_by_role("navigation", name="Staff menu")
    expect(menu).to_be_visible()
    header = page.locator("header.site-header").bounding_box()
    menu.get_by_role("link", name="Actions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Actions")
    page.goto(f"{site.url}/staff/overview")
    tabs = page.get_by_role("navigation", name="Survey workspace").get_by_role("link")
    assert tabs.count() >= 6
    for index in range(tabs.count()):
        box = tabs.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, \
            f"tab {tabs.nth(index).inner_text()} is cut off"
    closed_header = page.locator("header.site-header").bounding_box()
    assert closed_header["height"] <= 80 < header["height"], "closed, the menu takes one line"
    page.goto(f"{site.url}/staff/segments")  # a table of segments x themes: wider than a phone
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("box => box.scrollWidth > box.clientWidth")
    assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
    assert "radial-gradient" in wrap.evaluate("box => getComputedStyle(box).backgroundImage"), \
        "a table that scrolls shows a shadow at the edge with more columns"
    context.close()


FOCUS_RING_CONTRAST = """element => {
  const rgb = text => text.match(/[0-9.]+/g).slice(0, 3).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let behind = element.parentElement;
  while (getComputedStyle(behind).backgroundColor.endsWith(', 0)')) behind = behind.parentElement;
  const ring = luminance(rgb(getComputedStyle(element).outlineColor));
  const page = luminance(rgb(getComputedStyle(behind).backgroundColor));
  return getComputedStyle(element).outlineStyle === 'none' ? 0
    : (Math.max(ring, page) + 0.05) / (Math.min(ring, page) + 0.05);
}"""


def test_the_focus_ring_stands_out_3_to_1_on_the_page_and_in_the_header(site, browser_for_audit):
    context = audit_context(browser_for_audit, 1280)
    page = _sign_in(context.new_page(), site.url, "brm-user")
    page.goto(f"{site.url}/staff/overview")
    for target in (page.locator("nav.nav-wide a").first, page.locator(".breadcrumb a").first,
                   page.locator(".tabs a").nth(1)):
        target.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
        assert target.evaluate(FOCUS_RING_CONTRAST) >= 3, target
    context.close()
