"""The effective settings as an admin may see them: every key of ``DEFAULTS``, secrets masked.

A key whose name says it holds a secret (``SECRET``, ``PASSWORD``, ``TOKEN``, ``ACCESS_KEY``,
``PRIVATE``) shows only whether it is set; a URL shows no password. The source says where the value
came from as far as can be told: the environment, a config file or a value derived at start-up, or the
default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from survey.config import DEFAULTS
from survey.services.replication import mask_url

SECRET_MARKERS = ("SECRET", "PASSWORD", "TOKEN", "ACCESS_KEY", "PRIVATE", "CREDENTIAL")


@dataclass(frozen=True)
class ShownSetting:
    """One setting as shown: its name, its value as text (masked if secret), and its source."""

    key: str
    value: str
    source: str
    secret: bool


def is_secret(key: str) -> bool:
    """Whether the setting ``key`` holds a secret, judged by its name."""
    return any(marker in key.upper() for marker in SECRET_MARKERS)


def _shown_value(key: str, value: Any) -> str:
    if is_secret(key):
        return "set (hidden)" if value else "not set"
    if value is None:
        return "not set"
    if isinstance(value, str) and "://" in value:
        return mask_url(value)
    return str(value)


def _source(key: str, value: Any) -> str:
    if f"RAPPORT_{key}" in os.environ or (key == "ENV_NAME" and "RAPPORT_ENV" in os.environ):
        return "environment"
    return "default" if value == DEFAULTS[key] else "config file or derived"


def effective_settings(config: Mapping[str, Any]) -> list[ShownSetting]:
    """Every declared setting with its effective value (secrets masked), in declaration order."""
    return [ShownSetting(key, _shown_value(key, config.get(key)), _source(key, config.get(key)),
                         is_secret(key)) for key in DEFAULTS]
