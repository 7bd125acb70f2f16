"""Check my text: highlight siloing phrases in a pasted draft, with suggested alternatives.

The draft is handled in memory only: it is never written to the database, the session, a flash
message or a log, and the answer is sent with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from typing import Any

from flask import make_response, render_template

from nlp.silo import analyse_silo_language
from survey.db import get_db
from survey.store import lexicons
from survey.web.auth import role_required
from survey.web.culture.forms import MAX_CHECK_CHARS, CheckTextForm
from survey.web.culture.silo import bp, marked_pieces

#: Stances of a phrase that criticises or quotes siloing language rather than using it: not a problem.
FINE_AS_WRITTEN = ("criticised", "quoted")


@bp.route("/check-text", methods=["GET", "POST"])
@role_required("culture_lead", "brm")
def check_text() -> Any:
    """Highlight siloing phrases in a pasted draft; the draft lives only in this request."""
    form = CheckTextForm()
    result = None
    if form.validate_on_submit():
        text = form.text.data
        (flags,), (partnership,) = analyse_silo_language([text], lexicons.current_lexicon(get_db()))
        problems = [flag for flag in flags if flag.stance not in FINE_AS_WRITTEN]
        result = {"flags": flags, "problems": problems, "fine": len(flags) - len(problems),
                  "partnership": partnership,
                  "pieces": marked_pieces(text, [(flag.start, flag.end) for flag in flags])}
    status = 400 if form.is_submitted() and form.errors else 200
    response = make_response(render_template("culture/check_text.html", form=form, result=result,
                                             max_chars=MAX_CHECK_CHARS), status)
    response.headers["Cache-Control"] = "no-store"
    return response
