"""Server logs that cannot place a partner: no client address, no time below the day, no forged lines.

DESIGN.md section 3, rule 9. Gunicorn writes two streams; both go through :class:`PrivateLogger`:

- The access log keeps the date only (``[06/Dec/2026]``), on every line. A line cannot tell a
  partner's request from a staff member's: the survey page, its stylesheet, the favicon and an
  error page are all fetched by the partner's browser, so a per-route rule would still leave the
  partner's second in the static-file lines. Operators keep what they use the log for: status,
  size and duration per path and day.
- The error log keeps the date only, and every message loses client addresses (gunicorn's
  ``Invalid request from ip=...``, any IPv4 or IPv6 literal) and query strings (which may carry an
  invitation code).

Both escape control characters (``%0A`` in a path is decoded to a newline before logging), so a
request cannot write a line of its own into either log.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from gunicorn.glogging import Logger

#: Gunicorn access-log atoms: date, method, path without query, status, bytes, milliseconds.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
DATE_ONLY = "[%Y-%m-%d]"
_QUERY_STRING = re.compile(r"\?\S*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ADDRESS = re.compile(
    r"\bip=\S+|(?<![\w.:])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"
    r"|(?<![\w:])(?=[0-9a-f:]*:[0-9a-f]*:)[0-9a-f:.]{2,45}(?:%\w+)?(?![\w:])",
    re.IGNORECASE,
)


def escape_controls(text: str) -> str:
    """``text`` with control characters written as ``\\xNN`` (so a log line stays one line)."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def scrub_message(message: str) -> str:
    """An error-log message without query strings or addresses, control characters escaped."""
    return escape_controls(_ADDRESS.sub("[address]", _QUERY_STRING.sub("", message)))


class PrivateErrorFilter(logging.Filter):
    """Rewrites every error-log record with :func:`scrub_message` (after formatting its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = scrub_message(message), ()
        if record.exc_info and record.exc_text is None:
            record.exc_text = scrub_message(logging.Formatter().formatException(record.exc_info))
        return True


class PrivateLogger(Logger):
    """Gunicorn's logger with date-only times, scrubbed error messages and escaped access atoms."""

    datefmt = DATE_ONLY

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(f, PrivateErrorFilter) for f in self.error_log.filters):
            self.error_log.addFilter(PrivateErrorFilter())

    def now(self) -> str:
        """The access log's time atom: the day only."""
        return time.strftime("[%d/%b/%Y]")

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        """Gunicorn's atoms with control characters escaped and no address left in any of them."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: escape_controls(value) if isinstance(value, str) else value
                for key, value in atoms.items() if key not in ("h", "{remote_addr}e")}
