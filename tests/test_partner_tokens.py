"""The partner form's one-time token: genuine only for its own wave, under this app's key."""

from __future__ import annotations

from survey import create_app
from survey.web.partner import tokens


def test_a_form_token_is_accepted_for_its_wave_only_and_never_when_altered(app):
    with app.test_request_context():
        token = tokens.new_form_token(7)
        _wave_id, nonce, signature = token.split(".")
        assert tokens.form_token_nonce(7, token) == nonce and len(nonce) == 32
        assert tokens.new_form_token(7) != token  # each page its own nonce
        assert tokens.form_token_nonce(8, token) is None
        assert tokens.form_token_nonce(8, f"8.{nonce}.{signature}") is None
        other_nonce = ("0" if nonce[0] != "0" else "1") + nonce[1:]
        assert tokens.form_token_nonce(7, f"7.{other_nonce}.{signature}") is None
        for damaged in ("", None, token + "0", token.upper(), f"7.{nonce}", "WzEsImFiYyJd.forged"):
            assert tokens.form_token_nonce(7, damaged) is None
    other_key = create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "another-secret"})
    with other_key.test_request_context():
        assert tokens.form_token_nonce(7, token) is None


def test_each_purpose_has_its_own_key(app):
    with app.test_request_context():
        assert tokens.sign(b"one", "message") != tokens.sign(b"two", "message")
        assert tokens.sign(b"one", "message") == tokens.sign(b"one", "message")
