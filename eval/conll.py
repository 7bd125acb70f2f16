"""Person spans of the public informal-text NER sets (WNUT-17, Broad Twitter Corpus) as redaction examples.

Both sets are CoNLL files (``token<TAB>tag``, a blank line between posts, BIO tags). A post becomes
its tokens joined by single spaces; a person span is a ``B-person``/``B-PER`` token plus the ``I-``
tokens of the same type that follow. ``@handles`` are left out of scoring on both sides: WNUT-17
almost never tags them and BTC mostly does, and Rapport redacts every handle by pattern anyway
(``tests/test_nlp_redact.py``), so a handle tells nothing about name recognition. In BTC a handle is
two tokens (``@`` then the name): both are dropped from the gold spans.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

#: Where the sets are looked for: beside the checkout (as CI lays it out), then the shared folder.
PII_CANDIDATES = (Path(__file__).resolve().parents[2] / "shared" / "data" / "pii",
                  Path("/work/shared/data/pii"))
#: (set name, split) -> file under :data:`PII_DATA`.
FILES = {
    ("wnut17", "train"): "wnut17/wnut17train.conll",
    ("wnut17", "dev"): "wnut17/emerging.dev.conll",
    ("wnut17", "test"): "wnut17/emerging.test.annotated",
    ("btc", "train"): "btc/btc.train",
    ("btc", "dev"): "btc/btc.dev",
    ("btc", "test"): "btc/btc.test",
}
PERSON_TYPES = frozenset(("person", "PER"))


def data_root() -> Path:
    """The sets' folder: ``$RAPPORT_PII_DATA``, else the first of :data:`PII_CANDIDATES` that exists."""
    import os

    if os.environ.get("RAPPORT_PII_DATA"):
        return Path(os.environ["RAPPORT_PII_DATA"])
    return next((path for path in PII_CANDIDATES if path.exists()), PII_CANDIDATES[0])


def _posts(path: Path) -> Iterator[list[tuple[str, str]]]:
    post: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip():
                if post:
                    yield post
                post = []
                continue
            token, _, tag = line.partition("\t")
            post.append((token, tag.strip() or "O"))
    if post:
        yield post


def _example(post: list[tuple[str, str]], split: str) -> dict:
    """One post as ``{"text", "spans", "split"}`` with character spans labelled ``NAME``."""
    starts, position, handles = [], 0, set()
    for index, (token, _) in enumerate(post):
        starts.append(position)
        position += len(token) + 1
        if token.startswith("@") and len(token) > 1:
            handles.add(index)
        elif token == "@" and index + 1 < len(post):
            handles |= {index, index + 1}
    text = " ".join(token for token, _ in post)
    spans: list[dict] = []
    current: list[int] = []

    def close() -> None:
        kept = [i for i in current if i not in handles]
        if kept:
            spans.append({"start": starts[kept[0]], "end": starts[kept[-1]] + len(post[kept[-1]][0]),
                          "label": "NAME"})
        current.clear()

    for index, (_, tag) in enumerate(post):
        prefix, _, kind = tag.partition("-")
        if prefix == "B" and kind in PERSON_TYPES:
            close()
            current.append(index)
        elif prefix == "I" and kind in PERSON_TYPES and current:
            current.append(index)
        else:
            close()
    close()
    handle_spans = [(starts[i], starts[i] + len(post[i][0])) for i in sorted(handles)]
    return {"text": text, "spans": spans, "split": split, "ignore": handle_spans}


def load_set(name: str, split: str, root: Path | None = None) -> list[dict]:
    """The posts of one public set and split as redaction examples (see the module docstring)."""
    path = (root or data_root()) / FILES[name, split]
    return [_example(post, split) for post in _posts(path)]
