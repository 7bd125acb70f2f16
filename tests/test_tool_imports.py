"""LimeSurvey and Qualtrics exports through ``rapport import-csv`` and the admin import page (issue
15, part 6): layout detection, the mapping step saved and reused, metadata never stored (the
database bytes are grepped), redaction on the way in, all or nothing, clear messages."""

from __future__ import annotations

import datetime as dt
import html
import pathlib
import re

import pytest

from survey.services.export_layouts import LIMESURVEY, PLAIN, QUALTRICS, parse_export
from survey.store.surveys import add_question, create_survey, create_wave

EXPORTS = pathlib.Path(__file__).parent / "data" / "tool_exports"
QUALTRICS_FILE = EXPORTS / "qualtrics_responses.csv"
LIMESURVEY_FILE = EXPORTS / "limesurvey_responses.csv"
#: Metadata values of the fixtures (see make_exports.py): none may reach the database file.
QUALTRICS_METADATA = (
    "198.51.100.1",
    "R_QxTr",
    "ZebraKite",
    "Okonkwo-Vance",
    "Thandiwe",
    "northwind-trading",
    "EXT-77",
    "51.500093",
    "-0.120077",
    "Europe/London",
)
LIMESURVEY_METADATA = ("tkLime", "Quartz", "192.0.2.1", "contoso-example", "ref=lime", "1007919")


@pytest.fixture
def survey(db):
    survey = create_survey(db, "Imported partnership pulse")
    ids = {
        "department": add_question(
            db,
            survey.id,
            "segment",
            "Which department do you work in?",
            options=["Finance", "HR", "Operations", "Sales", "Legal"],
        ).id,
        "listen": add_question(db, survey.id, "rating", "How well does IT listen to you?").id,
        "nps": add_question(db, survey.id, "nps", "How likely are you to recommend IT to a colleague?").id,
        "change": add_question(db, survey.id, "text", "What should IT change?").id,
        "well": add_question(db, survey.id, "text", "What is IT doing well?").id,
    }
    wave = create_wave(db, survey.id, "2026 Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    return type("Imported", (), {"id": survey.id, "q": ids, "wave": wave})


def _database_bytes(app) -> bytes:
    path = pathlib.Path(app.config["DATABASE"])
    return b"".join(part.read_bytes() for part in (path, path.with_name(path.name + "-wal")) if part.exists())


def _import(runner, survey, path, *extra: str):
    return runner.invoke(args=["import-csv", "--wave", str(survey.wave.id), *extra, str(path)])


def _lime_maps(survey) -> list[str]:
    q = survey.q
    return [
        "--map",
        f"Q1=q{q['department']}",
        "--map",
        f"Q2[SQ001]=q{q['listen']}",
        "--map",
        f"Q3=q{q['nps']}",
        "--map",
        f"Q4=q{q['change']}",
        "--map",
        f"Q5=q{q['well']}",
    ]


def test_both_layouts_are_detected_with_their_metadata_marked():
    qualtrics = parse_export(QUALTRICS_FILE.read_bytes().decode("utf-8-sig"))
    assert qualtrics.layout == QUALTRICS and len(qualtrics.records) == 40 and qualtrics.unfinished == 2
    assert {c.key for c in qualtrics.mappable} == {"Q1", "Q2_1", "Q3", "Q4", "Q5"}
    assert {"IPAddress", "RecipientEmail", "LocationLatitude", "ResponseId"} <= {
        c.key for c in qualtrics.dropped
    }
    assert any("\n" in record["Q4"] for record in qualtrics.records), "embedded newlines survive"
    lime = parse_export(LIMESURVEY_FILE.read_bytes().decode("utf-8-sig"))
    assert lime.layout == LIMESURVEY and len(lime.records) == 36 and lime.unfinished == 2
    assert {c.key for c in lime.mappable} == {"Q1", "Q2[SQ001]", "Q3", "Q4", "Q5"}
    assert {"ipaddr", "token", "refurl", "seed", "interviewtime", "Q4Time"} <= {c.key for c in lime.dropped}
    assert parse_export("What should IT change?\nfaster laptops\n").layout == PLAIN


def test_qualtrics_through_the_cli_drops_metadata_redacts_and_saves_the_mapping(app, runner, db, survey):
    dry = _import(runner, survey, QUALTRICS_FILE, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Qualtrics export: 40 completed responses (2 unfinished" in dry.output
    assert "Q2_1" in dry.output and "left out" in dry.output and "IPAddress" in dry.output
    assert db["responses"].count == 0

    result = _import(runner, survey, QUALTRICS_FILE, "--map", f"Q2_1=q{survey.q['listen']}")
    assert result.exit_code == 0, result.output
    assert "Imported 40 responses" in result.output and "Mapping saved" in result.output
    assert db["responses"].count == 40
    assert (
        db.execute("SELECT COUNT(*) FROM answers WHERE question_id = ?", [survey.q["listen"]]).fetchone()[0]
        == 40
    )
    assert {row[0] for row in db.execute("SELECT DISTINCT segment FROM responses")} == {
        "Finance",
        "HR",
        "Operations",
        "Sales",
        "Legal",
    }
    texts = [row[0] for row in db.execute("SELECT text FROM answers WHERE text IS NOT NULL")]
    assert any("[EMAIL]" in text for text in texts) and any("\n" in text for text in texts)
    stored = _database_bytes(app)
    for value in (*QUALTRICS_METADATA, "mariana.okafor-lind", "09:13:29", "08:00:00"):
        assert value.encode() not in stored, f"{value} reached the database"
    assert (
        dict(db.execute("SELECT column_key, question_id FROM import_mappings").fetchall())["Q2_1"]
        == survey.q["listen"]
    )


def test_the_saved_mapping_is_reused_by_the_next_import(runner, db, survey, tmp_path):
    first = _import(
        runner, survey, QUALTRICS_FILE, "--map", f"Q2_1=q{survey.q['listen']}", "--map", "Q5=skip"
    )
    assert first.exit_code == 0, first.output
    later = tmp_path / "qualtrics_later.csv"
    data = QUALTRICS_FILE.read_bytes()
    later.write_bytes(data[: data.rindex(b"\r\n", 0, len(data) - 2) + 2])  # one response fewer: a new file
    second = _import(runner, survey, later)
    assert second.exit_code == 0, second.output
    assert "Mapping saved by the last import" in second.output
    assert (
        db.execute("SELECT COUNT(*) FROM answers WHERE question_id = ?", [survey.q["listen"]]).fetchone()[0]
        > 40
    )
    assert (
        db.execute("SELECT COUNT(*) FROM answers WHERE question_id = ?", [survey.q["well"]]).fetchone()[0]
        == 0
    )
    again = _import(runner, survey, later)
    assert again.exit_code != 0 and "already imported" in again.output


def test_limesurvey_through_the_cli_with_codes_mapped(app, runner, db, survey):
    result = _import(runner, survey, LIMESURVEY_FILE, *_lime_maps(survey))
    assert result.exit_code == 0, result.output
    assert "LimeSurvey export: 36 completed responses (2 unfinished" in result.output
    assert db["responses"].count == 36
    assert (
        sorted(row[0] for row in db.execute("SELECT DISTINCT submitted_on FROM responses"))[0] >= "2026-01-10"
    )
    stored = _database_bytes(app)
    for value in (*LIMESURVEY_METADATA, "mariana.okafor-lind", "09:13:29"):
        assert value.encode() not in stored, f"{value} reached the database"


def test_a_metadata_column_can_never_be_mapped(runner, db, survey):
    result = _import(runner, survey, QUALTRICS_FILE, "--map", f"RecipientEmail=q{survey.q['change']}")
    assert result.exit_code != 0 and "metadata" in result.output and "never stored" in result.output
    assert db["responses"].count == 0


def _broken(tmp_path, source: pathlib.Path, old: bytes, new: bytes) -> pathlib.Path:
    data = source.read_bytes()
    assert old in data
    path = tmp_path / f"broken-{source.name}"
    path.write_bytes(data.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("source", "old", "new", "message"),
    [
        (QUALTRICS_FILE, b",Finance,", b",Finance,9,", "more cells than the header"),
        (
            QUALTRICS_FILE,
            b",Finance,",
            b",Marketing,",
            "must be one of Finance, HR, Operations, Sales, Legal",
        ),
        (LIMESURVEY_FILE, b",Finance,4,", b",Finance,11,", "must be a whole number from 1 to 5"),
        (LIMESURVEY_FILE, b"2026-02-11 09:13:29,3", b"2025-12-24 09:13:29,3", "outside the wave"),
        (LIMESURVEY_FILE, b"Q4,Q5", b"Q4,Q4", "names Q4 twice"),
        (LIMESURVEY_FILE, b'"Write to', b'"Write" to', "could not be read"),
    ],
)
def test_a_bad_export_imports_nothing_and_says_what_is_wrong(
    runner, db, survey, tmp_path, source, old, new, message
):
    maps = [] if source == QUALTRICS_FILE else _lime_maps(survey)
    if source == QUALTRICS_FILE:
        maps = ["--map", f"Q2_1=q{survey.q['listen']}"]
    result = _import(runner, survey, _broken(tmp_path, source, old, new), *maps)
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert db["responses"].count == 0 and db["import_mappings"].count == 0


def test_an_export_with_only_unfinished_responses_says_so(runner, db, survey, tmp_path):
    path = tmp_path / "unfinished.csv"
    lines = LIMESURVEY_FILE.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([lines[0], *[line for line in lines[1:] if b",,1,en," in line]]))
    result = _import(runner, survey, path, *_lime_maps(survey))
    assert result.exit_code != 0 and "no completed response" in result.output
    assert "2 unfinished" in result.output


def test_a_mapping_without_an_open_text_question_is_refused(runner, db, survey):
    result = _import(runner, survey, QUALTRICS_FILE, "--map", "Q4=skip", "--map", "Q5=skip")
    assert result.exit_code != 0 and "open-text question" in result.output


def _upload(client, survey, path: pathlib.Path):
    with path.open("rb") as handle:
        return client.post(
            "/staff/admin/import/",
            data={"wave": str(survey.wave.id), "export": (handle, path.name)},
            content_type="multipart/form-data",
        )


def _mapping_fields(page: str) -> dict[str, str]:
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="(wave|payload)"[^>]*value="([^"]*)"', page)
    }
    for name, body in re.findall(r'<select[^>]*name="(column_\d+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body) or re.search(
            r'<option value="([^"]*)" selected', body
        )
        fields[name] = chosen.group(1) if chosen else ""
    return fields


def test_the_admin_page_maps_imports_and_reuses_the_mapping(app, staff_login, db, survey, tmp_path):
    client = staff_login("admin")
    assert client.get("/staff/admin/import/").status_code == 200
    checked = _upload(client, survey, QUALTRICS_FILE)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "Map the Qualtrics columns" in page
    assert "IPAddress" in page and "RecipientEmail" in page and "Dropped, never stored" in page
    assert "laptop refresh" not in page and "northwind-trading" not in page, "no answer or metadata is shown"
    fields = _mapping_fields(page)
    labels = re.findall(r'<label for="(column_\d+)">([^<]*)</label>', page)
    column = {key: name for name, key in labels}
    assert fields[column["Q1"]] == str(survey.q["department"]) and fields[column["Q2_1"]] == ""
    fields[column["Q2_1"]] = str(survey.q["listen"])
    done = client.post("/staff/admin/import/confirm", data=fields)
    assert done.status_code == 302, done.get_data(as_text=True)
    assert "Imported 40 responses" in client.get("/staff/admin/import/").get_data(as_text=True)
    assert db["responses"].count == 40
    for value in QUALTRICS_METADATA:
        assert value.encode() not in _database_bytes(app), value

    later = tmp_path / "later.csv"
    data = QUALTRICS_FILE.read_bytes()
    later.write_bytes(data[: data.rindex(b"\r\n", 0, len(data) - 2) + 2])
    again = _upload(client, survey, later).get_data(as_text=True)
    assert "mapping saved by the last Qualtrics import" in again
    assert _mapping_fields(again)[column["Q2_1"]] == str(survey.q["listen"])


def test_the_admin_page_shows_mapping_errors_and_imports_nothing(app, staff_login, db, survey):
    client = staff_login("admin")
    fields = _mapping_fields(_upload(client, survey, LIMESURVEY_FILE).get_data(as_text=True))
    refused = client.post("/staff/admin/import/confirm", data=fields)  # codes match no question text
    assert refused.status_code == 400 and "open-text question" in refused.get_data(as_text=True)
    assert db["responses"].count == 0
    tampered = client.post("/staff/admin/import/confirm", data={**fields, "payload": "not base64!"})
    assert tampered.status_code == 302
    assert "did not come back intact" in client.get("/staff/admin/import/").get_data(as_text=True)


def test_the_admin_page_refuses_bad_files_clearly(staff_login, db, survey, tmp_path):
    client = staff_login("admin")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("What should IT change?\nCaf\xe9 closed\n".encode("latin-1"))
    response = _upload(client, survey, latin)
    assert response.status_code == 400 and "not UTF-8" in response.get_data(as_text=True)
    missing = client.post(
        "/staff/admin/import/", data={"wave": str(survey.wave.id)}, content_type="multipart/form-data"
    )
    assert missing.status_code == 400 and "Choose the CSV file" in missing.get_data(as_text=True)


def test_the_import_page_takes_exports_larger_than_a_partner_post(app, staff_login, survey, tmp_path):
    client = staff_login("admin")
    big = tmp_path / "big.csv"
    data = QUALTRICS_FILE.read_bytes()
    head_end = data.index(b"\r\n", data.index(b"\r\n", data.index(b"\r\n") + 2) + 2) + 2
    body = data[head_end:]
    big.write_bytes(data[:head_end] + body * (1 + app.config["MAX_CONTENT_LENGTH"] // len(body)))
    assert big.stat().st_size > app.config["MAX_CONTENT_LENGTH"]
    response = _upload(client, survey, big)
    assert response.status_code == 200 and "Map the Qualtrics columns" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["brm", "culture_lead"])
def test_only_admins_import_or_see_settings(staff_login, role):
    client = staff_login(role)
    assert client.get("/staff/admin/import/").status_code == 403
    assert client.get("/staff/admin/system").status_code == 403
