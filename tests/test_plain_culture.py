"""Issue 14, culture tools in plain language: the lexicon editor (labels, patterns behind a disclosure,
pattern tester, hit counts and examples, CSV import and export, messages without ids) and
"check my text" (IT service provider team; phrases fine as written are not problems)."""

from __future__ import annotations

import io
import re

from conftest import StaffLogin
from page_support import hidden_fields

from survey.services.lexicon_csv import lexicon_csv
from survey.store import lexicons


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_terms_read_as_people_say_them_with_patterns_behind_a_disclosure(db, staff_login):
    html = staff_login("culture_lead").get("/staff/lexicon").get_data(as_text=True)
    assert '<h3 class="term-name">“us vs. them”</h3>' in html
    assert '<h3 class="term-name">“throw … over the wall”</h3>' in html
    assert re.search(
        r"<details class=\"patterns\"><summary>Patterns? behind it</summary>\s*<ul><li><code>=us vs", html
    )
    page = _text(html)
    assert "Business vs IT" in page and "Business it side" not in page


def test_disabling_a_term_says_its_words_not_its_id(db, staff_login):
    client = staff_login("culture_lead")
    version = lexicons.current_lexicon(db).version
    done = client.post(
        "/staff/lexicon/terms/the_business/toggle", data={"based_on": version}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Disabled “the business”." in _text(done) and "the_business" not in _text(done)


def test_the_pattern_tester_says_whether_and_why_a_sentence_matches_without_javascript(db, staff_login):
    client = staff_login("culture_lead")
    hit = _text(
        client.get("/staff/lexicon", query_string={"sentence": "IT is just a service provider."}).get_data(
            as_text=True
        )
    )
    assert (
        "Flagged: service provider matched “service provider” (IT as a supplier) through the pattern" in hit
    )
    miss = _text(
        client.get(
            "/staff/lexicon", query_string={"sentence": "Our cloud service provider is down."}
        ).get_data(as_text=True)
    )
    assert "Not flagged: no term of the lexicon matches this sentence." in miss
    assert (
        "The words of “service provider” are there, but it was held back: it counts only when IT is said"
        in miss
    )
    version = lexicons.current_lexicon(db).version
    client.post("/staff/lexicon/terms/order_taker/toggle", data={"based_on": version})
    off = _text(
        client.get("/staff/lexicon", query_string={"sentence": "We are order takers."}).get_data(as_text=True)
    )
    assert "“order taker” would match, but it is disabled." in off
    empty = client.get("/staff/lexicon", query_string={"sentence": ""})
    assert empty.status_code == 200 and "Type a sentence to test." in empty.get_data(as_text=True)


def test_the_lexicon_goes_out_and_back_in_as_csv(db, staff_login):
    client = staff_login("culture_lead")
    exported = client.get("/staff/lexicon.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    text = exported.get_data(as_text=True).lstrip("\ufeff")
    assert text.splitlines()[0] == "id,term,category,patterns,suggestion,rationale,enabled"
    edited = text.replace("internal customer|client|consumer", "internal customer|client|consumer|punter")
    edited += (
        'new,,order_taker,"ticket monkey\nticket monkeys",colleague,Sounds like a vending machine.,yes\r\n'
    )
    edited = edited.replace("\r\nnew,", "\r\n,")
    page = client.get("/staff/lexicon").get_data(as_text=True)
    form = {
        "based_on": hidden_fields(page)["based_on"],
        "file": (io.BytesIO(edited.encode("utf-8")), "lexicon.csv"),
    }
    done = _text(
        client.post(
            "/staff/lexicon/import", data=form, content_type="multipart/form-data", follow_redirects=True
        ).get_data(as_text=True)
    )
    assert "Imported: 1 terms added," in done, re.findall(
        r"(?:Nothing|Row|Imported|The file|Someone)[^.]*\.", done
    )
    current = lexicons.current_lexicon(db)
    assert "internal customer|client|consumer|punter" in current.term("internal_customer").patterns
    assert current.term("ticket_monkey").patterns == ("ticket monkey", "ticket monkeys")


def test_a_csv_with_a_bad_row_changes_nothing_and_names_the_row(db, staff_login):
    client = staff_login("culture_lead")
    before = lexicons.current_lexicon(db).version
    bad = "category,patterns\r\norder_taker,good phrase\r\norder_taker,\r\n"
    page = client.get("/staff/lexicon").get_data(as_text=True)
    done = _text(
        client.post(
            "/staff/lexicon/import",
            content_type="multipart/form-data",
            follow_redirects=True,
            data={"based_on": hidden_fields(page)["based_on"], "file": (io.BytesIO(bad.encode()), "bad.csv")},
        ).get_data(as_text=True)
    )
    assert "Row 3:" in done and "Nothing was imported." in done
    assert lexicons.current_lexicon(db).version == before
    binary = _text(
        client.post(
            "/staff/lexicon/import",
            content_type="multipart/form-data",
            follow_redirects=True,
            data={"based_on": before, "file": (io.BytesIO(b"\xff\xfe\x00"), "x.csv")},
        ).get_data(as_text=True)
    )
    assert "save the file as CSV with UTF-8 encoding" in binary


def test_the_exported_csv_reads_terms_in_words(db):
    text = lexicon_csv(lexicons.current_lexicon(db))
    assert "us_versus_them,us vs. them,us_versus_them," in text


def test_terms_show_hit_counts_and_two_released_examples_above_the_threshold(analysed):
    StaffLogin(analysed.client, analysed.db)("culture_lead")
    html = analysed.client.get("/staff/lexicon").get_data(as_text=True)
    usage = re.findall(r'<li id="term-([a-z_]+)".*?<p class="term-usage">(.*?)</p>(.*?)<details', html, re.S)
    counted = {term: body for term, body, _ in usage if "Matched " in body and " time" in body}
    assert counted, "some terms matched the demo's comments"
    examples = {term: re.findall(r"<li>“(.*?)”</li>", rest) for term, _, rest in usage}
    assert any(len(found) == 2 for found in examples.values())
    assert all(len(found) <= 2 for found in examples.values())
    small = [term for term, body, _ in usage if "fewer than" in body]
    assert all(not examples[term] for term in small), "no example of a term used by too few responses"
    released = {row[0] for row in analysed.db.execute("SELECT text FROM units")}
    assert all(
        text.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&") in released
        for found in examples.values()
        for text in found
    )


def test_check_my_text_flags_the_it_service_provider_team_like_the_provider_for_hr(staff_login):
    client = staff_login("brm")
    for draft in ("We are the IT service provider for HR.", "Ask the IT service provider team."):
        page = _text(client.post("/staff/check-text", data={"text": draft}).get_data(as_text=True))
        assert "1 phrase to reconsider" in page, (draft, page)


def test_phrases_fine_as_written_are_not_counted_among_the_problems(staff_login):
    client = staff_login("brm")
    draft = "Stop calling colleagues “internal customers”. We are not order takers."
    page = _text(client.post("/staff/check-text", data={"text": draft}).get_data(as_text=True))
    assert "Nothing to change" in page and "to reconsider" not in page
    heading = re.search(
        r'<h2 id="result-heading">\s*(.*?)\s*</h2>',
        client.post("/staff/check-text", data={"text": draft}).get_data(as_text=True),
        re.S,
    )[1]
    fine = page.count("criticised: fine as written") + page.count("quoted: fine as written")
    assert fine >= 1, page
    problems = re.match(r"(\d+) phrases? to reconsider", heading)
    flagged = len(
        re.findall(
            r'id="check-why-\d+"',
            client.post("/staff/check-text", data={"text": draft}).get_data(as_text=True),
        )
    )
    assert (int(problems[1]) if problems else 0) == flagged - fine
    assert f"{fine} more phrase" in page
