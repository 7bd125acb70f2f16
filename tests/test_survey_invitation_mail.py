"""E-mail invitations (issue 15, part 4) against a real SMTP server started by the test on loopback:
aiosmtpd with STARTTLS (a self-signed certificate made here with openssl) and a password login.

The BRM uses the real pages; the server receives the real messages; and the addresses are then
looked for, byte by byte, in the database file (WAL included) and every log line.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import pathlib
import re
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from survey import create_app
from survey.db import open_database
from survey.migrations import migrate
from survey.services.mail_addresses import read_addresses
from survey.store.invitations import invitation_code_is_usable, invitation_counts
from survey.store.staff import create_staff_user
from survey.store.surveys import add_question, create_survey, create_wave

PASSWORD = "correct horse battery"
SMTP_USER, SMTP_PASSWORD = "rapport-mailer", "smtp-secret-42"
#: Distinctive addresses, so a stray copy anywhere is found by a plain byte search.
ADDRESSES = [f"zq{n}-person.unique@partner-dept{n}.example" for n in range(6)]


@dataclass
class SmtpServer:
    port: int
    cert: str
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    starttls_sessions: int = 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("smtp-cert")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def smtp_server(certificate) -> Iterator[SmtpServer]:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = SmtpServer(_free_port(), cert)

    class Handler:
        async def handle_RCPT(self, smtp, session, envelope, address, options):
            if address.endswith("@refused.example"):
                return "550 5.1.1 No such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, smtp, session, envelope):
            if session.ssl is not None:
                server.starttls_sessions += 1
            server.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 Message accepted"

    def authenticator(smtp, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode() \
            and auth_data.password == SMTP_PASSWORD.encode()
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    controller = Controller(Handler(), hostname="127.0.0.1", port=server.port, tls_context=context,
                            require_starttls=True, authenticator=authenticator, auth_require_tls=True)
    controller.start()
    yield server
    controller.stop()


@dataclass
class Mailroom:
    app: object
    db: object
    brm: object
    database: str
    wave: object
    public_wave: object


def _config(database: str, server: SmtpServer, **extra) -> dict:
    return {"DATABASE": database, "SECRET_KEY": "mail-test", "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port,
            "SMTP_USERNAME": SMTP_USER, "SMTP_PASSWORD": SMTP_PASSWORD, "SMTP_STARTTLS": True,
            "SMTP_FROM": "IT survey <survey@it.example>", "SMTP_CA_FILE": server.cert,
            "SMTP_TIMEOUT_SECONDS": 10, **extra}


@pytest.fixture
def mailroom(tmp_path, smtp_server) -> Iterator[Mailroom]:
    database = str(tmp_path / "rapport.db")
    db = open_database(database)
    migrate(db)
    app = create_app(_config(database, smtp_server))
    survey = create_survey(db, "IT partnership pulse")
    add_question(db, survey.id, "text", "What should IT change?", required=True)
    today = dt.date.today()
    wave = create_wave(db, survey.id, "Wave 1", today, today + dt.timedelta(days=20), "invitation")
    public = create_wave(db, survey.id, "Wave open", today, today + dt.timedelta(days=20), "public")
    create_staff_user(db, "brm-mail", PASSWORD, "brm")
    brm = app.test_client()
    assert brm.post("/staff/login", data={"username": "brm-mail", "password": PASSWORD}).status_code == 302
    yield Mailroom(app, db, brm, database, wave, public)
    db.close()


def _send(room: Mailroom, kind: str, text: str = "", upload: bytes | None = None, wave=None):
    data = {"kind": kind, "addresses": text}
    if upload is not None:
        data["upload"] = (BytesIO(upload), "addresses.csv")
    return room.brm.post(f"/staff/waves/{(wave or room.wave).id}/email", data=data,
                         content_type="multipart/form-data")


def _code(message) -> str:
    return re.search(r"\b([A-Z0-9]{5}-[A-Z0-9]{5})\b", message.get_content()).group(1)


def _stored_bytes(database: str) -> bytes:
    paths = [pathlib.Path(database + suffix) for suffix in ("", "-wal", "-shm")]
    return b"".join(path.read_bytes() for path in paths if path.exists())


def test_invitations_reach_a_real_smtp_server_over_starttls_and_the_addresses_are_forgotten(
        mailroom, smtp_server, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    upload = ("email\n" + "\n".join(ADDRESSES[3:]) + "\n").encode()
    response = _send(mailroom, "invitation", "\n".join(ADDRESSES[:3]), upload)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Sent 6 invitations" in page and response.headers["Cache-Control"] == "no-store"
    assert not any(address in page for address in ADDRESSES)  # sent: the list leaves the page

    assert smtp_server.starttls_sessions == 6
    assert sorted(str(m["To"]) for m in smtp_server.messages) == sorted(ADDRESSES)
    codes = [_code(message) for message in smtp_server.messages]
    assert len(set(codes)) == 6
    assert all(invitation_code_is_usable(mailroom.db, mailroom.wave.id, code) for code in codes)
    assert invitation_counts(mailroom.db, mailroom.wave.id) == (6, 0)
    first = smtp_server.messages[0]
    assert first["Subject"] == "Your invitation: IT partnership pulse"
    assert f"/s/{mailroom.wave.token}?code={_code(first)}" in first.get_content()

    stored = _stored_bytes(mailroom.database)
    # Every log record of the app and its libraries, except the test's SMTP server (the relay's own
    # log is outside Rapport), and everything written to stdout and stderr.
    app_records = [record for record in caplog.records if not record.name.startswith("mail.log")]
    relay_log = "\n".join(record.getMessage() for record in caplog.records if record.name == "mail.log")
    assert ADDRESSES[0] in relay_log  # the capture works: the relay's own log does hold them
    logged = "\n".join(f"{record.name} {record.getMessage()}" for record in app_records)
    logged += "".join(capfd.readouterr())
    for address in ADDRESSES:
        for needle in (address, address.split("@")[0], address.split("@")[1]):
            assert needle.encode() not in stored, needle
            assert needle not in logged, needle
    assert mailroom.db.execute("SELECT kind, sent, failed FROM invitation_mailings").fetchall() == \
        [("invitation", 6, 0)]
    history = mailroom.brm.get(f"/staff/waves/{mailroom.wave.id}/email").get_data(as_text=True)
    assert "6 invitations" in history


def test_bad_lines_are_named_and_nothing_is_sent(mailroom, smtp_server):
    text = "ana@example.org\nbob@\n\nnot an address\ncarla@example.org; dan@example\nana@example.org\n"
    response = _send(mailroom, "invitation", text)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Line 2: \u201cbob@\u201d is not an e-mail address: nothing comes after the @." in page
    assert "Line 4: \u201cnot\u201d is not an e-mail address: it has no @." in page
    assert "Line 5: \u201cdan@example\u201d is not an e-mail address" in page
    assert "Line 6 repeats line 1; it gets one e-mail." in page
    assert "ana@example.org" in page  # the pasted list is kept in the form: nothing is lost
    assert smtp_server.messages == [] and invitation_counts(mailroom.db, mailroom.wave.id) == (0, 0)
    empty = _send(mailroom, "invitation", "  \n")
    assert empty.status_code == 400 and "at least one e-mail address" in empty.get_data(as_text=True)
    latin1 = _send(mailroom, "invitation", "", "jos\xe9@example.org\n".encode("latin-1"))
    assert latin1.status_code == 400 and "not UTF-8" in latin1.get_data(as_text=True)


def test_a_refused_recipient_is_reported_and_its_code_withdrawn(mailroom, smtp_server):
    response = _send(mailroom, "invitation", "ok-one@example.org\nghost@refused.example\nok-two@example.org")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Sent 2 invitations" in page
    assert "Line 2: the mail server refused \u201cghost@refused.example\u201d" in page
    assert len(smtp_server.messages) == 2
    assert invitation_counts(mailroom.db, mailroom.wave.id) == (2, 0)  # the unsent code is withdrawn
    assert mailroom.db.execute("SELECT sent, failed FROM invitation_mailings").fetchall() == [(2, 1)]


def test_reminders_carry_the_link_and_thanks_but_no_code(mailroom, smtp_server):
    _send(mailroom, "invitation", "\n".join(ADDRESSES[:2]))
    codes = {_code(message) for message in smtp_server.messages}
    smtp_server.messages.clear()
    response = _send(mailroom, "reminder", "\n".join(ADDRESSES[:2]))
    assert response.status_code == 200 and "Sent 2 reminders" in response.get_data(as_text=True)
    for message in smtp_server.messages:
        body = message.get_content()
        assert "If you already answered" in body and "thank you" in body
        assert f"/s/{mailroom.wave.token}" in body and "?code=" not in body
        assert not re.search(r"\b[A-Z0-9]{5}-[A-Z0-9]{5}\b", body)
    assert invitation_counts(mailroom.db, mailroom.wave.id) == (2, 0)  # no new code
    assert all(invitation_code_is_usable(mailroom.db, mailroom.wave.id, code) for code in codes)
    public = _send(mailroom, "reminder", ADDRESSES[0], wave=mailroom.public_wave)
    assert public.status_code == 200
    refused = _send(mailroom, "invitation", ADDRESSES[0], wave=mailroom.public_wave)
    assert refused.status_code == 400 and "public link" in refused.get_data(as_text=True)


def test_templates_are_edited_with_a_preview_and_used(mailroom, smtp_server):
    url = f"/staff/surveys/{mailroom.wave.survey_id}/email-templates"
    page = mailroom.brm.get(url).get_data(as_text=True)
    assert "Your invitation: IT partnership pulse" in page and "ABCDE-FGHJK" in page
    body = "Dear colleague,\n\nPlease answer {survey} here: {link}\nCode: {code}\n"
    preview = mailroom.brm.post(url, data={"kind_submitted": "invitation", "invitation-kind": "invitation",
                                           "invitation-subject": "Have your say on {survey}",
                                           "invitation-body": body, "action": "preview"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Have your say on IT partnership pulse" in text
    assert "Code: ABCDE-FGHJK" in text
    assert mailroom.db.execute("SELECT COUNT(*) FROM email_templates").fetchone()[0] == 0  # preview only
    bad = mailroom.brm.post(url, data={"kind_submitted": "reminder", "reminder-kind": "reminder",
                                       "reminder-subject": "Reminder",
                                       "reminder-body": "Use {code} at {link}",
                                       "action": "save"})
    assert bad.status_code == 400 and "A reminder cannot hold {code}" in bad.get_data(as_text=True)
    unknown = mailroom.brm.post(url, data={"kind_submitted": "invitation", "invitation-kind": "invitation",
                                           "invitation-subject": "Hi {name}", "invitation-body": body,
                                           "action": "save"})
    assert unknown.status_code == 400 and "Unknown placeholder {name}" in unknown.get_data(as_text=True)
    saved = mailroom.brm.post(url, data={"kind_submitted": "invitation", "invitation-kind": "invitation",
                                         "invitation-subject": "Have your say on {survey}",
                                         "invitation-body": body, "action": "save"})
    assert saved.status_code == 200 and "Saved." in saved.get_data(as_text=True)
    _send(mailroom, "invitation", ADDRESSES[0])
    [message] = smtp_server.messages
    assert message["Subject"] == "Have your say on IT partnership pulse"
    assert message.get_content().startswith("Dear colleague,")


def test_a_wrong_smtp_password_or_missing_starttls_sends_nothing(tmp_path, smtp_server, mailroom):
    wrong = create_app(_config(mailroom.database, smtp_server, SMTP_PASSWORD="wrong"))
    client = wrong.test_client()
    assert client.post("/staff/login", data={"username": "brm-mail", "password": PASSWORD}).status_code == 302
    response = client.post(f"/staff/waves/{mailroom.wave.id}/email",
                           data={"kind": "invitation", "addresses": ADDRESSES[0]})
    assert response.status_code == 502
    assert "refused the SMTP user name or password" in response.get_data(as_text=True)
    assert invitation_counts(mailroom.db, mailroom.wave.id) == (0, 0) and smtp_server.messages == []
    untrusted = create_app(_config(mailroom.database, smtp_server, SMTP_CA_FILE=None))
    client = untrusted.test_client()
    client.post("/staff/login", data={"username": "brm-mail", "password": PASSWORD})
    response = client.post(f"/staff/waves/{mailroom.wave.id}/email",
                           data={"kind": "reminder", "addresses": ADDRESSES[0]})
    assert response.status_code == 502
    assert "Could not reach the mail server" in response.get_data(as_text=True)
    unset = create_app(_config(mailroom.database, smtp_server, SMTP_HOST=None))
    client = unset.test_client()
    client.post("/staff/login", data={"username": "brm-mail", "password": PASSWORD})
    page = client.get(f"/staff/waves/{mailroom.wave.id}/email").get_data(as_text=True)
    assert "E-mail is not set up" in page


def test_address_lists_accept_common_layouts():
    parsed = read_addresses('"Ana Lima" <ana@example.org>, bo@example.org;cy@example.org\tdi@example.org\n'
                            "EMAIL\n", 10)
    assert [address for _, address in parsed.addresses] == [
        "ana@example.org", "bo@example.org", "cy@example.org", "di@example.org"]
    assert parsed.problems == []  # a heading line is skipped
    assert read_addresses("x@example.org\n", 10, upload="E-mail\nx@example.org").notes == [
        "Line 2 of the file repeats line 1; it gets one e-mail."]
    too_many = read_addresses("\n".join(f"p{n}@example.org" for n in range(4)), 3)
    assert "send at most 3" in too_many.problems[0]
