"""Sentiment evaluation: ``python -m eval.sentiment [DATA_DIR]`` (default ``../shared/data``).

Prints, next to plain VADER on the same rows:
- 3-class accuracy and macro-F1 on the held-out ``test`` split of the labelled domain set
  (``nlp/data/sentiment/domain_labelled.csv``), for the shipped semantic and lexical models;
- Pearson r with the mean human rating on the public files' held-out halves (never trained on;
  capped at ``--max-rows`` seeded rows per file to bound embedding time), with a paired-bootstrap
  95% interval of the semantic model's r minus VADER's;
- the scoring time for 10,000 units when their general embeddings are given (it includes the
  fine-tuned sentiment encoder's pass).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import pearsonr
from sklearn.metrics import accuracy_score, f1_score

from eval.sentiment_real import evaluate_invariance, evaluate_real_sets, print_real_sets, semantic_inputs
from nlp.sentiment import load_shipped_model, score_sentiment, sentiment_label
from nlp.sentiment.encoder import SentimentLogits
from nlp.sentiment.features import vader_analyzer
from nlp.sentiment.training.corpus import (
    DOMAIN_SET,
    PUBLIC_FILES,
    cached_embeddings,
    read_domain_set,
    read_public_file,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
CACHE_DIR = REPO_ROOT / "eval" / "out" / "sentiment"
SAMPLE_SEED = 7
DOMAIN_FILE = "nlp/data/sentiment/domain_labelled.csv"
#: The hard shapes of issue 12 (wishes that imply complaints, sarcasm, facts that are complaints,
#: hedged praise, contrast, non-answers, many voices), with their own train/dev/test splits.
HARD_FILE = REPO_ROOT / "nlp" / "data" / "sentiment" / "domain_hard.csv"
#: Row ranges (0-based, data rows in file order) of the domain set's writing batches.
DOMAIN_BATCHES = {"batches 1-2": (0, 1166), "batch 3": (1166, None)}
SCORERS = {
    "vader": "VADER (compound, +-0.05)",
    "semantic": "Rapport semantic model",
    "lexical": "Rapport lexical fallback model",
}
HARD_EXAMPLES = (
    "The data migration took seven months.",
    "We were treated like an internal supplier, not a partner.",
    "No complaints this quarter.",
    "Helpful but understaffed.",
    "Great, another outage.",
    "The project landed months late.",
)


def three_class(label: str) -> str:
    """Collapse a five-level label to negative, neutral or positive."""
    return label.split()[-1]


def vader_labels(texts: list[str]) -> list[str]:
    """VADER's usual three-class reading: compound <= -0.05 negative, >= 0.05 positive."""
    compounds = [vader_analyzer().polarity_scores(text)["compound"] for text in texts]
    return ["negative" if c <= -0.05 else "positive" if c >= 0.05 else "neutral" for c in compounds]


def model_scores(kind: str, texts: list[str], features: np.ndarray) -> np.ndarray:
    """Scores of one shipped model (``semantic`` reads ``features``: see :func:`semantic_inputs`;
    ``lexical`` ignores them)."""
    model = load_shipped_model(kind)
    X = model.features(texts, features if kind == "semantic" else None)
    return np.clip(model.sentiment_scores(X), -1, 1)


def evaluate_domain(cache_dir: Path, path: Path = DOMAIN_SET) -> dict:
    """Accuracy and macro-F1 on the test split of a labelled domain file, per scorer."""
    everything = read_domain_set(path=path)
    test = read_domain_set("test", path)
    vectors = semantic_inputs(list(test.texts), f"{path.stem}-test", cache_dir)
    keep = np.isin(np.array(everything.texts), np.array(test.texts))
    texts, gold = list(test.texts), list(test.labels)
    predictions = {"vader": vader_labels(texts)}
    for kind in ("semantic", "lexical"):
        scores = model_scores(kind, texts, vectors)
        predictions[kind] = [three_class(sentiment_label(s)) for s in scores]
    positions = np.flatnonzero(keep)
    batches = {batch: (positions >= start) & (positions < (end or len(keep)))
               for batch, (start, end) in DOMAIN_BATCHES.items()} if path == DOMAIN_SET else {}
    return {"n": len(texts), **{
        name: {"accuracy": accuracy_score(gold, predicted),
               "macro_f1": f1_score(gold, predicted, average="macro"),
               "batches": {batch: (int(rows.sum()), accuracy_score(np.array(gold)[rows],
                                                                   np.array(predicted)[rows]))
                           for batch, rows in batches.items()}}
        for name, predicted in predictions.items()
    }}


def heldout_rows(data_dir: Path, name: str, max_rows: int) -> tuple[list[str], np.ndarray]:
    """Texts and ratings of a public file's held-out half, a seeded sample if longer than ``max_rows``."""
    public = read_public_file(data_dir, name, part="heldout")
    index = np.arange(len(public.texts))
    if len(index) > max_rows:
        index = np.sort(np.random.default_rng(SAMPLE_SEED).choice(index, max_rows, replace=False))
    return [public.texts[i] for i in index], np.array(public.ratings)[index]


def heldout_vectors(data_dir: Path, name: str, texts: list[str], cache_dir: Path,
                    embedder=None) -> np.ndarray:
    """Embeddings (or with ``embedder=SentimentLogits()``, head logits) of the held-out rows: from the
    whole-file cache if present, else computed now."""
    whole = read_public_file(data_dir, name)
    cached = cached_embeddings(whole.texts, f"public-{name}", cache_dir, compute=False, embedder=embedder)
    if cached is not None:
        position = {text: i for i, text in enumerate(whole.texts)}
        return cached[[position[text] for text in texts]]
    return cached_embeddings(texts, f"public-{name}-heldout", cache_dir, embedder=embedder)


def evaluate_public(data_dir: Path, cache_dir: Path, max_rows: int, names=tuple(PUBLIC_FILES)) -> dict:
    """Pearson r with the human ratings on each public file's held-out half (``names``), per scorer."""
    results = {}
    for name in names:
        texts, ratings = heldout_rows(data_dir, name, max_rows)
        logits = heldout_vectors(data_dir, name, texts, cache_dir, SentimentLogits())
        vectors = logits if load_shipped_model("semantic").text_features == "head_logits" else np.hstack(
            [heldout_vectors(data_dir, name, texts, cache_dir), logits])
        scores = {"vader": [vader_analyzer().polarity_scores(text)["compound"] for text in texts]}
        scores.update({kind: model_scores(kind, texts, vectors) for kind in ("semantic", "lexical")})
        results[name] = {"n": len(texts), **{
            scorer: float(pearsonr(values, ratings)[0]) for scorer, values in scores.items()},
            "semantic_minus_vader_ci": difference_interval(scores["semantic"], scores["vader"], ratings)}
    return results


def difference_interval(scores: np.ndarray, baseline: list[float],
                        ratings: np.ndarray) -> tuple[float, float]:
    """95% paired-bootstrap interval of Pearson r(scores) minus r(baseline), rows resampled 1,000 times."""
    from scipy.stats import bootstrap

    def difference(first, second, truth):
        return pearsonr(first, truth)[0] - pearsonr(second, truth)[0]

    result = bootstrap((np.asarray(scores), np.asarray(baseline), np.asarray(ratings)), difference,
                       paired=True, vectorized=False, n_resamples=1000, method="percentile",
                       rng=np.random.default_rng(SAMPLE_SEED))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def evaluate_speed(cache_dir: Path) -> float:
    """Seconds to score 10,000 units whose general embeddings are given (the sentiment encoder runs)."""
    everything = read_domain_set()
    vectors = cached_embeddings(everything.texts, "domain", cache_dir)
    repeats = -(-10_000 // len(everything.texts))
    texts = (list(everything.texts) * repeats)[:10_000]
    stacked = np.tile(vectors, (repeats, 1))[:10_000]
    started = time.perf_counter()
    score_sentiment(texts, stacked)
    return time.perf_counter() - started


def evaluate_sentiment(data_dir: Path = DEFAULT_DATA_DIR, cache_dir: Path = CACHE_DIR,
                       max_rows: int = 2100, hard_file: Path = HARD_FILE, invariance_sample: int = 0,
                       public_files=tuple(PUBLIC_FILES), real_sample: int = 0, speed: bool = True) -> dict:
    """Every sentiment figure as a dict: ``domain``, ``hard_shapes`` (if the file exists),
    ``hard_examples``, ``public``, ``real``, ``invariance``, ``seconds_per_10k``."""
    load_shipped_model.cache_clear()
    results = {"domain": evaluate_domain(cache_dir), "data": str(data_dir)}
    if Path(hard_file).exists():
        results["hard_shapes"] = evaluate_domain(cache_dir, Path(hard_file))
        results["hard_file"] = str(hard_file)
    results["hard_examples"] = dict(zip(HARD_EXAMPLES, score_sentiment(list(HARD_EXAMPLES)), strict=True))
    if (Path(data_dir) / "sentiment").is_dir():
        results["public"] = evaluate_public(Path(data_dir), cache_dir, max_rows, public_files)
        results["real"] = evaluate_real_sets(Path(data_dir), cache_dir, sample=real_sample)
        results["invariance"] = evaluate_invariance(Path(data_dir), cache_dir, invariance_sample, real_sample)
    if speed:
        results["seconds_per_10k"] = evaluate_speed(cache_dir)
    return results


def print_results(results: dict) -> None:
    """Print the figures of :func:`evaluate_sentiment` with the data they come from."""
    domain = results["domain"]
    print(f"Domain held-out split: {domain['n']} sentences ({DOMAIN_FILE}, split=test)")
    for scorer, title in SCORERS.items():
        figures = domain[scorer]
        by_batch = "  ".join(f"{batch} (n={n}) {accuracy:.3f}"
                             for batch, (n, accuracy) in figures["batches"].items())
        print(f"  {title:34s} accuracy {figures['accuracy']:.3f}  macro-F1 {figures['macro_f1']:.3f}"
              f"  | {by_batch}")
    if "hard_shapes" in results:
        hard = results["hard_shapes"]
        print(f"Hard shapes held-out split: {hard['n']} sentences ({results['hard_file']}, split=test)")
        for scorer, title in SCORERS.items():
            figures = hard[scorer]
            print(f"  {title:34s} accuracy {figures['accuracy']:.3f}  macro-F1 {figures['macro_f1']:.3f}")
    print("Hard examples (score, label):")
    for text, score in results["hard_examples"].items():
        print(f"  {score:+.2f} {sentiment_label(score):13s} {text}")
    if "public" not in results:
        print(f"No public data under {results['data']}/sentiment; see eval/README.md", file=sys.stderr)
    else:
        print(f"Public human-rated sets ({results['data']}/sentiment), held-out halves,"
              " Pearson r with the mean rating:")
        for name, figures in results["public"].items():
            line = "  ".join(f"{SCORERS[scorer].split(' (')[0]} {figures[scorer]:.3f}" for scorer in SCORERS)
            low, high = figures["semantic_minus_vader_ci"]
            print(f"  {name:7s} n={figures['n']:5d}  {line}  | semantic - VADER "
                  f"{figures['semantic'] - figures['vader']:+.3f} (95% CI {low:+.3f} to {high:+.3f})")
    if "real" in results:
        print_real_sets(results["real"], Path(results["data"]))
        inv = results["invariance"]
        scope = f"a seeded sample of {inv['texts']}" if inv["sample"] else f"all {inv['texts']}"
        print(f"Label invariance: {inv['changed']} of {inv['pairs']} (text, variant) pairs change label "
              f"({inv['share'] * 100:.2f}%) over {scope} evaluation texts (domain test + the real test rows"
              " read above; variants: final stop removed/added, lower case, first letter's case, doubled"
              f" spaces, surrounding whitespace; {inv['same_tokens']} variants reach the encoder as the"
              " same tokens as their text (canonical text, uncased tokenizer) and keep its label by"
              " construction, the rest were run through the model)")
        for text, variant in inv["examples"]:
            print(f"    {text!r} -> {variant!r}")
    if "seconds_per_10k" in results:
        print("Scoring 10,000 units with precomputed general embeddings (sentiment encoder included): "
              f"{results['seconds_per_10k']:.1f} s")


def main(argv: list[str] | None = None) -> None:
    """Run every sentiment evaluation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--max-rows", type=int, default=2100, help="held-out rows per public file")
    parser.add_argument("--hard-file", type=Path, default=HARD_FILE, help="labelled hard shapes (test split)")
    parser.add_argument("--invariance-sample", type=int, default=0,
                        help="run the invariance suite on a seeded sample of this many texts (0: all)")
    parser.add_argument("--public-files", nargs="+", default=list(PUBLIC_FILES), choices=list(PUBLIC_FILES),
                        help="VADER sets to report Pearson r on (default: all four)")
    parser.add_argument("--real-sample", type=int, default=0,
                        help="score a seeded sample of this many rows of each real test set (0: all)")
    parser.add_argument("--no-speed", action="store_true", help="skip the 10,000-unit timing")
    args = parser.parse_args(argv)
    print_results(evaluate_sentiment(args.data_dir, args.cache_dir, args.max_rows, args.hard_file,
                                     args.invariance_sample, tuple(args.public_files), args.real_sample,
                                     not args.no_speed))


if __name__ == "__main__":
    main()
