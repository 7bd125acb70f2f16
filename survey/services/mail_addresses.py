"""Reading a pasted or uploaded list of e-mail addresses, with a clear message per bad line.

Lines may hold one address, several separated by commas, semicolons or spaces, or
``Name <address>``; a line that is a column heading (``email``) is skipped. Repeated addresses
get one e-mail. The list lives in memory only: nothing here stores or logs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parseaddr

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_HEADING = re.compile(r"^\W*(e-?mail|e-?mail address(es)?|address(es)?|to)\W*$", re.IGNORECASE)
_PIECES = re.compile(r"[,;\t]+")


@dataclass
class AddressList:
    """Valid addresses (with their line numbers), blocking problems, and harmless notes."""

    addresses: list[tuple[str, str]] = field(default_factory=list)  # (where: "Line 3", address)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def address_problem(address: str) -> str | None:
    """Why ``address`` is not a usable e-mail address, or ``None`` when it is."""
    if "@" not in address:
        return "it has no @"
    if address.count("@") > 1:
        return "it has more than one @"
    local, domain = address.split("@")
    if not local:
        return "nothing comes before the @"
    if not domain:
        return "nothing comes after the @"
    if len(address) > 254 or len(local) > 64:
        return "it is too long for an e-mail address"
    if not _LOCAL.match(local):
        return "the part before the @ holds characters an address cannot have"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        return "the part after the @ is not a domain such as example.org"
    return None


def _pieces(line: str) -> list[str]:
    found = []
    for piece in _PIECES.split(line):
        piece = piece.strip()
        if "<" in piece:
            found.append(parseaddr(piece)[1] or piece)
        elif piece:
            found.extend(word.strip("\"'") for word in piece.split())
    return [piece for piece in found if piece]


def _where(number: int, in_file: bool) -> str:
    return f"Line {number} of the file" if in_file else f"Line {number}"


def _read_lines(text: str, in_file: bool, result: AddressList, seen: dict[str, str]) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        if _HEADING.match(line.strip()):
            continue
        where = _where(number, in_file)
        for address in _pieces(line):
            problem = address_problem(address)
            if problem:
                result.problems.append(
                    f"{where}: \u201c{address[:80]}\u201d is not an e-mail address: {problem}.")
            elif address.lower() in seen:
                result.notes.append(f"{where} repeats {seen[address.lower()].lower()}; it gets one e-mail.")
            else:
                seen[address.lower()] = where
                result.addresses.append((where, address))


def read_addresses(text: str, max_addresses: int, upload: str = "") -> AddressList:
    """Parse pasted ``text`` and an ``upload``ed file into addresses and per-line messages."""
    result = AddressList()
    seen: dict[str, str] = {}
    _read_lines(text, False, result, seen)
    _read_lines(upload, True, result, seen)
    if not result.addresses and not result.problems:
        result.problems.append("Paste or upload at least one e-mail address, one per line.")
    if len(result.addresses) > max_addresses:
        result.problems.append(f"That is {len(result.addresses):,} addresses; send at most {max_addresses:,} "
                               "at a time (split the list).")
    return result
