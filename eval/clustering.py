"""Concern-clustering quality on public short-text data (StackOverflow titles, Banking77).

Run: ``.venv/bin/python -m eval.clustering [DATA_DIR] [--parts full,heldout,dev]``
(DATA_DIR defaults to ``/work/shared/data``; see ``eval/README.md`` for where to get it).
Rapport discovers clusters with k NOT given (``cluster_concerns(texts, themes=None)``'s path);
KMeans with the gold k on the same features is printed beside it. Parameters were tuned on the
dev parts only (Banking77 ``train.csv``, the even-numbered StackOverflow titles); the held-out
parts are Banking77 ``test.csv`` and the odd-numbered titles (the file is sorted in runs of
classes, so a first/last split would leave classes out of one half). ``--small`` also clusters
random held-out subsets of survey-like sizes to show the number of clusters chosen there.
Embeddings are cached in ``eval/out/`` (git-ignored) because computing them takes minutes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

DEFAULT_DATA_DIR = Path("/work/shared/data")
DATASETS = ("stackoverflow", "banking77", "complaints")
#: BERTopic 0.17.4 with its defaults (k not given), NMI measured on the full sets (data README);
#: not measured on the complaints, whose floor is TF-IDF -> SVD -> KMeans with k given.
NMI_FLOORS = {"stackoverflow": 0.546, "banking77": 0.735, "complaints": 0.315}
CACHE_DIR = Path(__file__).resolve().parent / "out"


def load_stackoverflow(data_dir: Path) -> tuple[list[str], list[str]]:
    """Return the 20,000 titles and their gold class labels."""
    folder = Path(data_dir) / "clustering" / "stackoverflow"
    titles = (folder / "title_StackOverflow.txt").read_text(encoding="utf-8").splitlines()
    labels = (folder / "label_StackOverflow.txt").read_text(encoding="utf-8").splitlines()
    return [t.strip() for t in titles], [STACKOVERFLOW_TAGS[int(label) - 1] for label in labels]


def load_banking77(data_dir: Path, parts: tuple[str, ...] = ("train", "test")) -> tuple[list[str], list[str]]:
    """Return Banking77 queries and intents from the given parts (train first, then test)."""
    texts: list[str] = []
    labels: list[str] = []
    for part in parts:
        with open(Path(data_dir) / "clustering" / "banking77" / f"{part}.csv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                texts.append(row["text"].strip())
                labels.append(row["category"])
    return texts, labels


#: The CFPB form changed its product names twice (before 2017, 2017-2024, after); these map the
#: older and newer variants onto one name per product, as the data README advises (9 products).
COMPLAINT_PRODUCTS = {
    "Credit reporting, credit repair services, or other personal consumer reports": "Credit reporting",
    "Credit reporting or other personal consumer reports": "Credit reporting",
    "Credit reporting": "Credit reporting",
    "Credit card or prepaid card": "Credit card or prepaid card",
    "Credit card": "Credit card or prepaid card",
    "Prepaid card": "Credit card or prepaid card",
    "Checking or savings account": "Checking or savings account",
    "Bank account or service": "Checking or savings account",
    "Payday loan, title loan, or personal loan": "Payday, title or personal loan",
    "Payday loan": "Payday, title or personal loan",
    # "Consumer Loan" (before 2017) covered vehicle and instalment loans; 5 rows.
    "Consumer Loan": "Vehicle loan or lease",
    "Vehicle loan or lease": "Vehicle loan or lease",
}
#: Banking77-style names of the StackOverflow classes 1..20 (Xu et al. 2015, the tags they chose).
STACKOVERFLOW_TAGS = (
    "wordpress", "oracle", "svn", "apache", "excel", "matlab", "visual studio", "cocoa", "osx",
    "bash", "spring", "hibernate", "scala", "sharepoint", "ajax", "qt", "drupal", "linq",
    "haskell", "magento",
)


def load_complaints(data_dir: Path, label: str = "product") -> tuple[list[str], list[str]]:
    """CFPB complaint narratives and their product (variants merged) or issue label."""
    path = Path(data_dir) / "clustering" / "complaints" / "complaints.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if label == "product":
        return [r["text"] for r in rows], [COMPLAINT_PRODUCTS.get(r["product"], r["product"]) for r in rows]
    return [r["text"] for r in rows], [r[label] for r in rows]


def cached_embeddings(texts: list[str], embedder, cache_dir: Path = CACHE_DIR) -> np.ndarray:
    """Embed ``texts`` once; later calls read ``eval/out/emb-<backend>-<digest>.npy``."""
    digest = hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()[:16]
    # the whole name: the int8 and fp32 names share their first 42 characters
    backend = "".join(c if c.isalnum() else "_" for c in embedder.name)
    path = Path(cache_dir) / f"emb-{backend}-{digest}.npy"
    if path.exists():
        return np.load(path)
    vectors = embedder.embed(texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def clustering_accuracy(gold: list[str], predicted: np.ndarray) -> float:
    """Accuracy under the best one-to-one cluster-to-class mapping (Hungarian algorithm)."""
    classes, gold_index = np.unique(np.asarray(gold), return_inverse=True)
    clusters, predicted_index = np.unique(predicted, return_inverse=True)
    counts = np.zeros((len(clusters), len(classes)))
    np.add.at(counts, (predicted_index, gold_index), 1)
    rows, columns = linear_sum_assignment(-counts)
    return float(counts[rows, columns].sum() / len(gold))


def evaluate_part(texts: list[str], gold: list[str], vectors: np.ndarray, random_state: int = 0) -> dict:
    """Discover clusters (k not given) and score them; KMeans with the gold k beside it."""
    from nlp.themes.discover import ConcernClusterer, concern_features

    started, cpu_started = time.perf_counter(), time.process_time()
    features = concern_features(texts, vectors, random_state=random_state)
    clusterer = ConcernClusterer(random_state=random_state).fit(features)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    labels = clusterer.labels_
    k_gold = len(set(gold))
    given = KMeans(k_gold, n_init=3, random_state=random_state).fit_predict(features)
    semantic_given = KMeans(k_gold, n_init=3, random_state=random_state).fit_predict(vectors)
    return {
        "n": len(texts), "gold_k": k_gold, "chosen_k": int(clusterer.n_clusters_),
        "nmi": float(normalized_mutual_info_score(gold, labels)),
        "ari": float(adjusted_rand_score(gold, labels)),
        "accuracy": clustering_accuracy(gold, labels),
        "noise_share": float((labels == -1).mean()),
        "wall_seconds": wall, "cpu_seconds": cpu,
        "k_given_nmi": float(normalized_mutual_info_score(gold, given)),
        "k_given_accuracy": clustering_accuracy(gold, given),
        "minilm_kmeans_k_given_nmi": float(normalized_mutual_info_score(gold, semantic_given)),
    }


def dataset_parts(data_dir: Path, embedder, datasets: tuple[str, ...] = ("stackoverflow", "banking77"),
                  ) -> dict[str, tuple[list[str], list[str], np.ndarray]]:
    """Full data sets and their dev / held-out parts, with cached embeddings."""
    parts: dict[str, tuple[list[str], list[str], np.ndarray]] = {}
    if "stackoverflow" in datasets:
        s_texts, s_gold = load_stackoverflow(data_dir)
        s_vectors = cached_embeddings(s_texts, embedder)
        parts["stackoverflow/full"] = (s_texts, s_gold, s_vectors)
        parts["stackoverflow/heldout"] = (s_texts[1::2], s_gold[1::2], s_vectors[1::2])
        parts["stackoverflow/dev"] = (s_texts[::2], s_gold[::2], s_vectors[::2])
    if "banking77" in datasets:
        b_texts, b_gold = load_banking77(data_dir)
        b_vectors = cached_embeddings(b_texts, embedder)
        n_train = len(load_banking77(data_dir, ("train",))[0])
        parts["banking77/full"] = (b_texts, b_gold, b_vectors)
        parts["banking77/heldout"] = (b_texts[n_train:], b_gold[n_train:], b_vectors[n_train:])
        parts["banking77/dev"] = (b_texts[:n_train], b_gold[:n_train], b_vectors[:n_train])
    if "complaints" in datasets:
        c_texts, c_gold = load_complaints(data_dir)
        c_vectors = cached_embeddings(c_texts, embedder)
        parts["complaints/full"] = (c_texts, c_gold, c_vectors)
        parts["complaints/heldout"] = (c_texts[1::2], c_gold[1::2], c_vectors[1::2])
        parts["complaints/dev"] = (c_texts[::2], c_gold[::2], c_vectors[::2])
    return parts


def clustering_figures(data_dir: Path = DEFAULT_DATA_DIR, parts: tuple[str, ...] = ("full", "heldout"),
                       random_state: int = 0, datasets: tuple[str, ...] = DATASETS,
                       ) -> dict[str, dict]:
    """Figures per ``dataset/part`` (NMI, accuracy, chosen k, noise share, times, k-given NMI)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from nlp.embeddings import SemanticEmbedder

    data = dataset_parts(Path(data_dir), SemanticEmbedder(), datasets)
    return {
        name: evaluate_part(texts, gold, vectors, random_state)
        for name, (texts, gold, vectors) in data.items() if name.split("/")[1] in parts
    }


def small_data_figures(data_dir: Path = DEFAULT_DATA_DIR, sizes: tuple[int, ...] = (300, 1000, 3000),
                       random_state: int = 0, datasets: tuple[str, ...] = DATASETS, part: str = "heldout",
                       ) -> dict[str, dict]:
    """Clusters chosen on random held-out subsets of survey sizes (k chosen, gold classes present)."""
    from nlp.embeddings import SemanticEmbedder
    from nlp.themes.discover import ConcernClusterer, concern_features

    data = dataset_parts(Path(data_dir), SemanticEmbedder(), datasets)
    rng = np.random.default_rng(random_state)
    figures = {}
    for name in (f"{dataset}/{part}" for dataset in datasets):
        texts, gold, vectors = data[name]
        for size in (s for s in sizes if s < len(texts)):
            rows = np.sort(rng.choice(len(texts), size, replace=False))
            subset = [texts[i] for i in rows]
            labels = ConcernClusterer(random_state=random_state).fit(
                concern_features(subset, vectors[rows], random_state=random_state)).labels_
            truth = [gold[i] for i in rows]
            figures[f"{name}@{size}"] = {
                "n": size, "gold_k": len(set(truth)), "chosen_k": int(labels.max() + 1),
                "nmi": float(normalized_mutual_info_score(truth, labels)),
                "ari": float(adjusted_rand_score(truth, labels)),
                "noise_share": float((labels == -1).mean()),
            }
    return figures


def end_to_end_figures(data_dir: Path = DEFAULT_DATA_DIR, dataset: str = "stackoverflow") -> dict:
    """Time ``cluster_concerns(texts)`` from raw texts (embedding included, nothing cached).

    The model is loaded before the clock starts, as ``eval/bertopic_baseline.py`` does for BERTopic.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from nlp.embeddings import default_embedder
    from nlp.themes import cluster_concerns

    texts, gold = load_stackoverflow(data_dir) if dataset == "stackoverflow" else load_banking77(data_dir)
    embedder = default_embedder()
    embedder.embed(["warm up the model"])
    started, cpu_started = time.perf_counter(), time.process_time()
    labels = cluster_concerns(texts)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"dataset": dataset, "n": len(texts), "k": len(set(labels) - {"unassigned"}),
            "nmi": float(normalized_mutual_info_score(gold, labels)), "wall_seconds": wall,
            "cpu_seconds": cpu, "backend": getattr(embedder, "active_backend", embedder.name),
            "load": os.getloadavg()}


def main(argv: list[str] | None = None) -> dict[str, dict]:
    """Print one line per data set part (and per small subset with ``--small``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--parts", default="full,heldout", help="comma list of full, heldout, dev")
    parser.add_argument("--datasets", default=",".join(DATASETS), help="comma list")
    parser.add_argument("--small", action="store_true", help="also cluster held-out subsets of 300-3,000")
    parser.add_argument("--end-to-end", action="store_true",
                        help="only time cluster_concerns on raw StackOverflow titles, embedding included")
    parser.add_argument("--bertopic", metavar="PYTHON", default=None,
                        help="also time both end to end against BERTopic run by this interpreter "
                        "(a virtualenv with bertopic; see eval/bertopic_baseline.py)")
    parser.add_argument("--reuse-bertopic", action="store_true",
                        help="with --bertopic, print BERTopic's last kept figures instead of running it")
    args = parser.parse_args(argv)
    if args.bertopic:
        from eval.end_to_end import compare

        part = args.parts.split(",")[-1]
        return compare(args.bertopic, Path(args.data_dir), tuple(args.datasets.split(",")), part,
                       args.reuse_bertopic)
    if args.end_to_end:
        f = end_to_end_figures(Path(args.data_dir))
        print(f"End to end, cluster_concerns(texts) on {f['n']} raw {f['dataset']} titles "
              f"({f['backend']} embeddings computed, nothing cached): k {f['k']}, NMI {f['nmi']:.3f}, "
              f"wall {f['wall_seconds']:.1f} s, CPU {f['cpu_seconds']:.1f} s, load average "
              f"{f['load'][0]:.1f} at the end")
        return {"end_to_end": f}
    datasets = tuple(args.datasets.split(","))
    figures = clustering_figures(Path(args.data_dir), tuple(args.parts.split(",")), datasets=datasets)
    print(f"Concern clustering, k NOT given (data: {args.data_dir}/clustering; embeddings MiniLM, cached; "
          "complaints scored against their 9 merged products)")
    print(f"{'part':22s} {'n':>6s} {'k':>4s} {'gold':>4s} {'k/gold':>6s} {'NMI':>6s} {'floor':>6s} "
          f"{'ARI':>6s} {'ACC':>6s} {'noise':>6s} {'wall s':>7s} {'cpu s':>6s} | k given: {'NMI':>6s} "
          f"{'ACC':>6s} MiniLM-KMeans NMI")
    for name, f in figures.items():
        print(f"{name:22s} {f['n']:6d} {f['chosen_k']:4d} {f['gold_k']:4d} "
              f"{f['chosen_k'] / f['gold_k']:6.2f} {f['nmi']:6.3f} {NMI_FLOORS[name.split('/')[0]]:6.3f} "
              f"{f['ari']:6.3f} "
              f"{f['accuracy']:6.3f} {f['noise_share']:6.1%} {f['wall_seconds']:7.1f} "
              f"{f['cpu_seconds']:6.1f} |          {f['k_given_nmi']:6.3f} {f['k_given_accuracy']:6.3f} "
              f"{f['minilm_kmeans_k_given_nmi']:.3f}")
    print("Target: k/gold within 0.5-2 and NMI at least the floor (BERTopic defaults; TF-IDF k-given on "
          "complaints). Wall/CPU times cover features and clustering, not embedding (cached); "
          "`--end-to-end` times the whole path from raw titles, `eval/bertopic_baseline.py` BERTopic's.")
    if args.small:
        part = "dev" if args.parts == "dev" else "heldout"
        small = small_data_figures(Path(args.data_dir), datasets=datasets, part=part)
        print(f"Small {part} subsets (survey-sized), k NOT given:")
        for name, f in small.items():
            print(f"{name:28s} n {f['n']:5d}  k {f['chosen_k']:4d}  gold classes {f['gold_k']:3d}  "
                  f"NMI {f['nmi']:.3f}  ARI {f['ari']:.3f}  noise {f['noise_share']:.1%}")
        figures.update(small)
    return figures


if __name__ == "__main__":
    main()
