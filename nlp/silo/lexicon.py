"""The siloing-language lexicon: immutable, versioned by content, JSON in and out.

Every customisation (add, remove, disable, edit a term) returns a new :class:`Lexicon`; the
original never changes, so a lexicon shared by several callers cannot leak one caller's edit into
another, and an analysis run can record ``lexicon.version`` and re-measure old waves later.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from nlp.errors import LexiconError
from nlp.silo.patterns import compile_pattern

#: The lexicon shipped with Rapport.
DEFAULT_LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "silo_lexicon.json"
#: Terms of this category are partnership language: counted, never flagged.
PARTNERSHIP_CATEGORY = "partnership"
#: Named context checks a term may require (implemented in :mod:`nlp.silo.matcher`).
KNOWN_REQUIREMENTS = frozenset({"it_role"})
FORMAT_VERSION = 1

_TERM_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ContextRules:
    """Checks that keep a pattern match out of the results (all optional).

    Attributes
    ----------
    not_preceded_by, not_followed_by
        Phrases that, directly before or after the match in the same sentence, veto it
        (``internet`` before ``service provider``; ``case`` after ``the business``).
        Hyphens are ignored, so ``third-party`` also vetoes ``third party``.
    reject_after_pos
        Coarse part-of-speech tags of the previous token that veto the match
        (``us and them`` after a preposition or verb is a plain coordination).
    head_noun_only
        Veto the match when its last word only modifies a following noun (``business case``).
    reject_subject_of
        Verb lemmas that veto the match when it is their subject (``the business grew``).
    requires
        A named check that must pass, e.g. ``it_role``: the phrase is predicated of IT or "us".
    """

    not_preceded_by: tuple[str, ...] = ()
    not_followed_by: tuple[str, ...] = ()
    reject_after_pos: tuple[str, ...] = ()
    head_noun_only: bool = False
    reject_subject_of: tuple[str, ...] = ()
    requires: str | None = None


@dataclass(frozen=True)
class LexiconTerm:
    """One lexicon entry: patterns of one siloing (or partnership) expression.

    Attributes
    ----------
    id
        Stable identifier (``internal_customer``), lower case with underscores.
    patterns
        Phrases in the syntax of :mod:`nlp.silo.patterns`.
    category
        Reporting category; ``partnership`` marks counterpart language.
    suggestion
        A suggested alternative wording.
    rationale
        Why the wording matters.
    enabled
        Disabled terms stay in the lexicon (and its version) but match nothing.
    context
        :class:`ContextRules` that keep false positives out.
    """

    id: str
    patterns: tuple[str, ...]
    category: str
    suggestion: str = ""
    rationale: str = ""
    enabled: bool = True
    context: ContextRules = field(default_factory=ContextRules)

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as JSON-ready data (the inverse of :meth:`Lexicon.from_entries`)."""
        data = asdict(self)
        data["patterns"] = list(self.patterns)
        data["context"] = {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in data["context"].items()
            if value not in ((), None, False)
        }
        return data


def _entry_error(index: int, entry: Any, message: str) -> LexiconError:
    name = entry.get("id") if isinstance(entry, Mapping) else None
    return LexiconError(f"lexicon entry {index} ({name!r}): {message}")


def _string_tuple(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise LexiconError(f"{what} must be a list of strings")
    items = tuple(value)
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise LexiconError(f"{what} must be a list of non-empty strings")
    return items


def _context_from_mapping(data: Mapping[str, Any]) -> ContextRules:
    known = {spec.name for spec in fields(ContextRules)}
    unknown = set(data) - known
    if unknown:
        raise LexiconError(f"unknown context rule(s) {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name == "head_noun_only":
            if not isinstance(value, bool):
                raise LexiconError("context rule head_noun_only must be true or false")
            values[name] = value
        elif name == "requires":
            if value is not None and value not in KNOWN_REQUIREMENTS:
                raise LexiconError(f"unknown requirement {value!r} (known: {sorted(KNOWN_REQUIREMENTS)})")
            values[name] = value
        else:
            values[name] = _string_tuple(value, f"context rule {name}")
    return ContextRules(**values)


def _term_from_mapping(entry: Mapping[str, Any]) -> LexiconTerm:
    unknown = set(entry) - {spec.name for spec in fields(LexiconTerm)}
    if unknown:
        raise LexiconError(f"unknown field(s) {sorted(unknown)}")
    term_id = entry.get("id")
    if not isinstance(term_id, str) or not _TERM_ID.match(term_id):
        raise LexiconError("id must be lower case letters, digits and underscores")
    category = entry.get("category")
    if not isinstance(category, str) or not category.strip():
        raise LexiconError("category must be a non-empty string")
    patterns = _string_tuple(entry.get("patterns", ()), "patterns")
    if not patterns:
        raise LexiconError("patterns must not be empty")
    for name in ("suggestion", "rationale"):
        if not isinstance(entry.get(name, ""), str):
            raise LexiconError(f"{name} must be a string")
    if not isinstance(entry.get("enabled", True), bool):
        raise LexiconError("enabled must be true or false")
    context = entry.get("context", {})
    if isinstance(context, ContextRules):
        rules = context
    elif isinstance(context, Mapping):
        rules = _context_from_mapping(context)
    else:
        raise LexiconError("context must be an object")
    return LexiconTerm(
        id=term_id, patterns=patterns, category=category.strip(),
        suggestion=entry.get("suggestion", ""), rationale=entry.get("rationale", ""),
        enabled=entry.get("enabled", True), context=rules,
    )


def _freeze_lists(data: Mapping[str, Any] | None, what: str) -> Mapping[str, tuple[str, ...]]:
    if data is None:
        return MappingProxyType({})
    if not isinstance(data, Mapping):
        raise LexiconError(f"{what} must be an object of word lists")
    frozen = {}
    for name, words in sorted(data.items()):
        frozen[name] = _string_tuple(words, f"{what} {name!r}")
    return MappingProxyType(frozen)


@dataclass(frozen=True, eq=False)
class Lexicon:
    """An immutable set of lexicon terms plus the word lists and stance cues they rely on.

    Build one with :meth:`load`, :meth:`from_dict` or :meth:`from_entries`; customise it with
    :meth:`with_term`, :meth:`without_term`, :meth:`with_term_disabled`, :meth:`with_term_enabled`
    and :meth:`with_term_edited`, each of which returns a new lexicon with a new :attr:`version`.

    Attributes
    ----------
    terms
        The entries, in file order.
    word_lists
        Named word lists for ``@name`` pattern tokens and context checks (``it_referent``).
    stance_cues
        Word lists the stance classifier uses (see :mod:`nlp.silo.stance`).
    version
        A stable content hash (12 hex digits) of everything above.
    """

    terms: tuple[LexiconTerm, ...]
    word_lists: Mapping[str, tuple[str, ...]]
    stance_cues: Mapping[str, tuple[str, ...]]
    version: str = field(init=False)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for index, term in enumerate(self.terms):
            if term.id in seen:
                raise LexiconError(f"lexicon entry {index} ({term.id!r}): duplicate id")
            seen.add(term.id)
            for pattern in term.patterns:
                try:
                    compile_pattern(pattern, self.word_lists)
                except LexiconError as error:
                    raise LexiconError(f"lexicon entry {index} ({term.id!r}): {error}") from None
        canonical = json.dumps(self._content(), sort_keys=True, separators=(",", ":"))
        object.__setattr__(self, "version", hashlib.sha256(canonical.encode()).hexdigest()[:12])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lexicon) and other.version == self.version

    def __hash__(self) -> int:
        return hash(self.version)

    def _content(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "word_lists": {name: list(words) for name, words in self.word_lists.items()},
            "stance_cues": {name: list(words) for name, words in self.stance_cues.items()},
            "terms": [term.to_dict() for term in self.terms],
        }

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Lexicon:
        """Build a lexicon from parsed JSON (``terms``, ``word_lists``, ``stance_cues``).

        Raises
        ------
        LexiconError
            If the data or any entry is malformed; the message names the entry.
        """
        if not isinstance(data, Mapping) or not isinstance(data.get("terms"), list):
            raise LexiconError("a lexicon must be an object with a 'terms' list")
        return cls(
            terms=_terms_from_entries(data["terms"]),
            word_lists=_freeze_lists(data.get("word_lists"), "word_lists"),
            stance_cues=_freeze_lists(data.get("stance_cues"), "stance_cues"),
        )

    @classmethod
    def from_json(cls, text: str) -> Lexicon:
        """Build a lexicon from its JSON text (as stored by the web app)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise LexiconError(f"lexicon is not valid JSON: {error}") from None
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Lexicon:
        """Read a lexicon file; ``None`` reads the shipped :data:`DEFAULT_LEXICON_PATH`."""
        path = Path(path) if path is not None else DEFAULT_LEXICON_PATH
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise LexiconError(f"cannot read lexicon {path}: {error}") from None
        return cls.from_json(text)

    @classmethod
    def from_entries(
        cls,
        entries: Iterable[LexiconTerm | Mapping[str, Any]],
        word_lists: Mapping[str, Iterable[str]] | None = None,
        stance_cues: Mapping[str, Iterable[str]] | None = None,
    ) -> Lexicon:
        """Build a lexicon from entries; word lists and stance cues default to the shipped ones."""
        return cls(
            terms=_terms_from_entries(list(entries)),
            word_lists=_freeze_lists(word_lists, "word_lists") if word_lists is not None
            else default_lexicon().word_lists,
            stance_cues=_freeze_lists(stance_cues, "stance_cues") if stance_cues is not None
            else default_lexicon().stance_cues,
        )

    # -- reading ------------------------------------------------------------------------------
    def term(self, term_id: str) -> LexiconTerm:
        """Return the term with ``term_id``; raise :class:`LexiconError` if there is none."""
        for term in self.terms:
            if term.id == term_id:
                return term
        raise LexiconError(f"no lexicon term with id {term_id!r}")

    @property
    def enabled_terms(self) -> tuple[LexiconTerm, ...]:
        """The terms that match (disabled ones are kept for the record only)."""
        return tuple(term for term in self.terms if term.enabled)

    def to_dict(self) -> dict[str, Any]:
        """Return the lexicon as JSON-ready data, including its ``version``."""
        return {**self._content(), "version": self.version}

    def to_json(self) -> str:
        """Return the lexicon as indented JSON, readable by :meth:`from_json`."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    # -- customising (each returns a new lexicon) ---------------------------------------------
    def with_term(self, term: LexiconTerm | Mapping[str, Any]) -> Lexicon:
        """Return a new lexicon with ``term`` appended; its id must be new."""
        return self._with_terms((*self.terms, *_terms_from_entries([term], first_index=len(self.terms))))

    def without_term(self, term_id: str) -> Lexicon:
        """Return a new lexicon without the term ``term_id``."""
        self.term(term_id)
        return self._with_terms(tuple(term for term in self.terms if term.id != term_id))

    def with_term_disabled(self, term_id: str) -> Lexicon:
        """Return a new lexicon in which ``term_id`` matches nothing."""
        return self.with_term_edited(term_id, enabled=False)

    def with_term_enabled(self, term_id: str) -> Lexicon:
        """Return a new lexicon in which ``term_id`` matches again."""
        return self.with_term_edited(term_id, enabled=True)

    def with_term_edited(self, term_id: str, **changes: Any) -> Lexicon:
        """Return a new lexicon with fields of ``term_id`` replaced (validated like a new entry).

        ``patterns`` may be any list of strings; ``context`` a mapping or :class:`ContextRules`.
        """
        index = self.terms.index(self.term(term_id))
        current = self.terms[index]
        merged = {**current.to_dict(), "context": current.context, **changes}
        (edited,) = _terms_from_entries([merged], first_index=index)
        return self._with_terms((*self.terms[:index], edited, *self.terms[index + 1 :]))

    def _with_terms(self, terms: tuple[LexiconTerm, ...]) -> Lexicon:
        return replace(self, terms=terms)


def _terms_from_entries(entries: list[Any], first_index: int = 0) -> tuple[LexiconTerm, ...]:
    terms = []
    for index, entry in enumerate(entries, start=first_index):
        if isinstance(entry, LexiconTerm):
            entry = {**entry.to_dict(), "context": entry.context}
        if not isinstance(entry, Mapping):
            raise LexiconError(f"lexicon entry {index}: must be an object, not {type(entry).__name__}")
        try:
            terms.append(_term_from_mapping(entry))
        except LexiconError as error:
            raise _entry_error(index, entry, str(error)) from None
    return tuple(terms)


@functools.cache
def default_lexicon() -> Lexicon:
    """Return the shipped lexicon, read once per process (it is immutable, so sharing is safe)."""
    return Lexicon.load()
