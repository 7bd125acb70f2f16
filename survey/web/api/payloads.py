"""Reading what a client sends: JSON bodies checked against the documented schemas, query parameters.

A body that is not JSON answers 415, malformed JSON 400, and JSON that breaks its schema 422 with
one entry per field, so the document (:mod:`survey.web.api.schemas`) is the rule the server applies.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any, cast

from flask import request
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from survey.web.api.errors import ApiError
from survey.web.api.openapi import Operation
from survey.web.api.schemas import COMPONENTS

_INTEGER = re.compile(r"[+-]?\d{1,30}")


@functools.cache
def _validator(schema_name: str) -> Draft202012Validator:
    schema = COMPONENTS[schema_name]
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _field(error: ValidationError) -> str:
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "required":
        missing = re.match(r"'([^']+)'", error.message)
        return f"{path}.{missing.group(1)}".lstrip(".") if missing else path
    return path or "(body)"


def _message(error: ValidationError) -> str:
    """A short human message for one schema violation (never echoing a long value back)."""
    keyword, rule = error.validator, error.validator_value
    if keyword == "required":
        return "This field is required."
    if keyword == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"Unknown field(s): {', '.join(map(str, extra))[:200]}."
    if keyword == "type":
        expected = " or ".join(rule) if isinstance(rule, list) else rule
        return f"Must be {'an' if str(expected)[0] in 'aeiou' else 'a'} {expected}."
    if keyword == "format":
        return "Must be a date written YYYY-MM-DD, such as 2026-03-31."
    if keyword in ("minLength", "pattern"):
        return "Must not be empty."
    if keyword == "enum":
        return f"Must be one of {', '.join(str(value) for value in rule if value is not None)}."
    bounds = {"maxLength": "Must be at most {} characters.", "minimum": "Must be at least {}.",
              "maximum": "Must be at most {}."}
    return bounds[keyword].format(rule) if keyword in bounds else error.message[:200]


def json_body(schema_name: str) -> dict[str, Any]:
    """The request's JSON object, valid against the component schema ``schema_name``."""
    if request.mimetype != "application/json":
        raise ApiError(415, "Send the body as JSON with the header Content-Type: application/json.")
    body = request.get_json(silent=True)
    if body is None and request.get_data(cache=True).strip() not in (b"null",):
        raise ApiError(400, "The body is not valid JSON.")
    errors = sorted(_validator(schema_name).iter_errors(body), key=lambda error: list(error.absolute_path))
    if errors:
        fields = [{"field": _field(error), "message": _message(error)} for error in errors[:20]]
        first = fields[0]
        raise ApiError(422, f"The body is not valid: {first['field']}: {first['message']}", errors=fields)
    return cast(dict[str, Any], body)


def optional_date(value: str | None) -> dt.date | None:
    """A date the schema already checked (``None`` stays ``None``)."""
    return dt.date.fromisoformat(value) if value else None


def query_args(operation: Operation) -> dict[str, Any]:
    """The operation's query parameters, converted and checked (422 naming the parameter)."""
    values: dict[str, Any] = {}
    for parameter in operation.parameters:
        if parameter.location != "query" or parameter.name not in request.args:
            continue
        raw, schema = request.args[parameter.name], parameter.schema
        if schema["type"] == "integer":
            if not _INTEGER.fullmatch(raw.strip()) or not schema["minimum"] <= int(raw) <= schema["maximum"]:
                raise ApiError(422, f"Query parameter {parameter.name} must be a whole number from "
                                    f"{schema['minimum']}.", errors=[{"field": parameter.name,
                                                                       "message": "Must be an id."}])
            values[parameter.name] = int(raw)
        elif not schema["minLength"] <= len(raw) <= schema["maxLength"]:
            raise ApiError(422, f"Query parameter {parameter.name} must have 1 to {schema['maxLength']} "
                                "characters.", errors=[{"field": parameter.name, "message": "Wrong length."}])
        else:
            values[parameter.name] = raw
    return values
