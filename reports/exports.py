"""Unit-level exports as CSV and JSON: redacted text with wave, segment, theme, sentiment and silo flags.

Both formats share one column order (:data:`UNIT_COLUMNS`). The exported ``unit_id`` is a keyed hash
of the stored unit id under a key drawn afresh for every export (anonymity rule 8): ids never repeat
across two exports, so rows of two exports cannot be joined by id, and nothing in an id says which
units share a respondent. Rows are sorted by wave, segment, theme and that export id, never by
arrival (rule 2), nor with one respondent's units side by side. A segment with fewer than
``min_group_size`` respondents in a wave is written as :data:`SUPPRESSED_SEGMENT` (rule 5), and a
theme with fewer than ``min_group_size`` respondents in a wave is left blank: a theme only one or
two people wrote about would otherwise show which units share a respondent (rule 8). CSV text
cells that a spreadsheet would read as a formula are neutralised with a leading apostrophe.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from reports.errors import ExportError

UNIT_COLUMNS = ("unit_id", "wave", "segment", "theme", "sentiment_score", "sentiment_label", "silo_flags",
                "text")
SUPPRESSED_SEGMENT = "(suppressed: small group)"
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportUnit:
    """One analysed comment unit as exported.

    Attributes
    ----------
    unit_id : str
        Random id of the unit.
    response_id : str
        Random id of its response; used only to count respondents per segment, never exported.
    wave : str
        Wave label.
    segment : str or None
        Segment answer, if any.
    theme : str or None
        Name of the assigned concern theme, if any.
    sentiment_score : float or None
        Score in [-1, 1].
    sentiment_label : str
        E.g. "negative".
    silo_flags : tuple of str
        Silo-language terms flagged in the unit.
    text : str
        Redacted text of the unit (never the raw answer).
    """

    unit_id: str
    response_id: str
    wave: str
    segment: str | None
    theme: str | None
    sentiment_score: float | None
    sentiment_label: str
    silo_flags: Sequence[str] = field(default=())
    text: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "silo_flags", tuple(self.silo_flags))


def units_to_csv(rows: Iterable[ExportUnit | Mapping[str, Any]], *, min_group_size: int = 5,
                 bom: bool = False, export_key: bytes | None = None) -> str:
    """Return the units as CSV text (UTF-8 when encoded), header first, columns as :data:`UNIT_COLUMNS`.

    Parameters
    ----------
    rows : iterable of ExportUnit or mappings with the same field names
        The units to export, in any order.
    min_group_size : int
        Segments with fewer respondents than this in a wave are written as suppressed.
    bom : bool
        Prefix a byte-order mark so that Excel detects UTF-8.
    export_key : bytes, optional
        Key of the exported ids (see the module docstring); a fresh random key when not given.

    Returns
    -------
    str
        CSV with ``\\r\\n`` line ends; silo flags joined with ``"; "``.
    """
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(UNIT_COLUMNS)
    for record in _records(rows, min_group_size, export_key):
        writer.writerow([_csv_cell(name, record[name]) for name in UNIT_COLUMNS])
    return buffer.getvalue()


def units_to_json(rows: Iterable[ExportUnit | Mapping[str, Any]], *, min_group_size: int = 5,
                  export_key: bytes | None = None) -> str:
    """Return the units as a JSON array of objects whose keys follow :data:`UNIT_COLUMNS`.

    Parameters
    ----------
    rows : iterable of ExportUnit or mappings with the same field names
        The units to export, in any order.
    min_group_size : int
        Segments with fewer respondents than this in a wave are written as suppressed.
    export_key : bytes, optional
        Key of the exported ids (see the module docstring); a fresh random key when not given.

    Returns
    -------
    str
        Pretty-printed JSON, non-ASCII characters kept as is; silo flags as a list.
    """
    records = [{**record, "silo_flags": list(record["silo_flags"])} for record in
               _records(rows, min_group_size, export_key)]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def _as_unit(row: ExportUnit | Mapping[str, Any]) -> ExportUnit:
    if isinstance(row, ExportUnit):
        return row
    try:
        return ExportUnit(**row)
    except TypeError as error:
        raise ExportError(f"export row does not match ExportUnit: {error}") from error


def export_id(unit_id: str, key: bytes) -> str:
    """The id a unit carries in one export: a keyed hash of its stored id (16 hex digits)."""
    return hmac.new(key, unit_id.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def _records(rows: Iterable[ExportUnit | Mapping[str, Any]], min_group_size: int,
             export_key: bytes | None = None) -> list[dict[str, Any]]:
    key = export_key if export_key is not None else secrets.token_bytes(32)
    units = [_as_unit(row) for row in rows]
    respondents: defaultdict[tuple[str, str | None], set[str]] = defaultdict(set)
    theme_respondents: defaultdict[tuple[str, str | None], set[str]] = defaultdict(set)
    for unit in units:
        respondents[unit.wave, unit.segment].add(unit.response_id)
        theme_respondents[unit.wave, unit.theme].add(unit.response_id)
    ids = {unit.unit_id: export_id(unit.unit_id, key) for unit in units}
    shown = {unit.unit_id: unit.theme if len(theme_respondents[unit.wave, unit.theme]) >= min_group_size
             else None for unit in units}
    # Sorted by the theme as written, so a blanked theme's units are not kept side by side.
    units.sort(key=lambda u: (u.wave, u.segment or "", shown[u.unit_id] or "", ids[u.unit_id]))
    records = []
    for unit in units:
        record = {name: value for name, value in asdict(unit).items() if name in UNIT_COLUMNS}
        record["unit_id"] = ids[unit.unit_id]
        if unit.segment is not None and len(respondents[unit.wave, unit.segment]) < min_group_size:
            record["segment"] = SUPPRESSED_SEGMENT
        record["theme"] = shown[unit.unit_id]
        if unit.sentiment_score is not None:
            record["sentiment_score"] = round(float(unit.sentiment_score), 3)
        records.append({name: record[name] for name in UNIT_COLUMNS})
    return records


def _csv_cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "sentiment_score":
        return f"{value:.3f}"
    text = "; ".join(value) if name == "silo_flags" else str(value)
    return "'" + text if text.startswith(_FORMULA_TRIGGERS) else text
