"""Reading pages the way a browser would: the hidden inputs it sends back, the charts it shows."""

from __future__ import annotations

import base64
import re
from html import unescape
from html.parser import HTMLParser

SVG_DATA_URI = "data:image/svg+xml;base64,"


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.hidden[found["name"]] = found.get("value", "")
        elif tag == "img" and found.get("src", "").startswith(SVG_DATA_URI):
            self.images.append(base64.b64decode(found["src"][len(SVG_DATA_URI):]).decode("utf-8"))


def _parsed(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def hidden_fields(html: str) -> dict[str, str]:
    """Every hidden input of the page by name (CSRF token, form token, code, lexicon version...)."""
    return _parsed(html).hidden


def chart_svgs(html: str) -> list[str]:
    """The SVG documents of the page's charts (each embedded as a ``data:`` image)."""
    return _parsed(html).images


def sign_in(client, db, role: str = "brm") -> None:
    """Sign ``client`` in as a staff member with ``role`` (created on first use)."""
    from conftest import STAFF_PASSWORD

    from survey.store.staff import create_staff_user

    username = f"{role}-user"
    if not db.execute("SELECT 1 FROM staff WHERE username = ?", [username]).fetchone():
        create_staff_user(db, username, STAFF_PASSWORD, role)
    response = client.post("/staff/login", data={"username": username, "password": STAFF_PASSWORD})
    assert response.status_code == 302


def page_text(response) -> str:
    """Visible text of a page, tags stripped and whitespace collapsed."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def as_another_browser(client) -> None:
    """Forget the partner cookie (CSRF key, answered waves), as a different browser would not have it."""
    from survey.web.partner.browser_cookie import COOKIE_NAME

    client.delete_cookie(COOKIE_NAME, path="/s/")
