"""The API's own description: the OpenAPI document as JSON, and the same drawn as an HTML page.

``/api/docs`` is rendered on the server from :func:`~survey.web.api.openapi.openapi_document`: no
script, no font and nothing from another host, so the strict Content-Security-Policy stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Response, jsonify, render_template, request
from markupsafe import Markup, escape

from survey.web.api.base import bp
from survey.web.api.openapi import ERROR_TEXT, OPERATIONS, PREFIX, openapi_document
from survey.web.api.schemas import COMPONENTS, Schema


@dataclass(frozen=True)
class FieldRow:
    """A property of a schema as the docs page lists it."""

    name: str
    type: str
    required: bool
    notes: str


def type_label(schema: Schema) -> str:
    """A short human reading of a schema: ``integer``, ``string (date) or null``, ``array of Wave``."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kinds = schema.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = []
    for kind in kinds:
        if kind == "array":
            words.append(f"array of {type_label(schema.get('items', {}))}")
        elif kind == "string" and "format" in schema:
            words.append(f"string ({schema['format']})")
        else:
            words.append(str(kind))
    return " or ".join(words)


def _notes(schema: Schema) -> str:
    notes = []
    if "enum" in schema:
        notes.append("one of " + ", ".join(str(value) for value in schema["enum"] if value is not None))
    for key, text in (("minimum", "at least {}"), ("maximum", "at most {}"),
                      ("maxLength", "up to {} characters"), ("default", "default {}")):
        if key in schema:
            notes.append(text.format(schema[key]))
    if "description" in schema:
        notes.append(schema["description"])
    return "; ".join(notes)


def field_rows(schema: Schema) -> list[FieldRow]:
    """The properties of an object schema, in document order."""
    required = set(schema.get("required", ()))
    return [FieldRow(name, type_label(prop), name in required, _notes(prop))
            for name, prop in schema.get("properties", {}).items()]


def inline_code(text: str) -> Markup:
    """The document's `code` spans as ``<code>`` (the text is escaped first)."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


@bp.route("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3.1 document of the API (no token needed: it holds no data)."""
    return jsonify(openapi_document(request.host_url.rstrip("/")))


@bp.route("/docs")
def docs() -> Any:
    """The API reference, rendered on the server from the OpenAPI document."""
    return render_template(
        "api/docs.html", operations=OPERATIONS, prefix=PREFIX, error_text=ERROR_TEXT,
        schemas={name: field_rows(schema) for name, schema in COMPONENTS.items()},
        type_label=type_label, inline_code=inline_code, host=request.host_url.rstrip("/"),
    )
