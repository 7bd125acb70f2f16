"""Build ``nlp/data/name_gazetteer.txt``: given names and surnames from many countries, for the name tagger.

Run ``python -m eval.redaction_gazetteer``. Sources (both MIT-licensed PyPI packages, pinned in
``requirements.txt`` as tooling; nothing here runs at serving time):

- ``faker`` 40.54.0: the first-name and last-name tuples of every ``faker.providers.person`` locale
  (about 90 locales: Zulu, Yoruba, Igbo, Hindi, Tamil, Irish, Welsh, Polish, Turkish, Vietnamese...),
  Latin-script entries only;
- ``names`` 0.3.0: the US Census 1990 given-name lists (all) and the most common
  :data:`CENSUS_SURNAMES` surnames (public-domain census data).

Each line of the output is ``name<TAB>kinds`` with ``kinds`` one or both of ``g`` (given) and ``s``
(surname), lower case, sorted. Whether a name is also an ordinary word ("may", "will", "grace") is
not decided here: the tagger has a feature for that and learns how much each kind counts.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "nlp" / "data" / "name_gazetteer.txt"
CENSUS_SURNAMES = 15000
_LATIN = re.compile(r"^(?=[^'’\-])[a-zà-öø-ÿāăąćčďđēėęěğīįıķĺľłńňōőœŕřśşšţťūůűųźżžșț'’\-]{2,}$")
_FAKER_ATTRIBUTES = {"first_names": "g", "first_names_male": "g", "first_names_female": "g",
                     "first_names_nonbinary": "g", "last_names": "s", "last_names_male": "s",
                     "last_names_female": "s"}


def faker_names() -> dict[str, set[str]]:
    """Latin-script given names and surnames of every Faker person locale."""
    import faker.providers.person as person

    kinds: dict[str, set[str]] = {}
    for module_info in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module_info.name}").Provider
        for attribute, kind in _FAKER_ATTRIBUTES.items():
            values = getattr(provider, attribute, ())
            if isinstance(values, (tuple, list, dict)):
                for value in values:
                    _add(kinds, value, kind)
    return kinds


def census_names() -> dict[str, set[str]]:
    """US Census 1990 given names (all) and the commonest surnames, from the ``names`` package."""
    import names

    folder = Path(names.__file__).parent
    kinds: dict[str, set[str]] = {}
    for file_name, kind, limit in (("dist.male.first", "g", None), ("dist.female.first", "g", None),
                                   ("dist.all.last", "s", CENSUS_SURNAMES)):
        lines = (folder / file_name).read_text(encoding="utf-8").splitlines()
        for line in lines[:limit]:
            if line.strip():
                _add(kinds, line.split()[0], kind)
    return kinds


def _add(kinds: dict[str, set[str]], value: str, kind: str) -> None:
    for part in value.lower().split():
        if _LATIN.match(part):
            kinds.setdefault(part, set()).add(kind)


def build(output: Path = OUTPUT) -> dict[str, int]:
    """Write the gazetteer and return how many names of each kind it holds."""
    merged: dict[str, set[str]] = {}
    for source in (faker_names(), census_names()):
        for name, kinds in source.items():
            merged.setdefault(name, set()).update(kinds)
    lines = [f"{name}\t{''.join(sorted(kinds))}" for name, kinds in sorted(merged.items())]
    header = ("# Given names (g) and surnames (s), lower case: Faker 40.54.0 person locales (MIT)\n"
              "# and US Census 1990 lists via names 0.3.0 (MIT).\n"
              "# Built by python -m eval.redaction_gazetteer.\n")
    output.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return {"names": len(lines), "given": sum("g" in k for k in merged.values()),
            "surnames": sum("s" in k for k in merged.values())}


if __name__ == "__main__":
    print(f"{OUTPUT}: {build()}")
