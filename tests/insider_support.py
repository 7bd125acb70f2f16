"""The insider's world for the anonymity tests (DESIGN.md section 3, rules 7-9).

One survey, one open wave, partners answering through the real partner form, the analysis run
through ``rapport analyze``, and staff (a BRM, a culture lead) signed in to the real app; plus what
an insider records of it: the visible text of every page, theme page and download. The tests that
play the insider are split by threat: ``test_anonymity_insider_differencing`` (rule 7),
``_ids`` (rule 8), ``_ordering`` (rules 2 and 8 in the database), ``_logs`` (rule 9),
``_suppression`` (rule 5 in what analysis stores and pages show), ``_files`` (the database files),
and ``test_api_insider`` (the REST API). A module uses the fixture as ``world = insider.world``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from page_support import as_another_browser

from survey import create_app
from survey.db import open_database
from survey.migrations import migrate
from survey.store.staff import create_staff_user
from survey.store.surveys import add_question, create_survey, create_wave

PASSWORD = "correct horse battery"
K = 5  # the default min group size, and so the default release batch size
#: Distinct, ordinary words: the n-th partner to answer writes about ``WORDS[n]``, so any row an
#: insider can read is traced back to its arrival index through its text.
WORDS = [
    "printer", "laptop", "monitor", "keyboard", "headset", "docking", "charger", "scanner", "projector",
    "router", "firewall", "mailbox", "calendar", "backup", "archive", "invoice", "payroll", "ledger",
    "budget", "contract", "licence", "password", "badge", "helpdesk", "onboarding", "offboarding",
    "roadmap", "sprint", "release", "migration", "upgrade", "outage", "network", "server", "storage",
    "database", "dashboard", "spreadsheet", "reporting", "analytics", "telephony", "webcam", "tablet",
    "smartphone", "wallpaper", "intranet", "wiki", "chatbot", "survey", "training", "handbook",
]
#: "8 new answers", "+16 units": a count of what arrived since the last run (zero says nothing).
NEW_COUNT = re.compile(r"\b[1-9][\d,]* new (?:answers?|units?|responses?|comments?)\b|\+[1-9][\d,]* units?\b")
TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b|T\d{2}[:]?\d{2}")


# ----------------------------------------------------------------------------------------------
# The insider's world: one survey, one open wave, partners answering through the form
# ----------------------------------------------------------------------------------------------

@dataclass
class World:
    app: object
    db: object
    survey: object
    wave: object
    slug: str
    instance: str
    jobs: str
    partner: FlaskClient
    brm: FlaskClient
    culture: FlaskClient
    arrivals: list[str] = field(default_factory=list)  # WORDS used, in arrival order

    def submit(self, count: int, department: str = "Finance", texts: tuple[str, str] | None = None) -> None:
        """``count`` partners answer through the real form, each about the next unused word (in
        ``texts``, the two answers with ``{word}`` in them, when given)."""
        for _ in range(count):
            word = WORDS[len(self.arrivals)]
            self.arrivals.append(word)
            submit_answer(self, word, department, texts)

    def analyse(self) -> str:
        """``rapport analyze`` through the CLI; returns what it printed."""
        result = self.app.test_cli_runner().invoke(args=["analyze", "--survey", str(self.survey.id)])
        assert result.exit_code == 0, result.output
        return result.output

    def export(self, fmt: str) -> bytes:
        response = self.brm.get(f"/staff/surveys/{self.survey.id}/report.{fmt}?wave={self.wave.label}")
        assert response.status_code == 200, (fmt, response.status_code)
        return response.data

    def export_rows(self) -> list[dict]:
        return json.loads(self.export("json"))


def _signed_in(app, db, role: str) -> FlaskClient:
    client = app.test_client()
    create_staff_user(db, f"{role}-insider", PASSWORD, role)
    response = client.post("/staff/login", data={"username": f"{role}-insider", "password": PASSWORD})
    assert response.status_code == 302
    return client


#: What a partner writes about their word: "What should IT change?" and "Anything else?".
ANSWERS = ("The {word} request took far too long to close. Nobody explained the {word} delay to us.",
           "The {word} team was friendly. Please keep the {word} updates coming.")


def submit_answer(world: World, word: str, department: str = "Finance",
                  texts: tuple[str, str] | None = None) -> None:
    """One partner's answer: two free-text answers (by default two units each) and a segment, via
    the form."""
    change, other = texts or ANSWERS
    # Each partner has a browser of their own: the one before would be told "you already answered".
    as_another_browser(world.partner)
    page = world.partner.get(f"/s/{world.wave.token}")
    assert page.status_code == 200
    hidden = dict(re.findall(r'name="(csrf_token|form_token|code)" type="hidden" value="([^"]*)"',
                             page.get_data(as_text=True)))
    questions = {row[1]: f"q{row[0]}" for row in world.db.execute(
        "SELECT id, prompt FROM questions WHERE survey_id = ?", [world.survey.id])}
    data = {
        **hidden,
        questions["What should IT change?"]: change.format(word=word),
        questions["Anything else?"]: other.format(word=word),
        questions["How well does IT listen?"]: "3",
        questions["Your department"]: department,
    }
    response = world.partner.post(f"/s/{world.wave.token}", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


@pytest.fixture
def world(tmp_path, monkeypatch) -> Iterator[World]:
    instance = tmp_path / "instance"  # created by opening the database, as a first deployment would
    jobs = tmp_path / "jobs"
    monkeypatch.setenv("RAPPORT_INSTANCE_PATH", str(instance))
    database = str(instance / "rapport.db")
    db = open_database(database)
    migrate(db)
    app = create_app({"DATABASE": database, "SECRET_KEY": "insider-test", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "ANALYSIS_JOBS_DIR": str(jobs)})
    survey = create_survey(db, "IT partnership pulse", "Tell us how IT works with you.")
    add_question(db, survey.id, "text", "What should IT change?", required=True)
    add_question(db, survey.id, "text", "Anything else?")
    add_question(db, survey.id, "rating", "How well does IT listen?", required=True)
    add_question(db, survey.id, "segment", "Your department", options=["Finance", "HR"])
    today = dt.date.today()
    wave = create_wave(db, survey.id, "Wave 1", today - dt.timedelta(days=8), today + dt.timedelta(days=30))
    slug = db.execute("SELECT slug FROM surveys WHERE id = ?", [survey.id]).fetchone()[0]
    world = World(app, db, survey, wave, slug, str(instance), str(jobs), app.test_client(),
                  _signed_in(app, db, "brm"), _signed_in(app, db, "culture_lead"))
    yield world
    db.close()



# ----------------------------------------------------------------------------------------------
# What staff can see
# ----------------------------------------------------------------------------------------------

class _Text(HTMLParser):
    """Visible text of a page plus every link target (to follow theme pages)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.links += [value for name, value in attrs if name == "href" and value]
        # Charts are images: what they draw is part of what the insider sees (by a digest of it).
        self.parts += [f"[chart {hashlib.sha256(value.encode()).hexdigest()[:12]}]" for name, value in attrs
                       if name in ("src", "srcset") and value and value.startswith("data:image")]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split()), parser.links


def staff_pages(world: World) -> list[tuple[FlaskClient, str]]:
    """Every staff page (and the partners' "you said, we did") that shows response-derived data."""
    s, w = world.survey.id, world.wave.id
    brm = [f"/staff/surveys/{s}/overview", f"/staff/surveys/{s}/themes", f"/staff/surveys/{s}/responses",
           f"/staff/surveys/{s}/segments", f"/staff/surveys/{s}/segments?metric=sentiment",
           f"/staff/surveys/{s}/reports", "/staff/reports", f"/staff/surveys/{s}/actions", "/staff/actions",
           "/staff/", f"/staff/surveys/{s}", f"/staff/waves/{w}", "/staff/overview"]
    brm += [f"/staff/surveys/{s}/responses?q={word}" for word in WORDS[:3 * K]]
    culture = [f"/staff/surveys/{s}/silo", "/staff/silo", f"/staff/surveys/{s}/reports"]
    return ([(world.brm, url) for url in brm] + [(world.culture, url) for url in culture]
            + [(world.partner, f"/y/{world.slug}")])


def snapshot(world: World) -> dict[str, str]:
    """What an insider records at one moment: the visible text of every page, every theme page,
    and every download (byte for byte)."""
    seen: dict[str, str] = {}
    for client, url in staff_pages(world):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, (url, response.status_code)
        text, links = visible(response.get_data(as_text=True))
        seen[url] = text
        if url.endswith("/themes"):
            for link in sorted(set(links)):
                if re.fullmatch(rf"/staff/surveys/{world.survey.id}/themes/[^/?#]+", link):
                    seen[link] = visible(client.get(link).get_data(as_text=True))[0]
    seen["report.html"] = world.export("html").decode("utf-8")
    # Export ids are drawn afresh per export (rule 8): compare the rows as a multiset without them.
    for fmt, rows in (("csv", csv_rows(world.export("csv"))), ("json", world.export_rows())):
        seen[f"report.{fmt}"] = "\n".join(sorted(json.dumps({k: v for k, v in row.items() if k != "unit_id"},
                                                             sort_keys=True) for row in rows))
    return seen


def numbers(text: str) -> set[str]:
    """Integers on a page, leaving out dates, times and durations (which move with the clock)."""
    text = re.sub(r"\d{4}-\d{2}-\d{2}|\d{1,2} \w{3} \d{4}|\d{1,2}:\d{2}|\d+(\.\d+)? ?s\b", " ", text)
    return set(re.findall(r"\b\d[\d,]*\b", text))


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The pages and downloads that changed between two snapshots, each with its first change."""
    changed = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, ""), after.get(key, "")
        if old != new:
            pairs = enumerate(zip(old, new, strict=False))
            at = next((i for i, (a, b) in pairs if a != b), min(len(old), len(new)))
            changed.append(f"{key}: {old[max(0, at - 40):at + 40]!r} -> {new[max(0, at - 40):at + 40]!r}")
    return changed



def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def respondent_of(world: World, text: str) -> str:
    """The word (so the arrival) of the partner who wrote ``text``."""
    (word,) = {word for word in world.arrivals if f" {word} " in f" {text} "}
    return word


# ----------------------------------------------------------------------------------------------
# Arrival order
# ----------------------------------------------------------------------------------------------

def response_derived_tables(con: sqlite3.Connection) -> list[str]:
    """Tables whose rows come from responses: they name a response or unit, or hold their text."""
    tables = [name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    derived = []
    for table in tables:
        columns = {row[1] for row in con.execute(f'PRAGMA table_info("{table}")')}
        if columns & {"response_id", "unit_id", "text_key"} or table.startswith("units") or table in (
                "responses", "answers"):
            derived.append(table)
    return derived


def is_rowid_table(con: sqlite3.Connection, table: str) -> bool:
    try:
        con.execute(f'SELECT rowid FROM "{table}" LIMIT 1')
    except sqlite3.OperationalError:
        return False
    return True



def concordance_within_batches(order: list[int], batches: list[set[int]]) -> float | None:
    """Share of same-batch pairs that a listing shows in arrival order (0.5 for a random order)."""
    concordant = total = 0
    for batch in batches:
        listed = [index for index in order if index in batch]
        for i, earlier in enumerate(listed):
            for later in listed[i + 1:]:
                total += 1
                concordant += earlier < later
    return concordant / total if total else None



def release_batches(arrivals: int, per_round: int, k: int = K) -> list[set[int]]:
    """The batches rule 7 releases when ``per_round`` answers arrive between analysis runs."""
    batches, waiting = [], []
    for index in range(arrivals):
        waiting.append(index)
        if (index + 1) % per_round == 0 and len(waiting) >= k:
            batches.append(set(waiting))
            waiting = []
    return batches
