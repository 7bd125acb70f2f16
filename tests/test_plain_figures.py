"""One definition per figure: the same figure of the same wave reads the same on every page.

Overview, wave pages, silo, theme pages, the public "You said, we did" page, the downloads page and
the HTML wave report of one analysed (seeded) survey are rendered by the real app; every figure a
page marks (responses, commenters, mean rating, theme shares) and the report's tables must agree.
"""

from __future__ import annotations

from collections import defaultdict

from conftest import StaffLogin
from figure_support import html_tables, page_figures

from survey.store.responses.release import release_waiting
from survey.store.surveys import waves_for


def _signed_in(analysed):
    StaffLogin(analysed.client, analysed.db)("brm")
    return analysed.client


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _report_figures(html: str, wave: str) -> list[tuple[str, str, str]]:
    """The report's figures of ``wave``: its health row and its theme shares, in the pages' terms."""
    found = []
    for table in html_tables(html):
        header = table[0]
        if header[:3] == ["Wave", "Responses", "Left a comment"]:
            row = next(row for row in table if row[0] == wave)
            rating = header.index("Mean rating (1-5)")
            found += [
                ("responses", wave, row[1].replace(",", "")),
                ("commenters", wave, row[2].replace(",", "")),
                ("mean_rating", wave, row[rating]),
            ]
        elif header[:2] == ["Theme", "Share of comments (%)"]:
            found += [(f"share:{row[0]}", wave, row[1]) for row in table[1:] if row[1].isdigit()]
    return found


def _all_pages(analysed) -> dict[str, list[tuple[str, str, str]]]:
    client, survey_id = _signed_in(analysed), analysed.survey_id
    slug = analysed.db.execute("SELECT slug FROM surveys WHERE id = ?", [survey_id]).fetchone()[0]
    pages = {
        "overview": _get(client, f"/staff/surveys/{survey_id}/overview"),
        "silo": _get(client, f"/staff/surveys/{survey_id}/silo"),
        "public": _get(client, f"/y/{slug}"),
        "downloads": _get(client, f"/staff/surveys/{survey_id}/reports"),
        "surveys": _get(client, "/staff/"),
    }
    for wave in waves_for(analysed.db, survey_id):
        pages[f"wave {wave.label}"] = _get(client, f"/staff/waves/{wave.id}")
    for (theme_id,) in analysed.db.execute("SELECT id FROM themes WHERE survey_id = ?", [survey_id]):
        pages[f"theme {theme_id}"] = _get(client, f"/staff/surveys/{survey_id}/themes/{theme_id}")
    figures = {name: page_figures(html) for name, html in pages.items()}
    public_wave = figures["public"][0][1]
    report = _get(client, f"/staff/surveys/{survey_id}/report.html?wave={public_wave}")
    figures["report"] = _report_figures(report, public_wave)
    return figures


def test_every_page_states_the_same_figure_of_the_same_wave(analysed):
    figures = _all_pages(analysed)
    seen: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for page, found in figures.items():
        for name, wave, value in found:
            seen[(name, wave)][value].add(page)
    disagreements = {key: dict(values) for key, values in seen.items() if len(values) > 1}
    assert not disagreements, disagreements
    public_wave = figures["public"][0][1]
    where = {
        key[0]: {page for pages in values.values() for page in pages}
        for key, values in seen.items()
        if key[1] == public_wave
    }
    assert {"overview", "public", "report", f"wave {public_wave}", "downloads", "surveys"} <= where[
        "responses"
    ]
    assert {"overview", "public", "report", "silo", f"wave {public_wave}"} <= where["commenters"]
    assert {"overview", "report"} <= where["mean_rating"]
    shared_themes = [
        name for name, pages in where.items() if name.startswith("share:") and {"public", "report"} <= pages
    ]
    assert shared_themes, where
    assert all(any(page.startswith("theme ") for page in where[name]) for name in shared_themes)


def test_responses_and_commenters_differ_and_each_page_says_which_it_counts(analysed):
    figures = _all_pages(analysed)
    overview = {(name, wave): value for name, wave, value in figures["overview"]}
    assert any(
        overview[("responses", wave)] != overview[("commenters", wave)]
        for name, wave in overview
        if name == "responses"
    ), "the demo has waves with silent responses"
    client = analysed.client
    overview_html = _get(client, f"/staff/surveys/{analysed.survey_id}/overview")
    assert "Responses: people who submitted the form" in overview_html
    assert "Everything here counts responses that left a comment" in _get(
        client, f"/staff/surveys/{analysed.survey_id}/silo"
    )


def test_a_wave_with_two_released_responses_reads_fewer_than_5_on_every_page(
    db, client, staff_login, partner_wave
):
    from survey.store.responses import record_response
    from survey.store.surveys import questions_for

    wave = partner_wave()
    questions = questions_for(db, wave.survey_id)
    for text in ("Faster laptops please", "More contact with the desk"):
        record_response(db, wave, questions, {questions[0].id: text, questions[1].id: 4})
    assert release_waiting(db, wave.survey_id, batch_size=2) == 2
    staff_login("brm")
    for url in (
        "/staff/",
        f"/staff/surveys/{wave.survey_id}",
        f"/staff/waves/{wave.id}",
        f"/staff/surveys/{wave.survey_id}/overview",
        f"/staff/surveys/{wave.survey_id}/reports",
    ):
        found = page_figures(_get(client, url))
        responses = [value for name, _, value in found if name == "responses"]
        assert responses and set(responses) == {"suppressed"}, (url, found)


def test_numbers_and_dates_have_one_format_in_pages_reports_and_commands():
    import datetime as dt

    from reports.document import Table
    from reports.formatting import date_text, datetime_text, mean_text, thousands

    assert thousands(1234567) == "1,234,567" and thousands(1234.5) == "1,234.50"
    assert date_text(dt.date(2026, 12, 6)) == "6 December 2026" == date_text("2026-12-06T10:00:00")
    assert datetime_text(dt.datetime(2026, 12, 6, 14, 5)) == "6 December 2026, 14:05 UTC"
    assert mean_text(3.375) == "3.38" and mean_text(3.4) == "3.40"
    table = Table(("Wave", "Responses"), [("Q1", 12345)])
    assert table.format_cell(12345) == "12,345" and table.format_cell(3.375) == "3.38"
