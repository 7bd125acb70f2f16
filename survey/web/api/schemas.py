"""JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses) of what the API sends and accepts.

The same schemas document the API (:mod:`survey.web.api.openapi`) and validate request bodies
(:mod:`survey.web.api.requests`), so the document cannot drift from what the server checks. A
figure that the reporting thresholds suppress is ``null`` with ``suppressed: true`` beside it.
"""

from __future__ import annotations

from typing import Any

from survey.store.actions import ACTION_STATUSES, MAX_NOTE_CHARS, MAX_TITLE_CHARS
from survey.store.surveys import ACCESS_MODES, QUESTION_KINDS

#: The largest id SQLite stores; larger ids in a path or query can name nothing.
MAX_ID = 2**63 - 1
#: Invitation codes per API call (the admin pages allow more at once; a JSON answer stays small).
MAX_CODES_PER_CALL = 1000
MAX_LABEL_CHARS = 100

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    """A reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(type_name: str, **extra: Any) -> Schema:
    """A value of ``type_name`` or ``null`` (suppressed, unknown or not applicable)."""
    return {"type": [type_name, "null"], **extra}


def obj(properties: dict[str, Schema], *, optional: tuple[str, ...] = (), closed: bool = True) -> Schema:
    """An object whose properties are all required except ``optional``."""
    schema: Schema = {"type": "object", "properties": properties,
                      "required": [name for name in properties if name not in optional]}
    if closed:
        schema["additionalProperties"] = False
    return schema


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
DATE = {"type": "string", "format": "date"}
SHARE = nullable("number", minimum=0, maximum=1)
COUNT = nullable("integer", minimum=0)
SENTIMENT = nullable("number", minimum=-1, maximum=1)
MARKER = {"type": ["string", "null"], "enum": ["rising", "falling", "steady", "new", None]}

_ESTIMATE = obj({"mean": SENTIMENT, "low": SENTIMENT, "high": SENTIMENT})
_ESTIMATE["description"] = "Mean sentiment in [-1, 1] with its 95% bootstrap interval; null when suppressed."

RESPONSES: dict[str, Schema] = {
    "Problem": obj({
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": array(obj({"field": {"type": "string"}, "message": {"type": "string"}})),
    }, optional=("type", "errors")),
    "Survey": obj({
        "id": ID, "title": {"type": "string"}, "introduction": {"type": "string"},
        "privacy_note": {"type": "string"}, "you_said_url": {"type": "string"},
    }),
    "Question": obj({
        "id": ID, "survey_id": ID, "position": {"type": "integer", "minimum": 1},
        "kind": {"type": "string", "enum": list(QUESTION_KINDS)}, "prompt": {"type": "string"},
        "help_text": {"type": "string"}, "required": {"type": "boolean"},
        "options": array({"type": "string"}),
    }),
    "Estimate": _ESTIMATE,
    "Wave": obj({
        "id": ID, "survey_id": ID, "label": {"type": "string"}, "opens_on": DATE, "closes_on": DATE,
        "access": {"type": "string", "enum": list(ACCESS_MODES)},
        "status": {"type": "string", "enum": ["scheduled", "open", "closed"]},
        "partner_url": {"type": "string"},
        "responses": {**COUNT, "description": "Released responses; null while fewer than the minimum "
                                               "group size (0 when there are none)."},
        "codes_issued": COUNT, "mean_rating": nullable("number"), "nps": nullable("number"),
        "sentiment": ref("Estimate"),
    }),
    "InvitationCodes": obj({
        "wave_id": ID, "count": {"type": "integer", "minimum": 1},
        "codes": array({"type": "string", "pattern": "^[A-Z0-9]{5}-[A-Z0-9]{5}$"}),
    }),
    "AggregateCell": obj({
        "wave_id": ID, "wave": {"type": "string"},
        "segment": {"type": ["string", "null"], "description": "null: every segment together."},
        "theme_id": {"type": ["string", "null"], "description": "null: every theme together."},
        "theme": {"type": ["string", "null"]},
        "respondents": COUNT, "units": COUNT, "share": SHARE, "sentiment": ref("Estimate"),
        "change_p_value": nullable("number", minimum=0, maximum=1), "marker": MARKER,
        "suppressed": {"type": "boolean"},
    }),
    "Aggregates": obj({
        "survey_id": ID, "min_group_size": {"type": "integer"}, "cells": array(ref("AggregateCell")),
    }),
    "Theme": obj({
        "id": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"},
        "kind": {"type": "string"}, "respondents": COUNT, "units": COUNT, "share": SHARE,
        "mean_sentiment": SENTIMENT, "key_phrases": array({"type": "string"}), "marker": MARKER,
    }),
    "Quote": obj({"wave_id": ID, "wave": {"type": "string"}, "text": {"type": "string"}}),
    "ThemeDetail": obj({
        "theme": ref("Theme"), "quotes": array(ref("Quote")),
        "min_quote_group_size": {"type": "integer"},
    }),
    "SiloCell": obj({
        "wave": {"type": "string"}, "segment": {"type": ["string", "null"]}, "respondents": COUNT,
        "rate_per_thousand_words": nullable("number", minimum=0),
        "share_of_responses_flagged": SHARE,
        "partnership_to_silo_ratio": nullable("number", minimum=0), "suppressed": {"type": "boolean"},
    }),
    "SiloTerm": obj({
        "term_id": {"type": "string"}, "category": {"type": "string"}, "wording": {"type": "string"},
        "waves": array(obj({
            "wave": {"type": "string"}, "respondents": COUNT,
            "rate_per_thousand_words": nullable("number", minimum=0), "suppressed": {"type": "boolean"},
        })),
    }),
    "Silo": obj({
        "survey_id": ID, "min_group_size": {"type": "integer"}, "cells": array(ref("SiloCell")),
        "terms": array(ref("SiloTerm")),
    }),
    "Action": obj({
        "id": ID, "survey_id": ID, "theme_id": {"type": "string"}, "theme": {"type": "string"},
        "title": {"type": "string"}, "owner": {"type": "string"}, "due_on": nullable("string", format="date"),
        "status": {"type": "string", "enum": list(ACTION_STATUSES)}, "public_note": {"type": "string"},
        "started_on": nullable("string", format="date"), "overdue": {"type": "boolean"},
    }),
}

_TEXT = {"type": "string", "maxLength": MAX_TITLE_CHARS}
_ACTION_FIELDS: dict[str, Schema] = {
    "theme_id": {"type": "string", "minLength": 1, "maxLength": 200},
    "title": {"type": "string", "minLength": 1, "maxLength": MAX_TITLE_CHARS, "pattern": r"\S"},
    "owner": _TEXT,
    "due_on": nullable("string", format="date"),
    "status": {"type": "string", "enum": list(ACTION_STATUSES)},
    "public_note": {"type": "string", "maxLength": MAX_NOTE_CHARS},
    "started_on": nullable("string", format="date"),
}

REQUESTS: dict[str, Schema] = {
    "NewWave": obj({
        "label": {"type": "string", "minLength": 1, "maxLength": MAX_LABEL_CHARS, "pattern": r"\S"},
        "opens_on": DATE, "closes_on": DATE,
        "access": {"type": "string", "enum": list(ACCESS_MODES), "default": "public"},
    }, optional=("access",)),
    "NewInvitationCodes": obj({
        "count": {"type": "integer", "minimum": 1, "maximum": MAX_CODES_PER_CALL},
    }),
    "NewAction": obj(_ACTION_FIELDS, optional=("owner", "due_on", "status", "public_note", "started_on")),
    "ActionChanges": obj({name: schema for name, schema in _ACTION_FIELDS.items() if name != "theme_id"},
                         optional=tuple(_ACTION_FIELDS)),
}

#: Every component schema of the document.
COMPONENTS: dict[str, Schema] = {**RESPONSES, **REQUESTS}
