"""Emerging-theme proposals across a 1% growth of the data: do they keep their units, ids and names?

Run: ``.venv/bin/python -m eval.themes --stability [--data-dir DIR]`` (or ``python -m
eval.theme_stability [DIR] [--repeats N]``).

Each set is analysed as the app does (:func:`nlp.summary.assign_and_discover`: seeded assignment,
discovery of the rest, proposals carried over from the previous run), first without a random 1% of
its texts, then with them and with the first run's proposals as the previous ones. Printed per
repeat: the adjusted Rand index of the proposal labels on the shared texts (texts in a proposal in
either run; "no proposal" is a label), the share of first-run proposals whose id and name are still
there, and how many old ids redirect (merged away). Sets:

- **demo**: the demo corpus's hand-written comments (``survey/demo/data/comments.jsonl``), with the
  taxonomy missing ``security`` and ``value`` so their comments are real uncovered concerns (as
  ``tests/analysed_support.py`` does);
- **stackoverflow**: a 2,000-title sample of the StackOverflow set (``DIR/clustering``), shipped
  taxonomy.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from nlp.embeddings import Embedder, default_embedder, text_key
from nlp.results import UnitResult
from nlp.themes import DEFAULT_THEMES, Taxonomy
from nlp.themes.stability import PreviousProposal

#: Share of texts held back and added in the second run.
ADDED_SHARE = 0.01
#: Titles sampled from StackOverflow (a large survey's worth).
STACKOVERFLOW_SAMPLE = 2000
#: Themes left out of the demo taxonomy so the demo has uncovered concerns to propose.
DEMO_UNCOVERED = ("security", "value")


def _units(texts: Sequence[str]) -> list[UnitResult]:
    """Bare units (one per text, its own response) for :func:`assign_and_discover`."""
    return [UnitResult(id=f"u{i}", response_id=f"r{i}", question_id=1, position=0, wave="w", segment=None,
                       text=text, text_key=text_key(text), sentiment=0.0, sentiment_label="neutral",
                       drivers=(), theme_id=None, theme_confidence=0.0, flags=(), partnership_terms=0,
                       words=len(text.split()))
            for i, text in enumerate(texts)]


def one_growth(texts: Sequence[str], vectors: np.ndarray, taxonomy: Taxonomy, embedder: Embedder,
               seed: int, share: float = ADDED_SHARE) -> dict[str, float]:
    """Analyse without a random ``share`` of the texts, then with them; compare the proposals."""
    from nlp.summary import assign_and_discover

    new = np.random.default_rng(seed).random(len(texts)) < share
    base = np.flatnonzero(~new)
    all_units = _units(texts)
    first_units, first, _ = assign_and_discover([all_units[i] for i in base], vectors[base], taxonomy,
                                                embedder)
    first_ids = {p.id for p in first}
    previous = [PreviousProposal(p.id, p.name,
                                 frozenset(u.text_key for u in first_units if u.theme_id == p.id))
                for p in first]
    second_units, second, redirects = assign_and_discover(
        all_units, vectors, taxonomy, embedder, previous_proposals=previous,
        new_unit_keys={all_units[i].text_key for i in np.flatnonzero(new)})
    second_ids = {p.id for p in second}
    before = [u.theme_id if u.theme_id in first_ids else "-" for u in first_units]
    after = [second_units[i].theme_id if second_units[i].theme_id in second_ids else "-" for i in base]
    shared = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != "-" or b != "-"]
    kept = {(p.id, p.name) for p in second}
    return {
        "texts": float(len(texts)), "added": float(new.sum()),
        "proposals_before": float(len(first)), "proposals_after": float(len(second)),
        "ari_shared": float(adjusted_rand_score([before[i] for i in shared], [after[i] for i in shared]))
        if shared else 1.0,
        "kept_id_and_name": sum((p.id, p.name) in kept for p in first) / max(len(first), 1),
        "redirected": float(len(redirects)),
    }


def demo_set() -> tuple[list[str], Taxonomy]:
    """The demo corpus's distinct comments (non-answers included) and a taxonomy missing two themes."""
    from survey.demo.comments import load_comments

    texts = list(dict.fromkeys(comment.text for comment in load_comments()))
    data = DEFAULT_THEMES.to_dict()
    data["themes"] = [theme for theme in data["themes"] if theme["id"] not in DEMO_UNCOVERED]
    return texts, Taxonomy.from_dict(data)


def stackoverflow_set(data_dir: Path, size: int = STACKOVERFLOW_SAMPLE) -> list[str]:
    """A seeded sample of StackOverflow titles."""
    from eval.clustering import load_stackoverflow

    titles, _ = load_stackoverflow(data_dir)
    rows = np.sort(np.random.default_rng(0).choice(len(titles), size=min(size, len(titles)), replace=False))
    return [titles[int(i)] for i in rows]


def stability_figures(data_dir: str | Path | None = None, repeats: int = 3) -> dict[str, dict[str, float]]:
    """Print and return per set and repeat the figures of :func:`one_growth`, and their worst case."""
    from eval.clustering import DEFAULT_DATA_DIR

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    embedder = default_embedder()
    demo_texts, demo_taxonomy = demo_set()
    sets = {"demo": (demo_texts, demo_taxonomy)}
    folder = Path(data_dir or DEFAULT_DATA_DIR)
    if (folder / "clustering" / "stackoverflow").exists():
        sets["stackoverflow"] = (stackoverflow_set(folder), DEFAULT_THEMES)
    results: dict[str, dict[str, float]] = {}
    print(f"Proposal stability after adding {ADDED_SHARE:.0%} new texts (embedder {embedder.name}):")
    for name, (texts, taxonomy) in sets.items():
        vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
        runs = []
        for seed in range(repeats):
            figures = one_growth(texts, vectors, taxonomy, embedder, seed)
            runs.append(figures)
            results[f"{name}/{seed}"] = figures
            print(f"  {name:13s} seed {seed}: {figures['texts']:.0f} texts +{figures['added']:.0f}; "
                  f"proposals {figures['proposals_before']:.0f} -> {figures['proposals_after']:.0f}; "
                  f"ARI on shared texts {figures['ari_shared']:.3f}; "
                  f"same id and name {figures['kept_id_and_name']:.0%}; "
                  f"redirected {figures['redirected']:.0f}")
        worst = {key: min(run[key] for run in runs) for key in ("ari_shared", "kept_id_and_name")}
        results[name] = worst
        print(f"  {name:13s} worst of {repeats}: ARI {worst['ari_shared']:.3f}, same id and name "
              f"{worst['kept_id_and_name']:.0%}")
    return results


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Command line: ``python -m eval.theme_stability [DATA_DIR] [--repeats N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    return stability_figures(args.data_dir, args.repeats)


if __name__ == "__main__":
    main()
