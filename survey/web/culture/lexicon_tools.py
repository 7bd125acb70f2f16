"""Lexicon editor tools: the pattern tester, and the lexicon as a CSV file (export and import)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, url_for
from flask_login import current_user

from survey.db import get_db
from survey.errors import InvalidInput
from survey.services.lexicon_csv import imported_lexicon, lexicon_csv
from survey.store import lexicons
from survey.web.auth import role_required
from survey.web.culture.forms import LexiconImportForm
from survey.web.culture.silo import bp


@bp.route("/lexicon.csv")
@role_required("culture_lead")
def export_lexicon() -> Response:
    """The current lexicon's terms as a CSV file (open it in a spreadsheet, edit, import it back)."""
    lexicon = lexicons.current_lexicon(get_db())
    response = Response("\ufeff" + lexicon_csv(lexicon), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=f"lexicon-{lexicon.version[:8]}.csv")
    return response


@bp.route("/lexicon/import", methods=["POST"])
@role_required("culture_lead")
def import_lexicon() -> Any:
    """Add or update terms from a CSV file; a bad row changes nothing and says which row."""
    form = LexiconImportForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            flash(f"Nothing was imported: {' '.join(messages)}", "error")
        return redirect(url_for("culture.lexicon", _anchor="import"), code=303)
    try:
        text = form.file.data.read(1_000_000).decode("utf-8")
    except UnicodeDecodeError:
        flash("Nothing was imported: save the file as CSV with UTF-8 encoding and try again.", "error")
        return redirect(url_for("culture.lexicon", _anchor="import"), code=303)
    try:
        updated, added, changed = imported_lexicon(lexicons.current_lexicon(get_db()), text)
        saved = lexicons.save_lexicon(get_db(), updated, author_id=current_user.user.id,
                                      note=f"Imported a CSV file: {added} added, {changed} updated.",
                                      based_on=form.based_on.data or None)
    except InvalidInput as error:
        flash(str(error), "error")
    else:
        flash(f"Imported: {added} terms added, {changed} updated. Lexicon version {saved.number} is now "
              "current.", "success")
    return redirect(url_for("culture.lexicon", _anchor="terms"), code=303)
