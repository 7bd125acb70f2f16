"""Immutable concern-theme taxonomy and the BRM curation operations on it.

A :class:`Taxonomy` is plain data: themes (id, name, description, seed phrasings), per-unit
overrides, aliases left behind by merges, and dismissed proposals. Every curation operation
returns a new taxonomy with ``version`` incremented, so the app can persist each step as JSON
and re-running an analysis with the curated taxonomy keeps theme ids stable: ids are slugs
chosen when a theme is created and never derived from list positions.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from nlp.errors import TaxonomyError

FORMAT = 1
ThemeStatus = Literal["active", "dismissed"]
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class Theme:
    """One concern theme.

    Parameters
    ----------
    id
        Stable slug (``[a-z0-9-]``), the key stored with every assigned unit.
    name, description
        Shown to BRMs; the description is also embedded as a seed.
    examples
        Seed phrasings embedded to recognise the theme.
    status
        ``"active"``, or ``"dismissed"`` for a proposal a BRM rejected: its examples still
        attract matching units so the same cluster is not proposed again.
    """

    id: str
    name: str
    description: str = ""
    examples: tuple[str, ...] = ()
    status: ThemeStatus = "active"

    def seed_texts(self) -> tuple[str, ...]:
        """The texts embedded to represent the theme: its examples and ``name: description``."""
        return (*self.examples, f"{self.name}: {self.description}".rstrip(": "))


@dataclass(frozen=True)
class Taxonomy:
    """An ordered, validated set of themes plus the curation state around them.

    ``overrides`` maps a unit key (:func:`nlp.embeddings.text_key` of the unit text) to the theme id
    a BRM moved it to; ``aliases`` maps ids retired by a merge to the surviving id.
    """

    themes: tuple[Theme, ...]
    threshold: float = 0.4
    name: str = "Concern taxonomy"
    version: int = 1
    overrides: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for theme in self.themes:
            if not _ID_PATTERN.match(theme.id):
                raise TaxonomyError(f"Theme id {theme.id!r} must be a lowercase slug ([a-z0-9-]).")
            if theme.id in seen:
                raise TaxonomyError(f"Duplicate theme id {theme.id!r}.")
            if not theme.name.strip():
                raise TaxonomyError(f"Theme {theme.id!r} has no name.")
            if theme.status not in ("active", "dismissed"):
                raise TaxonomyError(f"Theme {theme.id!r} has unknown status {theme.status!r}.")
            seen.add(theme.id)
        if not 0.0 < self.threshold < 1.0:
            raise TaxonomyError(f"Threshold {self.threshold} must lie strictly between 0 and 1.")
        for target in (*self.overrides.values(), *self.aliases.values()):
            if target not in seen:
                raise TaxonomyError(f"Override or alias points to unknown theme {target!r}.")
        # Freeze the mappings so a shared taxonomy cannot be changed behind its users' backs.
        object.__setattr__(self, "overrides", _frozen_mapping(self.overrides))
        object.__setattr__(self, "aliases", _frozen_mapping(self.aliases))

    # -- lookups -------------------------------------------------------------------------------
    @property
    def ids(self) -> tuple[str, ...]:
        """Ids of all themes, active and dismissed, in display order."""
        return tuple(theme.id for theme in self.themes)

    @property
    def active(self) -> tuple[Theme, ...]:
        """The themes units are assigned to (dismissed proposals excluded)."""
        return tuple(theme for theme in self.themes if theme.status == "active")

    def get(self, theme_id: str) -> Theme:
        """Return the theme with ``theme_id`` (following merge aliases).

        Raises
        ------
        TaxonomyError
            If no such theme exists.
        """
        resolved = self.resolve(theme_id)
        for theme in self.themes:
            if theme.id == resolved:
                return theme
        raise TaxonomyError(f"No theme with id {theme_id!r}.")

    def resolve(self, theme_id: str) -> str:
        """Map an id retired by a merge to the theme that absorbed it."""
        return self.aliases.get(theme_id, theme_id)

    def new_id(self, name: str, prefix: str = "") -> str:
        """A fresh slug for ``name`` that collides with no current or retired id."""
        base = (prefix + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))[:56].strip("-") or "theme"
        taken = set(self.ids) | set(self.aliases)
        candidate, suffix = base, 2
        while candidate in taken:
            candidate, suffix = f"{base}-{suffix}", suffix + 1
        return candidate

    # -- curation --------------------------------------------------------------------------------
    def _evolve(self, **changes: Any) -> Taxonomy:
        return dataclasses.replace(self, version=self.version + 1, **changes)

    def _replace_theme(self, theme: Theme) -> tuple[Theme, ...]:
        return tuple(theme if t.id == theme.id else t for t in self.themes)

    def rename(self, theme_id: str, name: str, description: str | None = None) -> Taxonomy:
        """Give a theme a new name (and optionally description); its id does not change."""
        theme = self.get(theme_id)
        changed = dataclasses.replace(
            theme, name=name, description=theme.description if description is None else description
        )
        return self._evolve(themes=self._replace_theme(changed))

    def add_theme(
        self, name: str, examples: Sequence[str], description: str = "", theme_id: str | None = None
    ) -> Taxonomy:
        """Add an active theme seeded by ``examples``; returns the new taxonomy.

        The id is ``theme_id`` if given (e.g. an accepted proposal's content-derived id) or a
        slug of ``name``.
        """
        if not examples:
            raise TaxonomyError("A new theme needs at least one example phrasing.")
        new_id = theme_id or self.new_id(name)
        if new_id in self.ids or new_id in self.aliases:
            raise TaxonomyError(f"Theme id {new_id!r} is already taken.")
        theme = Theme(new_id, name, description, tuple(examples))
        return self._evolve(themes=(*self.themes, theme))

    def merge(self, source_ids: Iterable[str], into_id: str) -> Taxonomy:
        """Fold the ``source_ids`` themes into ``into_id``.

        The target keeps its id and name and gains the sources' examples; the retired ids
        become aliases, so stored assignments and overrides that name them still resolve.
        """
        target = self.get(into_id)
        sources = [self.get(source) for source in source_ids if self.resolve(source) != target.id]
        if not sources:
            raise TaxonomyError("Merge needs at least one theme other than the target.")
        retired = {source.id for source in sources}
        examples = tuple(dict.fromkeys((*target.examples, *(e for s in sources for e in s.examples))))
        merged = dataclasses.replace(target, examples=examples)
        themes = tuple(merged if t.id == target.id else t for t in self.themes if t.id not in retired)
        aliases = {old: (target.id if new in retired else new) for old, new in self.aliases.items()}
        aliases.update(dict.fromkeys(retired, target.id))
        overrides = {key: (target.id if value in retired else value) for key, value in self.overrides.items()}
        return self._evolve(themes=themes, aliases=aliases, overrides=overrides)

    def split(
        self, theme_id: str, name: str, examples: Sequence[str], unit_keys: Iterable[str] = ()
    ) -> Taxonomy:
        """Carve a new theme called ``name`` out of ``theme_id``.

        ``examples`` seed the new theme (they are removed from the original's seeds if present)
        and the units in ``unit_keys`` are moved to it explicitly. The original keeps its id.
        """
        original = self.get(theme_id)
        carved = set(examples)
        kept = tuple(e for e in original.examples if e not in carved) or original.examples
        curated = self._evolve(themes=self._replace_theme(dataclasses.replace(original, examples=kept)))
        new_taxonomy = curated.add_theme(name, examples, description=f"Split from {original.name}.")
        new_id = new_taxonomy.themes[-1].id
        overrides = dict(new_taxonomy.overrides) | dict.fromkeys(unit_keys, new_id)
        return dataclasses.replace(new_taxonomy, overrides=overrides, version=self.version + 1)

    def move_unit(self, unit_key: str, theme_id: str | None) -> Taxonomy:
        """Pin one unit (by :func:`nlp.embeddings.text_key`) to ``theme_id``; ``None`` removes the pin."""
        overrides = dict(self.overrides)
        if theme_id is None:
            overrides.pop(unit_key, None)
        else:
            overrides[unit_key] = self.get(theme_id).id
        return self._evolve(overrides=overrides)

    def dismiss(self, theme_id: str, name: str = "", examples: Sequence[str] = ()) -> Taxonomy:
        """Dismiss a theme or a proposed cluster so it is neither assigned nor proposed again.

        For a proposal that is not yet in the taxonomy pass its representative ``examples``:
        it is kept as a dismissed theme whose seeds absorb similar units in later runs.
        """
        if theme_id in self.ids:
            dismissed = dataclasses.replace(self.get(theme_id), status="dismissed")
            return self._evolve(themes=self._replace_theme(dismissed))
        if not examples:
            raise TaxonomyError(f"Dismissing unknown proposal {theme_id!r} needs its example quotes.")
        theme = Theme(theme_id, name or theme_id, "Dismissed proposal.", tuple(examples), "dismissed")
        return self._evolve(themes=(*self.themes, theme))

    # -- serialisation -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` reads it back unchanged."""
        return {
            "format": FORMAT, "name": self.name, "version": self.version, "threshold": self.threshold,
            "themes": [
                {"id": t.id, "name": t.name, "description": t.description,
                 "examples": list(t.examples), **({"status": t.status} if t.status != "active" else {})}
                for t in self.themes
            ],
            "overrides": dict(sorted(self.overrides.items())),
            "aliases": dict(sorted(self.aliases.items())),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        """Build a taxonomy from :meth:`to_dict` output or a ``themes.json`` file's content."""
        if data.get("format", FORMAT) != FORMAT:
            raise TaxonomyError(f"Unsupported taxonomy format {data.get('format')!r}.")
        try:
            themes = tuple(
                Theme(str(t["id"]), str(t["name"]), str(t.get("description", "")),
                      tuple(str(e) for e in t.get("examples", ())), t.get("status", "active"))
                for t in data["themes"]
            )
        except (KeyError, TypeError) as error:
            raise TaxonomyError(f"Malformed taxonomy: {error!r}") from error
        return cls(
            themes=themes, threshold=float(data.get("threshold", 0.4)),
            name=str(data.get("name", "Concern taxonomy")), version=int(data.get("version", 1)),
            overrides=dict(data.get("overrides", {})), aliases=dict(data.get("aliases", {})),
        )

    def to_json(self) -> str:
        """Serialise to a JSON string (stable key order)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Taxonomy:
        """Parse :meth:`to_json` output."""
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as error:
            raise TaxonomyError(f"Taxonomy JSON is invalid: {error}") from error


class _FrozenDict(dict):
    """A dict that refuses mutation, so frozen taxonomies stay frozen."""

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("Taxonomy mappings are read-only; use the curation methods.")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))

    def __reduce__(self) -> tuple[type, tuple[dict[str, str]]]:
        return (_FrozenDict, (dict(self),))


def _frozen_mapping(mapping: Mapping[str, str]) -> _FrozenDict:
    return mapping if isinstance(mapping, _FrozenDict) else _FrozenDict(mapping)


def load_taxonomy(path: str | None = None) -> Taxonomy:
    """Read a taxonomy JSON file; without ``path`` the shipped ``nlp/data/themes.json``."""
    if path is None:
        text = resources.files("nlp").joinpath("data/themes.json").read_text(encoding="utf-8")
    else:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    return Taxonomy.from_json(text)
