"""The staff password policy (issue 11, item 6): long enough, not common, not the username.

The common-password list is ``data/common-passwords.txt.gz`` (20,000 entries, see ``data/README.md``).
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

from survey.errors import InvalidInput
from survey.store.staff import MIN_PASSWORD_LENGTH

MAX_PASSWORD_LENGTH = 200
COMMON_PASSWORDS = Path(__file__).with_name("data") / "common-passwords.txt.gz"


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower case."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problem(password: str, username: str = "") -> str | None:
    """A sentence saying what is wrong with ``password``, or ``None`` when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return (f"Passwords need at least {MIN_PASSWORD_LENGTH} characters. This one has {len(password)}; "
                "a few unrelated words make a long password that is easy to remember.")
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Passwords can have at most {MAX_PASSWORD_LENGTH} characters."
    lowered = password.lower()
    name = username.strip().lower()
    if name and name in lowered:
        return "The password must not contain the username; choose something unrelated."
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        return ("That password is on the list of the 20,000 most common passwords, which attackers "
                "try first; choose another.")
    return None


def check_password(password: str, username: str = "") -> None:
    """Raise :class:`InvalidInput` with :func:`password_problem`'s message when there is one."""
    problem = password_problem(password, username)
    if problem is not None:
        raise InvalidInput(problem)
