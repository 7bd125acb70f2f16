"""Check the themes of an analysed demo database the way a BRM reads them.

Run: ``python -m eval.demo_themes [--db PATH] [--survey ID]`` (default ``instance/demo.db``, the
first survey) after ``rapport demo --reset`` and ``rapport analyze``. Per theme (seeded themes and
emerging proposals, largest first) it prints the name, size, key phrases and the three quotes with
"and N like it", then every pair of quotes' shared content words (share of the shorter quote's,
as :func:`nlp.themes.quotes.word_overlap` measures it) and MiniLM cosine. The last lines count
what the issue forbids: one-word or unclean names and key phrases, quotes that are not complete
sentences, and quote pairs over half shared words or over :data:`nlp.themes.quotes.MAX_QUOTE_COSINE`.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
from sklearn.preprocessing import normalize

DEFAULT_DB = Path("instance") / "demo.db"


@dataclass(frozen=True)
class ThemeCheck:
    """One theme as the check prints it."""

    kind: str
    theme_id: str
    name: str
    units: int | None
    responses: int | None
    key_phrases: tuple[str, ...]
    quotes: tuple[str, ...]
    like_it: tuple[int, ...]
    pairs: tuple[tuple[int, int, float, float], ...]  # (first, second, word overlap, cosine)


def theme_checks(db_path: Path, survey_id: int | None = None) -> list[ThemeCheck]:
    """Read every theme's name, size, key phrases and quotes and measure its quote pairs."""
    from nlp.embeddings import default_embedder
    from nlp.themes.quotes import content_words, word_overlap
    from survey.db import open_database
    from survey.store.insights import quotes, stored_themes
    from survey.store.surveys import list_surveys

    db = open_database(str(db_path))
    try:
        surveys = list_surveys(db)
        if not surveys:
            raise SystemExit(f"{db_path} holds no survey: run `rapport demo --reset` first.")
        chosen = survey_id if survey_id is not None else surveys[0].id
        themes = stored_themes(db, chosen, min_group_size=1)
        texts = {theme.id: tuple(q.text for q in quotes(db, theme.quote_unit_ids)) for theme in themes}
    finally:
        db.close()
    if not themes:
        raise SystemExit(f"Survey {chosen} has no analysed themes: run `rapport analyze` first.")
    embedder = default_embedder()
    checks = []
    for theme in themes:
        shown = texts[theme.id]
        vectors = normalize(np.asarray(embedder.embed(list(shown)), dtype=np.float32)) if shown else None
        pairs = tuple(
            (a, b, word_overlap(content_words(shown[a]), content_words(shown[b])),
             float(vectors[a] @ vectors[b]))
            for a, b in combinations(range(len(shown)), 2)) if vectors is not None else ()
        checks.append(ThemeCheck(theme.kind, theme.id, theme.name, theme.units, theme.responses,
                                 theme.key_phrases, shown, theme.quote_like_it, pairs))
    return checks


def print_checks(checks: list[ThemeCheck]) -> dict[str, int]:
    """Print one block per theme and the counts of problems; returns those counts."""
    from nlp.themes.names import is_clean_name, is_clean_phrase, phrase_words
    from nlp.themes.quotes import MAX_QUOTE_COSINE, MAX_SHARED_WORDS, is_complete_sentence

    problems = {"one-word names": 0, "unclean names": 0, "unclean key phrases": 0,
                "incomplete quotes": 0, "quote pairs over half shared words": 0,
                f"quote pairs over cosine {MAX_QUOTE_COSINE}": 0}
    for check in checks:
        print(f"\n[{check.kind}] {check.name!r} ({check.theme_id}): {check.units} units, "
              f"{check.responses} responses")
        print(f"  key phrases: {' · '.join(check.key_phrases) or '(none)'}")
        for n, quote in enumerate(check.quotes):
            count = check.like_it[n] if n < len(check.like_it) else None
            like = f" (and {count} like it)" if count else ""
            print(f"  {n + 1}. {quote!r}{like}")
            problems["incomplete quotes"] += not is_complete_sentence(quote)
        for a, b, overlap, cosine in check.pairs:
            print(f"     quotes {a + 1}-{b + 1}: shared content words {overlap:.2f}, cosine {cosine:.2f}")
            problems["quote pairs over half shared words"] += overlap > MAX_SHARED_WORDS
            problems[f"quote pairs over cosine {MAX_QUOTE_COSINE}"] += cosine > MAX_QUOTE_COSINE
        if check.kind != "seeded":  # seeded names are the taxonomy's, written by people
            problems["one-word names"] += len(phrase_words(check.name)) == 1
            problems["unclean names"] += not is_clean_name(check.name)
        problems["unclean key phrases"] += sum(not is_clean_phrase(p) for p in check.key_phrases)
    kinds = {kind: sum(c.kind == kind for c in checks) for kind in sorted({c.kind for c in checks})}
    print(f"\n{len(checks)} themes ({', '.join(f'{n} {k}' for k, n in kinds.items())}); "
          + "; ".join(f"{name}: {count}" for name, count in problems.items()))
    return problems


def main(argv: list[str] | None = None) -> dict[str, int]:
    """Parse the options, read the database and print the check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("RAPPORT_DATABASE", DEFAULT_DB)))
    parser.add_argument("--survey", type=int, default=None, help="survey id (default: the first)")
    args = parser.parse_args(argv)
    if not args.db.exists():
        raise SystemExit(f"No database at {args.db}: build one with `rapport demo --reset` and "
                         "`rapport analyze`, or pass --db PATH.")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(f"Themes of {args.db} (names, sizes, quotes and their pairwise overlap and cosine, MiniLM)")
    return print_checks(theme_checks(args.db, args.survey))


if __name__ == "__main__":
    main()
