"""The reporting thresholds (DESIGN.md section 3, rule 5), in one object every layer passes around."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Thresholds:
    """Figures need ``min_group_size`` respondents; verbatim quotes need ``min_quote_group_size``."""

    min_group_size: int = 5
    min_quote_group_size: int = 5

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Thresholds:
        """The thresholds an app's configuration sets (``MIN_GROUP_SIZE``, ``MIN_QUOTE_GROUP_SIZE``)."""
        return cls(int(config["MIN_GROUP_SIZE"]), int(config["MIN_QUOTE_GROUP_SIZE"]))

    @property
    def text_threshold(self) -> int:
        """Respondents a (wave, segment) group needs before any of its redacted text is printed."""
        return max(self.min_group_size, self.min_quote_group_size)

    @property
    def suppressed_text(self) -> str:
        """What a suppressed figure says."""
        return f"fewer than {self.min_group_size}"


#: The design's defaults (5 and 5), for callers that do not configure thresholds.
DEFAULT_THRESHOLDS = Thresholds()
