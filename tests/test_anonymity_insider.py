"""DESIGN.md section 3, rules 7-9: a curious staff member with ordinary rights is an adversary.

Black-box: partners answer through the real partner form, the analysis runs through ``rapport
analyze`` (and the web "Run analysis" job), staff read the real pages and downloads, and the
database file, job files and the logs of a real ``rapport serve`` are read as an insider with a
shell on the server would. Each test fails if its rule is broken.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import pathlib
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient

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

    def submit(self, count: int, department: str = "Finance") -> None:
        """``count`` partners answer through the real form, each about the next unused word."""
        for _ in range(count):
            word = WORDS[len(self.arrivals)]
            self.arrivals.append(word)
            submit_answer(self, word, department)

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


def submit_answer(world: World, word: str, department: str = "Finance") -> None:
    """One partner's answer: two free-text answers (two units each) and a segment, via the form."""
    # Each partner has a browser of their own: the one before would be told "you already answered".
    world.partner.delete_cookie("session")
    page = world.partner.get(f"/s/{world.wave.token}")
    assert page.status_code == 200
    hidden = dict(re.findall(r'name="(csrf_token|form_token|code)" type="hidden" value="([^"]*)"',
                             page.get_data(as_text=True)))
    questions = {row[1]: f"q{row[0]}" for row in world.db.execute(
        "SELECT id, prompt FROM questions WHERE survey_id = ?", [world.survey.id])}
    data = {
        **hidden,
        questions["What should IT change?"]:
            f"The {word} request took far too long to close. Nobody explained the {word} delay to us.",
        questions["Anything else?"]: f"The {word} team was friendly. Please keep the {word} updates coming.",
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
    for fmt, rows in (("csv", _csv_rows(world.export("csv"))), ("json", world.export_rows())):
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


def test_snapshots_are_stable_when_nothing_arrives(world):
    """Control for the differencing tests: with no new answer, a re-analysis changes nothing seen."""
    world.submit(2 * K)
    world.analyse()
    before = snapshot(world)
    assert sum(text.count("[chart ") for text in before.values()) >= 3  # charts are compared too
    world.analyse()
    assert differences(before, snapshot(world)) == []


# ----------------------------------------------------------------------------------------------
# Rule 7: no differencing below k
# ----------------------------------------------------------------------------------------------

def test_below_k_new_answers_change_no_page_count_search_or_export(world):
    world.submit(2 * K)
    world.analyse()
    before = snapshot(world)
    world.submit(K - 1)
    output = world.analyse()
    after = snapshot(world)
    assert differences(before, after) == []
    assert not NEW_COUNT.search(output), output  # the CLI's "N new answers"
    shown = json.dumps({key: text for key, text in after.items() if "?q=" not in key})  # not the echo
    for word in world.arrivals[-(K - 1):]:
        assert word not in shown, word  # not searchable, not exported, not quoted


def test_a_wave_shows_nothing_but_fewer_than_k_so_far_until_its_first_batch(world):
    """Before a wave's first release, the insider sees the same as for an empty wave."""
    world.analyse()
    before = snapshot(world)
    world.submit(K - 1)
    world.analyse()
    after = snapshot(world)
    assert differences(before, after) == []
    assert f"fewer than {K} so far" in after[f"/staff/surveys/{world.survey.id}/overview"]
    world.submit(1)
    world.analyse()
    assert differences(before, snapshot(world)) != []  # control: the first batch of k does show


def test_analysis_page_reveals_no_count_below_k(world):
    world.submit(2 * K)
    world.analyse()
    url = f"/staff/surveys/{world.survey.id}/analysis"
    before = visible(world.brm.get(url).get_data(as_text=True))[0]
    world.submit(K - 1)
    world.analyse()
    after = visible(world.brm.get(url).get_data(as_text=True))[0]
    assert numbers(after) - numbers(before) - {"0", str(K)} == set(), after


def test_at_k_all_waiting_answers_appear_together_and_look_alike(world):
    world.submit(2 * K)
    world.analyse()
    first = world.export_rows()
    world.submit(K - 2)
    world.analyse()
    world.submit(2)
    world.analyse()
    second = world.export_rows()
    old_texts = {row["text"] for row in first}
    new_rows = [row for row in second if row["text"] not in old_texts]
    new_words = {word for row in new_rows for word in world.arrivals if f" {word} " in row["text"]}
    assert new_words == set(world.arrivals[2 * K:]) and len(new_words) == K
    # Released together: the rows of the earlier and later arrivals carry the same kinds of values.
    assert {tuple(sorted(row)) for row in new_rows} == {tuple(sorted(row)) for row in first}


@pytest.mark.slow
def test_web_analysis_job_status_reveals_no_count_and_no_time_below_k(world):
    world.submit(2 * K)
    world.analyse()
    world.submit(K - 1)
    url = f"/staff/surveys/{world.survey.id}/analysis"
    assert world.brm.post(url).status_code == 303
    deadline = time.monotonic() + 240
    while "Refresh" in world.brm.get(url).headers:
        assert time.monotonic() < deadline, "the analysis job did not finish"
        time.sleep(1)
    page = visible(world.brm.get(url).get_data(as_text=True))[0]
    assert not NEW_COUNT.search(page), page
    files = sorted(os.listdir(world.jobs))
    assert files
    for name in files:
        with open(os.path.join(world.jobs, name), encoding="utf-8", errors="replace") as handle:
            content = handle.read()
        assert not NEW_COUNT.search(content), (name, content)
        assert not TIME_OF_DAY.search(content), (name, content)


def test_you_said_we_did_counts_only_released_answers(world):
    """Partners' "you said, we did" shows the last finished wave: answers that were still waiting
    for a batch of k when it closed are not counted there either."""
    world.submit(2 * K)
    world.analyse()
    world.submit(K - 1)
    world.analyse()
    yesterday = dt.date.today() - dt.timedelta(days=1)
    closed = world.brm.post(f"/staff/waves/{world.wave.id}/edit", data={
        "label": world.wave.label, "opens_on": (yesterday - dt.timedelta(days=7)).isoformat(),
        "closes_on": yesterday.isoformat(), "access": "public"})
    assert closed.status_code == 302, closed.get_data(as_text=True)[:300]
    world.analyse()
    page = visible(world.partner.get(f"/y/{world.slug}").get_data(as_text=True))[0]
    assert f"{2 * K} people answered" in page, page
    assert str(3 * K - 1) not in numbers(page), page


# ----------------------------------------------------------------------------------------------
# Rule 8: ids cannot be joined back to a respondent
# ----------------------------------------------------------------------------------------------

def _csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _respondent_of(world: World, text: str) -> str:
    (word,) = {word for word in world.arrivals if f" {word} " in f" {text} "}
    return word


def test_exported_ids_are_not_derived_from_responses_and_change_per_export(world):
    world.submit(2 * K)
    world.analyse()
    response_ids = [row[0] for row in world.db.execute("SELECT id FROM responses")]
    exports = [world.export("csv"), world.export("json"), world.export("csv")]
    for data in exports:
        for response_id in response_ids:
            for piece in (response_id, response_id.replace("-", ""), response_id[:8]):
                assert piece.encode() not in data, piece
    first, second = _csv_rows(exports[0]), _csv_rows(exports[2])
    ids_by_text = {row["text"]: row["unit_id"] for row in first}
    assert len(first) == 4 * 2 * K
    assert all(ids_by_text[row["text"]] != row["unit_id"] for row in second)  # per-export ids


def test_no_exported_field_groups_the_units_of_one_respondent(world):
    world.submit(2 * K)
    world.analyse()
    for rows in (_csv_rows(world.export("csv")), world.export_rows()):
        for column in rows[0]:
            if column == "text":
                continue
            holders: dict[str, set[str]] = {}
            for row in rows:
                value = str(row[column])
                for piece in {value, *re.split(r"[:/_.\-]", value)}:
                    if len(piece) >= 6:
                        holders.setdefault(piece, set()).add(_respondent_of(world, row["text"]))
            singled = {piece for piece, who in holders.items() if len(who) == 1
                       and sum(piece in str(row[column]) for row in rows) > 1}
            assert not singled, (column, sorted(singled)[:3])


def test_pages_show_no_response_id(world):
    """Not in the text, nor in a form's hidden field or a link: every page, every theme page."""
    world.submit(2 * K)
    world.analyse()
    response_ids = [row[0] for row in world.db.execute("SELECT id FROM responses")]
    pages = staff_pages(world)
    themes = visible(world.brm.get(f"/staff/surveys/{world.survey.id}/themes").get_data(as_text=True))[1]
    pages += [(world.brm, link) for link in sorted(set(themes))
              if re.fullmatch(rf"/staff/surveys/{world.survey.id}/themes/[^/?#]+", link)]
    assert len(pages) > len(staff_pages(world))
    for client, url in pages:
        html = client.get(url, follow_redirects=True).get_data(as_text=True)
        for response_id in response_ids:
            assert response_id not in html and response_id[:8] not in html, url


# ----------------------------------------------------------------------------------------------
# Rules 2 and 8 in the database file: random keys, no arrival order in any column
# ----------------------------------------------------------------------------------------------

def _response_derived_tables(con: sqlite3.Connection) -> list[str]:
    """Tables whose rows come from responses: they name a response or unit, or hold their text."""
    tables = [name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    derived = []
    for table in tables:
        columns = {row[1] for row in con.execute(f'PRAGMA table_info("{table}")')}
        if columns & {"response_id", "unit_id", "text_key"} or table.startswith("units") or table in (
                "responses", "answers"):
            derived.append(table)
    return derived


def _is_rowid_table(con: sqlite3.Connection, table: str) -> bool:
    try:
        con.execute(f'SELECT rowid FROM "{table}" LIMIT 1')
    except sqlite3.OperationalError:
        return False
    return True


def test_every_table_holding_response_derived_rows_is_keyed_by_random_ids(world):
    world.submit(K)
    world.analyse()
    con = sqlite3.connect(world.app.config["DATABASE"])
    schema = dict(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    plain = [t for t in _response_derived_tables(con)
             if "VIRTUAL" not in (schema[t] or "") and not re.search(r"_fts(_\w+)?$", t)]
    assert "units" in plain
    for table in plain:
        assert schema[table].rstrip().upper().endswith("WITHOUT ROWID"), table
    con.close()


def _concordance_within_batches(order: list[int], batches: list[set[int]]) -> float | None:
    """Share of same-batch pairs that a listing shows in arrival order (0.5 for a random order)."""
    concordant = total = 0
    for batch in batches:
        listed = [index for index in order if index in batch]
        for i, earlier in enumerate(listed):
            for later in listed[i + 1:]:
                total += 1
                concordant += earlier < later
    return concordant / total if total else None


def test_answers_become_visible_only_in_batches_of_k(world):
    """Partners arrive two at a time, with an analysis run after each pair: every export shows
    either nothing new or at least k new respondents at once."""
    shown: set[str] = set()
    released: set[int] = set()
    for _ in range(6):
        world.submit(2)
        world.analyse()
        texts = {row["text"] for row in world.export_rows()} - shown
        shown |= texts
        batch = {world.arrivals.index(_respondent_of(world, text)) for text in texts} - released
        released |= batch
        assert not batch or len(batch) >= K, f"{len(batch)} new respondents became visible at once"
    assert len(released) >= K


def release_batches(arrivals: int, per_round: int, k: int = K) -> list[set[int]]:
    """The batches rule 7 releases when ``per_round`` answers arrive between analysis runs."""
    batches, waiting = [], []
    for index in range(arrivals):
        waiting.append(index)
        if (index + 1) % per_round == 0 and len(waiting) >= k:
            batches.append(set(waiting))
            waiting = []
    return batches


def test_no_column_of_any_table_orders_rows_by_arrival(world):
    """Partners arrive one at a time, with an analysis run after each (the insider's best case).
    Within every batch that rule 7 releases together, ordering any table holding response-derived
    rows by any of its columns (or by rowid) must not follow arrival order. (The FTS index's own
    b-tree pages, ``units_fts_data``/``_idx``, hold no row per response and are not listings.)"""
    for _ in range(35):
        world.submit(1)
        world.analyse()
    batches = release_batches(len(world.arrivals), 1)
    con = sqlite3.connect(world.app.config["DATABASE"])
    text_by_key = dict(con.execute("SELECT text_key, text FROM units"))
    response_of_unit = dict(con.execute("SELECT id, response_id FROM units"))
    word_of_response = {}
    for response_id, text in con.execute("SELECT response_id, text FROM answers WHERE text IS NOT NULL"):
        word_of_response[response_id] = _respondent_of(world, text)

    def arrival(row: dict) -> int | None:
        for column, value in row.items():
            if not isinstance(value, str):
                continue
            if column == "response_id" and value in word_of_response:
                return world.arrivals.index(word_of_response[value])
            if column in ("unit_id", "id") and value in response_of_unit:
                return world.arrivals.index(word_of_response[response_of_unit[value]])
            if column == "text_key" and value in text_by_key:
                return world.arrivals.index(_respondent_of(world, text_by_key[value]))
            words = [word for word in world.arrivals if f" {word} " in f" {value} "]
            if len(words) == 1:
                return world.arrivals.index(words[0])
        return None

    leaks = []
    tables = dict.fromkeys(_response_derived_tables(con) + [t for (t,) in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'units_fts%'")])
    for table in [t for t in tables if not re.search(r"_fts_(data|idx|config)$", t)]:
        columns = [row[1] for row in con.execute(f'PRAGMA table_info("{table}")')]
        orders = [f'"{c}"' for c in columns] + (["rowid"] if _is_rowid_table(con, table) else [])
        if table.startswith("units_fts"):
            fts_arrival = {rowid: arrival({"text": text}) for rowid, text in con.execute(
                "SELECT rowid, text FROM units_fts")} if _is_rowid_table(con, "units_fts") else {}
        for order in orders:
            rows = con.execute(f'SELECT *{", rowid" if order == "rowid" else ""} FROM "{table}" '
                               f"ORDER BY {order}").fetchall()
            listed = []
            for row in rows:
                record = dict(zip(columns + (["rowid"] if order == "rowid" else []), row, strict=True))
                index = arrival(record)
                if index is None and table.startswith("units_fts"):
                    index = fts_arrival.get(record.get("id", record.get("rowid")))
                if index is not None and index not in listed:
                    listed.append(index)
            share = _concordance_within_batches(listed, batches)
            if share is not None and not 0.15 <= share <= 0.85:
                leaks.append(f"{table} ORDER BY {order}: {share:.2f}")
    con.close()
    exported = list(dict.fromkeys(world.arrivals.index(_respondent_of(world, row["text"]))
                                  for row in world.export_rows()))  # the order of a download's rows too
    share = _concordance_within_batches(exported, batches)
    if share is not None and not 0.15 <= share <= 0.85:
        leaks.append(f"report.json row order: {share:.2f}")
    assert leaks == [], "\n".join(leaks)


# ----------------------------------------------------------------------------------------------
# Rule 9: no time below the day, no client address, nothing written to instance/ on submission
# ----------------------------------------------------------------------------------------------

def test_the_database_keeps_no_time_of_day_after_submissions_and_analysis(world):
    world.submit(K)
    world.analyse()
    world.submit(K)
    world.analyse()
    con = sqlite3.connect(world.app.config["DATABASE"])
    found = []
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
                                "('staff', 'lexicon_versions', 'culture_events', '_sqlite_migrations')"):
        for row in con.execute(f'SELECT * FROM "{table}"'):
            for value in row:
                if isinstance(value, str) and re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value):
                    found.append((table, value[:40]))
    con.close()
    assert found == []


def _tree(path: str) -> dict[str, tuple[int, int]]:
    state = {}
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            info = os.stat(full)
            state[os.path.relpath(full, path)] = (info.st_mtime_ns, info.st_size)
    return state


def test_a_submission_writes_nothing_to_the_instance_folder_but_the_database(world):
    world.partner.get(f"/s/{world.wave.token}")  # the form itself may warm caches
    before = _tree(world.instance)
    world.submit(1)
    after = _tree(world.instance)
    database = os.path.basename(world.app.config["DATABASE"])
    changed = {name for name in set(before) | set(after)
               if before.get(name) != after.get(name) and not name.startswith(database)}
    assert changed == set()


# ---- a real server -----------------------------------------------------------------------------

CLIENT_ADDRESS = "127.0.0.77"  # a loopback address of its own, so "the client's address" is unambiguous


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _raw_request(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10,
                                  source_address=(CLIENT_ADDRESS, 0)) as connection:
        connection.sendall(payload)
        chunks = []
        while True:
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def served(world, tmp_path):
    """``rapport serve`` on a free loopback port, logging to files the insider can read."""
    port, access_log, error_log = _free_port(), tmp_path / "access.log", tmp_path / "server.log"
    env = {**os.environ, "RAPPORT_DATABASE": world.app.config["DATABASE"], "RAPPORT_SECRET_KEY": "s3cret",
           "RAPPORT_INSTANCE_PATH": world.instance, "RAPPORT_ENV": "production"}
    command = [sys.executable, "-c", "from survey.cli.main import main; main()", "serve", "--port", str(port),
               "--workers", "1", "--threads", "2", "--access-log", str(access_log)]
    with open(error_log, "wb") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while True:
                assert server.poll() is None, error_log.read_text()
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "rapport serve did not start"
                    time.sleep(0.2)
            yield SimpleNamespace(port=port, access_log=access_log, error_log=error_log)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _form_post(port: int, token: str, world: World, word: str) -> bytes:
    """A partner's GET and POST of the form, from :data:`CLIENT_ADDRESS`, as a browser sends them."""
    page = _raw_request(port, f"GET /s/{token} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
    page = page.decode("utf-8", "replace")
    hidden = dict(re.findall(r'name="(csrf_token|form_token|code)" type="hidden" value="([^"]*)"', page))
    cookies = "; ".join(re.findall(r"Set-Cookie: (\w+=[^;\s]+)", page))
    questions = {row[1]: f"q{row[0]}" for row in world.db.execute(
        "SELECT id, prompt FROM questions WHERE survey_id = ?", [world.survey.id])}
    from urllib.parse import urlencode

    body = urlencode({**hidden, questions["What should IT change?"]: f"The {word} queue is slow.",
                      questions["How well does IT listen?"]: "4"}).encode()
    headers = (f"POST /s/{token} HTTP/1.0\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               f"Content-Length: {len(body)}\r\nX-Forwarded-For: 198.51.100.23\r\n"
               + (f"Cookie: {cookies}\r\n" if cookies else "") + "\r\n")
    return _raw_request(port, headers.encode() + body)


def _check_post(port: int, token: str, world: World, text: str) -> bytes:
    """The form's "check before sending" as its script sends it (JSON answer), from the partner."""
    from urllib.parse import urlencode

    field = next(f"q{row[0]}" for row in world.db.execute(
        "SELECT id FROM questions WHERE survey_id = ? AND kind = 'text'", [world.survey.id]))
    body = urlencode({field: text}).encode()
    return _raw_request(port, (f"POST /s/{token}/check HTTP/1.0\r\nHost: x\r\nAccept: application/json\r\n"
                               f"Content-Type: application/x-www-form-urlencoded\r\n"
                               f"Content-Length: {len(body)}\r\n\r\n").encode() + body)


@pytest.mark.slow
def test_server_logs_hold_no_client_address_no_time_of_day_and_no_forged_lines(world, served):
    answer = _form_post(served.port, world.wave.token, world, "printer")
    assert answer.split(b" ", 2)[1] == b"303", answer.decode("utf-8", "replace")
    checked = _check_post(served.port, world.wave.token, world, "thanks, sipho from payroll")
    assert checked.split(b" ", 2)[1] == b"200" and b"sipho" in checked, checked[:300]
    _raw_request(served.port, b"GARBAGE \x01\x02 NOT-HTTP\r\n\r\n")  # a malformed request
    forged = "FORGED 203.0.113.9 - - [01/Jan/2026] \"GET /admin\" 200"
    _raw_request(served.port, f"GET /s/{world.wave.token}%0A{forged.replace(' ', '%20')} HTTP/1.0\r\n"
                              f"Host: x\r\n\r\n".encode())
    time.sleep(1.5)  # gunicorn flushes its logs
    logs = {"access": served.access_log.read_text(errors="replace"),
            "error": served.error_log.read_text(errors="replace")}
    assert "/s/" in logs["access"]
    problems = []
    for stream, text in logs.items():
        problems += [(stream, "client address") for address in (CLIENT_ADDRESS, "198.51.100.23")
                     if address in text]
        for line in text.splitlines():
            if line.startswith("FORGED"):
                problems.append((stream, "forged line", line))
            if "\x01" in line or "\x02" in line:
                problems.append((stream, "control character", line))
            if ("/s/" in line or "request" in line.lower()) and TIME_OF_DAY.search(line):
                problems.append((stream, "time of day", line))
    assert problems == [], "\n".join(map(repr, problems))
    # "Check before sending" keeps nothing: not in a log, not in the database files.
    database = world.app.config["DATABASE"]
    stored = b"".join(pathlib.Path(database + suffix).read_bytes()
                      for suffix in ("", "-wal") if os.path.exists(database + suffix))
    assert "sipho" not in logs["access"] + logs["error"] and b"sipho" not in stored


def test_invitation_counts_move_in_released_batches_not_per_answer(world):
    """A code is burnt at submission, before release: the wave page's "answered" count and the
    overview's response rate must not tick up with each answer (found by the API work, issue 10)."""
    from survey.store.invitations import generate_invitation_codes
    from survey.store.responses import record_response
    from survey.store.responses.release import release_waiting
    from survey.store.surveys import questions_for

    today = dt.date.today()
    wave = create_wave(world.db, world.survey.id, "Invited", today - dt.timedelta(days=1),
                       today + dt.timedelta(days=30), access="invitation")
    codes = generate_invitation_codes(world.db, wave.id, 40)
    questions = questions_for(world.db, world.survey.id)
    rating = next(q for q in questions if q.kind == "rating")
    text = next(q for q in questions if q.kind == "text")
    pages = [f"/staff/waves/{wave.id}", f"/staff/surveys/{world.survey.id}/overview"]

    def seen() -> list[str]:
        return [visible(world.brm.get(url).get_data(as_text=True))[0] for url in pages]

    def answer(count: int, start: int) -> None:
        for code in codes[start:start + count]:
            record_response(world.db, wave, questions, {rating.id: 4, text.id: "Fine."}, invitation_code=code)

    before = seen()
    answer(K - 1, 0)
    assert seen() == before, "fewer than k answers change nothing a BRM can see"
    answer(K + 1, K - 1)  # 2k waiting: one release shows them all together
    release_waiting(world.db, world.survey.id, K)
    after = seen()
    assert after != before
    assert f"{2 * K} answered" in after[0]
