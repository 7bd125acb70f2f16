"""Wave reports and exports: ``rapport report``, the web downloads, offline HTML, PDF charts, thresholds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlite_utils
from flask import Flask
from pypdf import PdfReader

from survey.errors import InvalidInput, NotFound
from survey.services.report_sections import display_name
from survey.services.thresholds import Thresholds
from survey.services.wave_report import build_wave_report, render_report
from survey.store import reports as store
from survey.store.responses import record_response
from survey.store.staff import create_staff_user
from survey.store.surveys import add_question, create_survey, create_wave, questions_for

COMMENTS = [
    "The finance system project landed months late and over budget.",
    "Our CRM rollout slipped again and nobody told us the new date.",
    "The service desk answered my ticket quickly and kindly.",
    "IT treats us as internal customers instead of partners.",
    "The business never hears about outages until it is too late.",
    "Support staff are helpful and fix laptop problems the same day.",
    "I would like more training on the new collaboration tools.",
    "We work together well with the infrastructure team.",
]
#: Wave 2's Legal group has two respondents: their words must never leave the database. It reads like
#: the service-desk comments, so it lands in a theme large enough to quote and only the group rule
#: keeps it out.
LEGAL_SECRET = "The service desk answered my Zanzibar merger ticket quickly and kindly."
#: Said by one of wave 2's eight Sales respondents, who are left out with Legal.
SALES_NOTE = "Support staff fixed the Kilimanjaro sales laptops the same day."
PASSWORD = "correct horse battery"
#: (segment, respondents) per wave. In wave 2 Sales is the next-smallest group: complementary
#: suppression leaves it out with Legal, so Legal's units cannot be found by elimination.
GROUPS = {
    "2026 Q1": [("Finance", 10), ("HR", 10), ("Sales", 10)],
    "2026 Q2": [("Finance", 12), ("HR", 10), ("Sales", 8), ("Legal", 2)],
}


def build_report_survey(db: sqlite_utils.Database) -> None:
    """Two waves with rating, NPS, segment and text answers, through the real store."""
    survey = create_survey(db, "IT partnership pulse")
    text = add_question(db, survey.id, "text", "What should IT change?", required=True)
    rating = add_question(db, survey.id, "rating", "How well does IT listen?")
    nps = add_question(db, survey.id, "nps", "How likely are you to recommend IT?")
    segment = add_question(db, survey.id, "segment", "Your department",
                           options=["Finance", "HR", "Sales", "Legal"])
    questions = questions_for(db, survey.id)
    for number, (label, groups) in enumerate(GROUPS.items()):
        wave = create_wave(db, survey.id, label, dt.date(2026, 1 + 3 * number, 5),
                           dt.date(2026, 1 + 3 * number, 28))
        for department, size in groups:
            for i in range(size):
                comment = LEGAL_SECRET if department == "Legal" else COMMENTS[(i + number) % len(COMMENTS)]
                if department == "Sales" and number == 1 and i == 0:
                    comment = SALES_NOTE
                record_response(db, wave, questions, {
                    text.id: comment, rating.id: 2 + (i + number) % 4, nps.id: (3 * i + number) % 11,
                    segment.id: department}, today=wave.opens_on)


@pytest.fixture
def report_survey(analysed_copy) -> SimpleNamespace:
    """This test's copy of the analysed two-wave report survey."""
    return analysed_copy(build_report_survey)


@pytest.fixture
def report_app(report_survey) -> Flask:
    return report_survey.app


@pytest.fixture
def report_db(report_survey) -> sqlite_utils.Database:
    return report_survey.db


def sign_in(app: Flask, db: sqlite_utils.Database, role: str):
    client = app.test_client()
    create_staff_user(db, f"{role}-user", PASSWORD, role)
    assert client.post("/staff/login", data={"username": f"{role}-user",
                                              "password": PASSWORD}).status_code == 302
    return client


class _ExternalReferences(HTMLParser):
    """Collects every URL-bearing attribute value and ``url(...)`` in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.tags: list[str] = []
        self.content_security_policy = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "meta" and ("http-equiv", "Content-Security-Policy") in attrs:
            self.content_security_policy = dict(attrs)["content"]
        for name, value in attrs:
            if name in ("href", "src", "xlink:href", "action", "srcset", "poster", "data") and value:
                self.references.append(value)

    def handle_data(self, data: str) -> None:
        if "url(" in data or "@import" in data:
            self.references.append(data)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


# -- the report document ------------------------------------------------------------------------
@pytest.mark.slow
def test_the_html_report_is_self_contained_and_opens_offline(report_db):
    rendered = render_report(report_db, 1, "2026 Q2", "html")
    page = rendered.content.decode("utf-8")
    parser = _ExternalReferences()
    parser.feed(page)
    assert parser.tags.count("svg") >= 4, "charts are inlined as SVG"
    assert [ref for ref in parser.references if not ref.startswith(("#", "data:"))] == []
    assert "<script" not in page.lower()
    assert parser.content_security_policy.startswith("default-src 'none'")
    assert rendered.filename == "it-partnership-pulse-2026-q2.html"
    for heading in ("Headline figures", "Concern themes", "Siloing language", "Improvement actions"):
        assert heading in page


@pytest.mark.slow
def test_the_pdf_report_contains_the_charts(report_db):
    document = build_wave_report(report_db, 1, "2026 Q2")
    rendered = render_report(report_db, 1, "2026 Q2", "pdf")
    assert rendered.content.startswith(b"%PDF") and rendered.media_type == "application/pdf"
    text = pdf_text(rendered.content)
    titles = [chart.title for chart in document.charts]
    assert {"Sentiment by wave", "Concern themes by wave", "Themes by segment",
            "Siloing language by wave"} <= set(titles)
    # svglib draws the charts as vectors, so their own titles and axis labels are PDF text.
    for chart_text in ("Mean sentiment by wave", "Largest concern themes by wave",
                       "Theme share by segment, 2026 Q2", "Flags per 1,000 words"):
        assert chart_text in text


@pytest.mark.slow
def test_the_report_shows_only_waves_up_to_its_own(report_db):
    first = build_wave_report(report_db, 1, "2026 Q1")
    table = first.sections[0].tables[0]
    assert [row[0] for row in table.rows] == ["2026 Q1"]
    latest = build_wave_report(report_db, 1)
    assert [row[0] for row in latest.sections[0].tables[0].rows] == ["2026 Q1", "2026 Q2"]
    assert "Wave 2026 Q2" in latest.subtitle


@pytest.mark.slow
def test_figures_under_the_threshold_read_fewer_than_and_never_a_number(report_db):
    # 40 is above every wave's size: every figure of the report must be suppressed.
    thresholds = Thresholds(min_group_size=40, min_quote_group_size=40)
    document = build_wave_report(report_db, 1, "2026 Q2", thresholds=thresholds)
    health = document.sections[0].tables[0]
    assert health.suppressed_text == "fewer than 40"
    for row in health.rows:
        assert all(cell is None for cell in row[1:]), row
    assert document.sections[0].paragraphs[0].startswith("Fewer than 40 partners answered")
    assert not any(section.quotes for section in document.sections)
    page = render_report(report_db, 1, "2026 Q2", "html", thresholds=thresholds).content.decode()
    assert "fewer than 40" in page and ">32<" not in page and ">30<" not in page


@pytest.mark.slow
def test_suppressed_themes_have_no_figures_and_reportable_ones_do(report_db):
    wave = store.find_wave(report_db, 1, "2026 Q2")
    hidden = {row[0] for row in report_db.execute(
        "SELECT theme_id FROM trend_points WHERE wave_id = ? AND segment = '' AND theme_id != '' "
        "AND suppressed = 1", [wave.id])}
    assert hidden, "the fixture must hold a suppressed theme for this test to mean anything"
    document = build_wave_report(report_db, 1, "2026 Q2")
    themes = next(section for section in document.sections if section.heading == "Concern themes")
    listed = {row[0]: row for row in themes.tables[0].rows}
    for theme in store.wave_themes(report_db, wave, None, 5):
        row = listed.get(display_name(theme))
        if theme.theme_id in hidden:
            assert row is None or row[1:5] == (None, row[2], None, None)
        elif row is not None:
            assert isinstance(row[1], int)
    assert listed


@pytest.mark.slow
def test_quotes_come_only_from_groups_the_quote_threshold_allows(report_db):
    document = build_wave_report(report_db, 1, "2026 Q2")
    quotes = [quote for section in document.sections for quote in section.quotes]
    assert quotes, "the largest themes have enough respondents to quote"
    wave = store.find_wave(report_db, 1, "2026 Q2")
    every_quotable = {quote for theme in store.wave_themes(report_db, wave, None, 5)
                      for quote in store.wave_quotes(report_db, wave, theme, 5, limit=1000)}
    legal_theme = report_db.execute(
        "SELECT COUNT(DISTINCT response_id) FROM units WHERE wave_id = ? AND theme_id = "
        "(SELECT theme_id FROM units WHERE segment = 'Legal' AND wave_id = ? LIMIT 1)",
        [wave.id, wave.id]).fetchone()
    assert legal_theme[0] >= 5, list(report_db.execute("SELECT segment, text, theme_id FROM units "
                                                        "WHERE wave_id = 2 AND segment = 'Legal'"))
    assert LEGAL_SECRET not in every_quotable and SALES_NOTE not in every_quotable
    assert set(quotes) <= every_quotable
    assert set(COMMENTS) & every_quotable
    strict = build_wave_report(report_db, 1, "2026 Q2", thresholds=Thresholds(5, 13))
    assert not [quote for section in strict.sections for quote in section.quotes]


def test_small_group_and_its_complement_are_not_quotable(db):
    survey = create_survey(db, "Pulse")
    add_question(db, survey.id, "text", "Comment")
    wave = create_wave(db, survey.id, "W1", dt.date(2026, 1, 1), dt.date(2026, 1, 20))
    sizes = {"Finance": 12, "HR": 9, "Sales": 7, "Legal": 2, None: 6}
    for segment, size in sizes.items():
        db["responses"].insert_all([{"id": f"{segment}-{i}", "wave_id": wave.id, "segment": segment,
                                     "submitted_on": "2026-01-02"} for i in range(size)])
    assert store.quotable_segments(db, wave.id, 5) == frozenset()  # waiting responses count for nothing
    db.execute("INSERT INTO released_responses (response_id, wave_id) SELECT id, wave_id FROM responses")
    # Legal is too small; the next-smallest group (no segment answered, 6) is left out with it.
    assert store.quotable_segments(db, wave.id, 5) == {"Finance", "HR", "Sales"}
    assert store.quotable_segments(db, wave.id, 40) == frozenset()


# -- exports ------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_exports_leave_out_small_groups_and_their_complement(report_db, fmt):
    rendered = render_report(report_db, 1, "2026 Q2", fmt)
    content = rendered.content.decode("utf-8-sig")
    rows = csv_rows(rendered.content) if fmt == "csv" else json.loads(content)
    assert "Zanzibar" not in content and "Legal" not in content and "Kilimanjaro" not in content
    assert {row["segment"] for row in rows} == {"Finance", "HR"}
    assert len(rows) == report_db.execute(
        "SELECT COUNT(*) FROM units WHERE wave_id = 2 AND segment IN ('Finance', 'HR')").fetchone()[0]
    assert {row["wave"] for row in rows} == {"2026 Q2"}
    flagged = [row for row in rows if row["silo_flags"]]
    # A theme with fewer than K respondents in the wave is left blank (tests/test_reports_exports.py).
    assert flagged and all(row["sentiment_label"] for row in rows)
    assert list(rows[0]) == ["unit_id", "wave", "segment", "theme", "sentiment_score", "sentiment_label",
                             "silo_flags", "text"]
    assert "response_id" not in content


@pytest.mark.slow
def test_exported_units_are_sorted_never_in_arrival_order(report_db):
    rows = json.loads(render_report(report_db, 1, "2026 Q2", "json").content)
    keys = [(row["wave"], row["segment"], row["theme"] or "", row["unit_id"]) for row in rows]
    assert keys == sorted(keys)
    stored = [row[0] for row in report_db.execute(
        "SELECT id FROM units WHERE wave_id = 2 AND segment IN ('Finance', 'HR') ORDER BY id")]
    assert not {row["unit_id"] for row in rows} & set(stored)  # per-export ids, never the stored ones


@pytest.mark.slow
def test_exports_of_a_wave_too_small_to_report_are_empty(report_db):
    rows = csv_rows(render_report(report_db, 1, "2026 Q2", "csv", thresholds=Thresholds(40, 40)).content)
    assert rows == []


def test_unknown_survey_wave_or_format_is_refused(db):
    survey = create_survey(db, "Pulse")
    add_question(db, survey.id, "text", "Comment")
    create_wave(db, survey.id, "W1", dt.date(2026, 1, 1), dt.date(2026, 1, 20))
    with pytest.raises(NotFound, match=r"no wave 'W9'.*'W1'"):
        render_report(db, survey.id, "W9", "html")
    with pytest.raises(NotFound):
        render_report(db, survey.id + 1, None, "csv")
    with pytest.raises(InvalidInput, match="xlsx"):
        render_report(db, survey.id, "W1", "xlsx")


def test_a_wave_not_analysed_yet_still_gets_a_report_that_says_so(db):
    survey = create_survey(db, "Pulse")
    add_question(db, survey.id, "text", "Comment")
    create_wave(db, survey.id, "W1", dt.date(2026, 1, 1), dt.date(2026, 1, 20))
    document = build_wave_report(db, survey.id, "W1", today=dt.date(2026, 2, 1))
    text = " ".join(p for section in document.sections for p in section.paragraphs)
    assert "W1 has not been analysed yet" in text
    assert document.generated_on == dt.date(2026, 2, 1)


# -- the command --------------------------------------------------------------------------------
@pytest.mark.slow
def test_rapport_report_writes_each_format(report_app, tmp_path):
    runner = report_app.test_cli_runner()
    for fmt, magic in (("html", b"<!doctype html>"), ("pdf", b"%PDF"), ("csv", b"\xef\xbb\xbfunit_id"),
                       ("json", b"[")):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(args=["report", "--survey", "1", "--wave", "2026 Q2", "--format", fmt,
                                     "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(magic)
        assert f"Wrote {out}" in result.output


def test_rapport_report_explains_bad_input(runner, db, tmp_path):
    survey = create_survey(db, "Pulse")
    add_question(db, survey.id, "text", "Comment")
    create_wave(db, survey.id, "W1", dt.date(2026, 1, 1), dt.date(2026, 1, 20))
    out = str(tmp_path / "r.html")
    result = runner.invoke(args=["report", "--survey", str(survey.id), "--wave", "W2", "--out", out])
    assert result.exit_code == 1 and "has no wave 'W2'" in result.output
    result = runner.invoke(args=["report", "--survey", "99", "--out", out])
    assert result.exit_code == 1 and "There is no survey 99" in result.output
    result = runner.invoke(args=["report", "--survey", str(survey.id), "--format", "xlsx", "--out", out])
    assert result.exit_code == 2 and "'xlsx' is not one of" in result.output
    assert not Path(out).exists()


# -- web downloads ------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("role", ["brm", "culture_lead", "admin"])
def test_staff_download_each_format_as_an_attachment(report_app, report_db, role):
    client = sign_in(report_app, report_db, role)
    for fmt, media_type in (("html", "text/html"), ("pdf", "application/pdf"), ("csv", "text/csv"),
                            ("json", "application/json")):
        response = client.get(f"/staff/surveys/1/report.{fmt}?wave=2026 Q2")
        assert response.status_code == 200
        assert response.mimetype == media_type
        disposition = response.headers["Content-Disposition"]
        assert disposition == f"attachment; filename=it-partnership-pulse-2026-q2.{fmt}"
        assert response.headers["Cache-Control"] == "no-store"
        assert b"Zanzibar" not in response.data


def test_downloads_need_a_staff_sign_in(client):
    for url in ("/staff/reports", "/staff/surveys/1/reports", "/staff/surveys/1/report.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_unknown_wave_survey_or_format_answers_404(client, staff_login, db):
    survey = create_survey(db, "Pulse")
    add_question(db, survey.id, "text", "Comment")
    create_wave(db, survey.id, "W1", dt.date(2026, 1, 1), dt.date(2026, 1, 20))
    staff_login("culture_lead")
    response = client.get(f"/staff/surveys/{survey.id}/report.html?wave=W7")
    assert response.status_code == 404 and b"no wave" in response.data
    assert client.get(f"/staff/surveys/{survey.id + 5}/report.csv").status_code == 404
    assert client.get(f"/staff/surveys/{survey.id}/report.xlsx?wave=W1").status_code == 404
    assert client.get(f"/staff/surveys/{survey.id + 5}/reports").status_code == 404


def test_the_reports_page_links_every_wave_and_format(client, staff_login, db):
    survey = create_survey(db, "Pulse")
    add_question(db, survey.id, "text", "Comment")
    for label in ("2026 Q1", "2026 Q2"):
        create_wave(db, survey.id, label, dt.date(2026, 1, 1), dt.date(2026, 1, 20))
    staff_login("brm")
    page = client.get("/staff/reports").get_data(as_text=True)
    for label in ("2026+Q1", "2026+Q2"):
        for fmt in ("html", "pdf", "csv", "json"):
            assert f"/staff/surveys/{survey.id}/report.{fmt}?wave={label}" in page
    assert 'href="/staff/reports"' in page, "the staff navigation links the page"
    assert client.get(f"/staff/surveys/{survey.id}/reports").status_code == 200
    # The PDF cannot be tagged (ReportLab): the page offers the accessible HTML first and says why.
    assert page.index("report.html?wave=2026+Q1") < page.index("report.pdf?wave=2026+Q1")
    assert "Send the <strong>HTML</strong> file" in page and "cannot tag a PDF" in page
