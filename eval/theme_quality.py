"""Theme names, quotes and stability on public data with gold class names.

Run through ``python -m eval.themes --quality`` (held-out parts) or ``--quality --parts dev``.

- **Label quality**: each discovered cluster's name (``nlp.themes.labels.describe_clusters``)
  against the plain c-TF-IDF top-3 words (BERTopic's default representation) as baseline; score
  is the MiniLM cosine between the label and the name of the cluster's majority gold class
  (Banking77 intent, StackOverflow tag, CFPB issue).
- **Quote diversity**: per cluster, the largest content-word overlap and cosine between two of
  its quotes, the share of quotes that are complete sentences, and the same for the old choice
  (the three texts nearest the centroid).
- **Stability**: discovery on a sample, then on the sample plus 1% new texts; ARI on the shared
  texts, and how many proposals keep their id and name (with and without carrying ids over).
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import normalize

from eval.clustering import (
    DEFAULT_DATA_DIR,
    cached_embeddings,
    load_banking77,
    load_complaints,
    load_stackoverflow,
)

#: Survey-sized samples of each held-out part used for labels, quotes and stability.
SAMPLE_SIZE = 1000


def labelled_parts(data_dir: Path, embedder, part: str = "heldout",
                   ) -> dict[str, tuple[list[str], list[str], np.ndarray]]:
    """Per data set, the texts, gold class names and embeddings of one part (dev or heldout)."""
    so_texts, so_gold = load_stackoverflow(data_dir)
    b_texts, b_gold = load_banking77(data_dir)
    n_train = len(load_banking77(data_dir, ("train",))[0])
    c_texts, c_gold = load_complaints(data_dir, label="issue")
    sets = {
        "stackoverflow": (so_texts, so_gold, slice(1, None, 2) if part == "heldout" else slice(0, None, 2)),
        "banking77": (b_texts, [g.replace("_", " ") for g in b_gold],
                      slice(n_train, None) if part == "heldout" else slice(0, n_train)),
        "complaints": (c_texts, c_gold, slice(1, None, 2) if part == "heldout" else slice(0, None, 2)),
    }
    result = {}
    for name, (texts, gold, rows) in sets.items():
        vectors = cached_embeddings(texts, embedder)
        result[name] = (texts[rows], gold[rows], vectors[rows])
    return result


def _sample(texts, gold, vectors, size: int, seed: int = 0):
    if len(texts) <= size:
        return list(texts), list(gold), vectors
    rows = np.sort(np.random.default_rng(seed).choice(len(texts), size, replace=False))
    return [texts[i] for i in rows], [gold[i] for i in rows], vectors[rows]


def label_quality(texts, gold, vectors, embedder, random_state: int = 0) -> dict:
    """Mean cosine between cluster labels and their majority gold class name, ours vs c-TF-IDF."""
    from nlp.themes.concerns import discover_clusters
    from nlp.themes.labels import class_tfidf_phrases

    labels, summaries = discover_clusters(texts, vectors, random_state, "cluster-", embed=embedder.embed)
    baseline = class_tfidf_phrases(texts, labels, top=3)
    gold_array = np.asarray(gold)
    ours, base, names, examples = [], [], [], []
    for summary in summaries:
        majority = Counter(gold_array[labels == summary.label].tolist()).most_common(1)[0][0]
        names.append((summary.name or "", " ".join(baseline.get(summary.label, ())), majority))
    vectors_of = embedder.embed([text for triple in names for text in triple])
    vectors_of = normalize(np.asarray(vectors_of, dtype=np.float32)).reshape(len(names), 3, -1)
    for (name, words, majority), triple in zip(names, vectors_of, strict=True):
        ours.append(float(triple[0] @ triple[2]) if name else 0.0)
        base.append(float(triple[1] @ triple[2]) if words else 0.0)
        if len(examples) < 6:
            examples.append(f"{name!r} / c-TF-IDF {words!r} / gold {majority!r}")
    return {"clusters": len(summaries), "name_similarity": float(np.mean(ours)) if ours else 0.0,
            "baseline_similarity": float(np.mean(base)) if base else 0.0, "examples": examples,
            "summaries": summaries, "labels": labels}


def quote_diversity(texts, vectors, summaries, labels) -> dict:
    """Largest pairwise word overlap and cosine among each cluster's quotes, ours vs nearest-3."""
    from nlp.themes.quotes import content_words, is_complete_sentence, word_overlap

    unit = normalize(np.asarray(vectors, dtype=np.float32))
    index = {}
    for i, text in enumerate(texts):
        index.setdefault(text, i)

    def pair_figures(quotes: list[str]) -> tuple[float, float]:
        pairs = list(combinations(quotes, 2))
        if not pairs:
            return 0.0, 0.0
        overlap = max(word_overlap(content_words(a), content_words(b)) for a, b in pairs)
        cosine = max(float(unit[index[a]] @ unit[index[b]]) for a, b in pairs)
        return overlap, cosine

    ours, old, complete, old_complete, counts = [], [], [], [], []
    for summary in summaries:
        members = np.flatnonzero(labels == summary.label)
        centroid = unit[members].mean(axis=0)
        nearest: list[str] = []
        for i in members[np.argsort(-(unit[members] @ centroid), kind="stable")]:
            if texts[i] not in nearest:
                nearest.append(texts[i])
            if len(nearest) == 3:
                break
        ours.append(pair_figures(list(summary.quotes)))
        old.append(pair_figures(nearest))
        complete += [is_complete_sentence(q) for q in summary.quotes]
        old_complete += [is_complete_sentence(q) for q in nearest]
        counts.append(len(summary.quotes))
    ours_array, old_array = np.array(ours or [(0, 0)]), np.array(old or [(0, 0)])
    return {
        "max_overlap": float(ours_array[:, 0].max()), "mean_max_overlap": float(ours_array[:, 0].mean()),
        "max_cosine": float(ours_array[:, 1].max()), "mean_max_cosine": float(ours_array[:, 1].mean()),
        "complete_share": float(np.mean(complete)) if complete else 0.0,
        "mean_quotes": float(np.mean(counts)) if counts else 0.0,
        "old_mean_max_overlap": float(old_array[:, 0].mean()),
        "old_mean_max_cosine": float(old_array[:, 1].mean()),
        "old_over_half_overlap": float((old_array[:, 0] > 0.5).mean()),
        "old_complete_share": float(np.mean(old_complete)) if old_complete else 0.0,
    }


def stability(texts, vectors, embedder, share: float = 0.01, random_state: int = 0) -> dict:
    """Discovery on all but ``share`` of the texts, then on all: ARI on the shared texts and the
    proposals that keep id and name, without and with :func:`nlp.themes.stability.carry_over`."""
    from nlp.embeddings import text_key
    from nlp.themes.concerns import discover_clusters
    from nlp.themes.stability import PreviousProposal, carry_over

    rng = np.random.default_rng(random_state)
    new = rng.random(len(texts)) < share
    base_rows = np.flatnonzero(~new)
    base_texts = [texts[i] for i in base_rows]
    labels_a, first = discover_clusters(base_texts, vectors[base_rows], random_state, embed=embedder.embed)
    labels_b, second = discover_clusters(texts, vectors, random_state, embed=embedder.embed)
    shared_ari = float(adjusted_rand_score(labels_a, labels_b[base_rows]))
    keys = [text_key(t) for t in texts]
    previous = [PreviousProposal(s.id, s.name,
                                 frozenset(keys[base_rows[i]] for i in np.flatnonzero(labels_a == s.label)))
                for s in first]
    members = {s.label: {keys[i] for i in np.flatnonzero(labels_b == s.label)} for s in second}
    carried = carry_over(second, members, previous).summaries
    before = {(s.id, s.name) for s in first}
    return {
        "n": len(texts), "added": int(new.sum()), "ari_shared": shared_ari,
        "proposals_before": len(first), "proposals_after": len(second),
        "kept_plain": sum((s.id, s.name) in before for s in second) / max(len(first), 1),
        "kept_carried": sum((s.id, s.name) in before for s in carried) / max(len(first), 1),
    }


def quality_figures(data_dir: Path = DEFAULT_DATA_DIR, part: str = "heldout",
                    size: int = SAMPLE_SIZE, verbose: bool = False) -> dict:
    """Label quality, quote diversity and stability per data set (survey-sized samples)."""
    from nlp.embeddings import SemanticEmbedder

    embedder = SemanticEmbedder()
    figures = {}
    for name, (texts, gold, vectors) in labelled_parts(Path(data_dir), embedder, part).items():
        texts, gold, vectors = _sample(texts, gold, vectors, size)
        labels = label_quality(texts, gold, vectors, embedder)
        quotes = quote_diversity(texts, vectors, labels.pop("summaries"), labels.pop("labels"))
        figures[f"{name}/{part}"] = {"n": len(texts), **labels, "quotes": quotes,
                                     "stability": stability(texts, vectors, embedder)}
        if verbose:
            print_quality({f"{name}/{part}": figures[f"{name}/{part}"]}, flush=True)
    return figures


def print_quality(figures: dict, flush: bool = False) -> None:
    """Print :func:`quality_figures` one block per data set."""
    for name, f in figures.items():
        _print_block(name, f)
    if flush:
        import sys

        sys.stdout.flush()


def _print_block(name: str, f: dict) -> None:
    """Print one data set's block of :func:`quality_figures`."""
    q, s = f["quotes"], f["stability"]
    print(f"{name} (n {f['n']}, {f['clusters']} clusters)")
    print(f"  label quality (cosine to majority gold name): names {f['name_similarity']:.3f}, "
          f"c-TF-IDF top-3 baseline {f['baseline_similarity']:.3f}")
    for example in f["examples"]:
        print(f"    {example}")
    print(f"  quotes: {q['mean_quotes']:.2f} per cluster, complete sentences {q['complete_share']:.0%}; "
          f"largest pairwise content-word overlap {q['max_overlap']:.2f} (mean per cluster "
          f"{q['mean_max_overlap']:.2f}), largest cosine {q['max_cosine']:.2f} "
          f"(mean {q['mean_max_cosine']:.2f})")
    print(f"    old (3 nearest the centroid): mean largest overlap {q['old_mean_max_overlap']:.2f}, "
          f"clusters over half {q['old_over_half_overlap']:.0%}, mean largest cosine "
          f"{q['old_mean_max_cosine']:.2f}, complete {q['old_complete_share']:.0%}")
    print(f"  stability (+{s['added']} texts, 1%): ARI on shared texts {s['ari_shared']:.3f}; proposals "
          f"{s['proposals_before']} -> {s['proposals_after']}; same id and name: {s['kept_plain']:.0%} "
          f"plain, {s['kept_carried']:.0%} with carry-over")
