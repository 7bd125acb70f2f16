"""Admin page "Import": LimeSurvey, Qualtrics or plain CSV exports into a wave, through a column mapping.

Step 1 takes the wave and the file. A plain CSV is imported at once; a LimeSurvey or Qualtrics
export gets step 2, the mapping (preset from the mapping saved last time, else by question text).
Between the steps the file travels back in the form (compressed), so nothing of it is kept on the
server; the mapping page shows column names and question texts only, never an answer. Metadata
columns are listed as dropped and cannot be chosen.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from survey.db import get_db
from survey.errors import InvalidInput, NotFound
from survey.services.csv_import import decode_csv, import_responses, plan_import
from survey.services.export_layouts import LAYOUT_NAMES, PLAIN, ParsedExport, parse_export
from survey.services.tool_import import import_export, propose_mapping, question_label
from survey.store.surveys import Wave, get_survey, get_wave, list_surveys, questions_for, waves_for
from survey.web.admin.forms import ImportUploadForm, mapping_form
from survey.web.auth import role_required

bp = Blueprint("imports", __name__, url_prefix="/staff/admin/import")


@bp.url_value_preprocessor
def _allow_large_exports(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # Runs before the app's before_request hooks (CSRF reads the form there), so the larger limit
    # applies to this page alone; everywhere else MAX_CONTENT_LENGTH stays small.
    limit = int(current_app.config["IMPORT_MAX_BYTES"])
    request.max_content_length = limit + 64 * 1024
    request.max_form_memory_size = limit + 64 * 1024


def _wave_choices() -> list[SelectChoice]:
    db = get_db()
    return [
        SelectChoice(wave.id, f"{survey.title}: {wave.label} ({wave.access})")
        for survey in list_surveys(db)
        for wave in waves_for(db, survey.id)
    ]


def _upload_page(form: ImportUploadForm | None = None, status: int = 200) -> Any:
    form = form or ImportUploadForm(formdata=None)
    form.wave.choices = _wave_choices()
    return render_template("admin/import.html", form=form, step="upload"), status


def _pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, 6)).decode("ascii")


def _unpack(payload: str) -> bytes:
    try:
        return zlib.decompress(base64.b64decode(payload.encode("ascii"), validate=True))
    except (binascii.Error, zlib.error, UnicodeEncodeError, ValueError):
        raise InvalidInput("The file did not come back intact; choose it again.") from None


def _choices(wave: Wave) -> list[tuple[str, str]]:
    questions = questions_for(get_db(), wave.survey_id)
    return [("", "Leave out")] + [(str(question.id), question_label(question)) for question in questions]


def _mapping_page(
    wave: Wave, parsed: ParsedExport, data: bytes, formdata: Any = None, error: str | None = None
) -> Any:
    db = get_db()
    questions = questions_for(db, wave.survey_id)
    proposal, from_saved = propose_mapping(db, parsed, wave.survey_id, questions)
    columns = [(column.key, column.label) for column in parsed.mappable]
    chosen = {key: "" if value is None else str(value) for key, value in proposal.items()}
    form = mapping_form(columns, _choices(wave), chosen, formdata)
    form.wave.data, form.payload.data = str(wave.id), _pack(data)
    page = {
        "form": form,
        "step": "mapping",
        "parsed": parsed,
        "layout": LAYOUT_NAMES[parsed.layout],
        "wave": wave,
        "survey": get_survey(db, wave.survey_id),
        "from_saved": from_saved,
        "column_fields": [form[f"column_{index}"] for index in range(len(columns))],
        "error": error,
    }
    return render_template("admin/import.html", **page), 400 if error else 200


@bp.route("/")
@role_required("admin")
def upload() -> Any:
    """Step 1: choose the wave and the exported file."""
    return _upload_page()


def _import_plain(wave: Wave, data: bytes) -> int:
    db = get_db()
    plan = plan_import(
        decode_csv(data), wave, questions_for(db, wave.survey_id), current_app.config["MAX_ANSWER_CHARS"]
    )
    return import_responses(db, wave, plan.rows, data)


@bp.route("/", methods=["POST"])
@role_required("admin")
def check_file() -> Any:
    """Read the file: import a plain CSV at once, or show the column mapping of an export."""
    form = ImportUploadForm()
    form.wave.choices = _wave_choices()
    if not form.validate():
        return _upload_page(form, 400)
    data = form.export.data.read()
    try:
        wave = get_wave(get_db(), form.wave.data)
        parsed = parse_export(decode_csv(data))
        if parsed.layout == PLAIN:
            stored = _import_plain(wave, data)
            flash(f"Imported {stored:,} responses into {wave.label}.", "success")
            return redirect(url_for("imports.upload"))
    except (InvalidInput, NotFound) as error:
        form.form_errors.append(str(error))
        return _upload_page(form, 400)
    return _mapping_page(wave, parsed, data)


@bp.route("/confirm", methods=["POST"])
@role_required("admin")
def confirm() -> Any:
    """Step 2: import every completed response with the chosen mapping, and save the mapping."""
    db = get_db()
    try:
        wave = get_wave(db, int(request.form.get("wave", "0") or 0))
        data = _unpack(request.form.get("payload", ""))
        parsed = parse_export(decode_csv(data))
    except (InvalidInput, NotFound, ValueError) as error:
        flash(str(error) if isinstance(error, InvalidInput | NotFound) else "Choose the file again.", "error")
        return redirect(url_for("imports.upload"))
    columns = [(column.key, column.label) for column in parsed.mappable]
    form = mapping_form(columns, _choices(wave), {})
    if not form.validate_on_submit():
        return _mapping_page(
            wave, parsed, data, request.form, "The form expired or was changed; check the mapping."
        )
    mapping = {
        key: int(value) if (value := form[f"column_{index}"].data) else None
        for index, (key, _label) in enumerate(columns)
    }
    try:
        stored = import_export(db, wave, data, parsed, mapping, current_app.config["MAX_ANSWER_CHARS"])
    except InvalidInput as error:
        return _mapping_page(wave, parsed, data, request.form, str(error))
    flash(
        f"Imported {stored:,} responses from the {LAYOUT_NAMES[parsed.layout]} export into {wave.label}; "
        f"{len(parsed.dropped)} metadata columns were dropped. The mapping is saved for next time.",
        "success",
    )
    return redirect(url_for("imports.upload"))
