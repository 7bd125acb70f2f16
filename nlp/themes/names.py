"""Readable names and key phrases for clusters: noun phrases scored against the cluster.

Candidates are the noun chunks of a cluster's most central members (spaCy) plus its class-based
TF-IDF n-grams. Each candidate is scored by its c-TF-IDF weight in the cluster and by the cosine
of its embedding to the cluster centroid, then picked with maximal marginal relevance, as
BERTopic's KeyBERT-inspired representation does. Filler, stop and repeated words never make it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that carry no topic in feedback ("feels like", "really great", "a lot"): never in a
#: name or key phrase, nor at the edge of one.
FILLER_WORDS = _word_set("""
like likes liked feel feels felt feeling really honestly basically actually literally just also
lot lots bit thing things stuff way ways kind sort pretty quite very much many thanks thank
good great bad better worse best worst nice fine okay ok wrong right sure maybe perhaps
get gets got getting make makes made go goes going went want wants wanted need needs needed
say says said think thinks thought know knows knew seem seems seemed use used using come
today yesterday people person someone everyone
anyone one ones etc overall general generally usually always never sometimes often still
yes no not dont don't cant can't wont won't isn't doesn't didn't im i'm ive i've hard easy
xxxx xx xxxxxxxx name email phone url number
""")
#: Nouns too general to name a theme alone or to end a name pair ("Card and process"); fine
#: inside a longer phrase ("approval process", "login issue").
GENERIC_NOUNS = _word_set("""
issue issues problem problems help process processes work time times day days week weeks month
months year years question questions matter matters part parts place case cases point points area
areas option options experience experiences information info details detail level levels system
systems team teams company department side end start change changes request requests business
service services staff user users date dates customer customers
""")
#: Pipeline components candidate phrases never read (entities): skipped, half the parse time.
_UNUSED_COMPONENTS = ("ner",)
#: Extra lexical score per word beyond the first: a longer phrase is a little more readable.
LENGTH_BONUS = 0.15
#: Weight of the embedding relevance against the c-TF-IDF score of a candidate.
RELEVANCE_WEIGHT = 0.5
#: MMR trade-off: 1 keeps only relevance, 0 only diversity.
MMR_LAMBDA = 0.7
#: Longest name or key phrase, in words.
MAX_PHRASE_WORDS = 4
#: Key phrases considered (with pairs of the top three) when naming a theme.
NAME_CANDIDATES = 5
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#'.-]*[A-Za-z0-9+#]|[A-Za-z]")


def phrase_words(phrase: str) -> list[str]:
    """Lower-case words of a phrase, as the filters see them."""
    return [w.lower() for w in _WORD.findall(phrase)]


def is_clean_phrase(phrase: str) -> bool:
    """True when a phrase is fit to show: 1-4 words, no repeated word, no filler or stop word at
    an edge, at least one content word (no filler anywhere), and not a generic noun alone."""
    words = phrase_words(phrase)
    if not words or len(words) > MAX_PHRASE_WORDS or len(set(words)) < len(words):
        return False
    if words == [phrase.lower()] and words[0] in GENERIC_NOUNS:
        return False
    if any(w in FILLER_WORDS for w in words):
        return False
    if words[0] in ENGLISH_STOP_WORDS or words[-1] in ENGLISH_STOP_WORDS:
        return False
    return any(w not in ENGLISH_STOP_WORDS and len(w) > 1 for w in words)


def is_clean_name(name: str) -> bool:
    """True when a theme name is a clean phrase, or two joined by "and" ("Cards and fees") that
    share no word."""
    parts = [" ".join(phrase_words(part)) for part in name.split(" and ")]
    words = [w for part in parts for w in part.split()]
    return len(parts) <= 2 and all(is_clean_phrase(part) for part in parts) and len(set(words)) == len(words)


def noun_chunk_candidates(texts: Sequence[str]) -> list[str]:
    """Candidate phrases of ``texts``, all texts together (see :func:`text_candidates`)."""
    return [phrase for found in text_candidates(texts) for phrase in found]


def text_candidates(texts: Sequence[str]) -> list[frozenset[str]]:
    """Per text, its candidate phrases: each noun chunk trimmed of determiners, pronouns and stop
    words at the edges, with its shorter tails that keep the head noun ("laptop provisioning
    delays", "provisioning delays", "delays"), and verb-object phrases ("activate card",
    "declined payment") that name what people try or fail to do."""
    from nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    found: list[frozenset[str]] = []
    for doc in nlp.pipe([t[:600] for t in texts], batch_size=64, disable=_UNUSED_COMPONENTS):
        phrases: set[str] = set()
        for chunk in doc.noun_chunks:
            words = _trimmed_words(list(chunk))
            phrases.update(" ".join(words[start:]) for start in range(len(words)))
        phrases.update(_verb_phrases(doc))
        found.append(frozenset(phrases))
    return found


def _trimmed_words(tokens: list[Any]) -> list[str]:
    """The words of a noun phrase without leading determiners or stop words, ending on its noun."""
    while tokens and (tokens[0].is_stop or tokens[0].is_punct or tokens[0].like_num
                      or tokens[0].pos_ in ("DET", "PRON", "ADV", "CCONJ")):
        tokens = tokens[1:]
    if not tokens or tokens[-1].pos_ not in ("NOUN", "PROPN") or tokens[-1].is_stop:
        return []
    # The span as written, so "e-signature tool" keeps its hyphen (spaCy splits it in three).
    written = tokens[0].doc[tokens[0].i:tokens[-1].i + 1].text
    return phrase_words(written)[-MAX_PHRASE_WORDS:]


def _verb_phrases(doc: Any) -> set[str]:
    """"activate card" from "activate my new card", "declined payment" from "my payment was
    declined": a content verb with its object's noun (and the noun's compound modifier)."""
    phrases = set()
    for token in doc:
        verb = token.head
        if token.pos_ not in ("NOUN", "PROPN") or verb.pos_ != "VERB" or verb.is_stop:
            continue
        modifiers = [c.text.lower() for c in token.lefts if c.dep_ == "compound" and not c.is_stop]
        noun = " ".join([*modifiers[-1:], token.text.lower()])
        if token.dep_ in ("dobj", "obj"):
            phrases.add(f"{verb.lemma_.lower()} {noun}")
        elif token.dep_ == "nsubjpass" and verb.tag_ == "VBN":
            phrases.add(f"{verb.text.lower()} {noun}")
    return phrases


def rank_member_phrases(
    candidates: dict[int, list[frozenset[str]]], centroids: dict[int, np.ndarray],
    embed: Callable[[list[str]], np.ndarray] | None, top: int = 5,
) -> dict[int, PhraseRanking]:
    """Rank each cluster's candidate phrases: up to ``top`` key phrases per cluster label, best
    first, and its best-scored phrases for naming.

    ``candidates`` holds, per cluster, the candidate phrases of each of its (sampled) members. A
    phrase's lexical score is its document frequency in the cluster times the log of that over
    its frequency in the other clusters' samples (class-based TF-IDF on phrases); with ``embed``,
    half of the score is the cosine of the phrase to the cluster centroid; MMR then picks
    diverse phrases.
    """
    clean = {c: [{" ".join(phrase_words(p)) for p in found} for found in members]
             for c, members in candidates.items()}
    clean = {c: [{p for p in found if is_clean_phrase(p)} for found in members]
             for c, members in clean.items()}
    counts = {c: Counter(p for found in members for p in found) for c, members in clean.items()}
    sizes = {c: max(1, len(members)) for c, members in clean.items()}
    everywhere: Counter[str] = sum(counts.values(), Counter())
    total = sum(sizes.values())
    ranked: dict[int, PhraseRanking] = {}
    for cluster, counted in counts.items():
        phrases = sorted(counted)
        if not phrases:
            ranked[cluster] = PhraseRanking()
            continue
        inside = np.array([counted[p] for p in phrases], dtype=float) / sizes[cluster]
        others = max(1, total - sizes[cluster])
        outside = np.array([everywhere[p] - counted[p] for p in phrases], dtype=float) / others
        ranked[cluster] = rank_phrases(phrases, inside, outside, centroids.get(cluster), embed, top)
    return ranked


def cluster_phrases(
    texts: Sequence[str], labels: np.ndarray, candidates: dict[int, list[str]],
    centroids: dict[int, np.ndarray], embed: Callable[[list[str]], np.ndarray] | None, top: int = 5,
) -> dict[int, list[str]]:
    """Rank each cluster's candidate phrases (one list per cluster, counted in every text of
    ``texts``, as written); returns up to ``top`` per cluster label, best first. Used where no
    parse is at hand (curation in a web request); the analysis uses :func:`rank_member_phrases`.

    A phrase's lexical score is its document frequency in the cluster times the log of that over
    its frequency in the other clusters (class-based TF-IDF on phrases); with ``embed``, half of
    the score is the cosine of the phrase to the cluster centroid; MMR then picks diverse phrases.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    labels = np.asarray(labels)
    clean = {c: [p for p in dict.fromkeys(" ".join(phrase_words(x)) for x in found) if is_clean_phrase(p)]
             for c, found in candidates.items()}
    vocabulary = sorted({p for phrases in clean.values() for p in phrases})
    if not vocabulary:
        return {c: [] for c in candidates}
    vectorizer = CountVectorizer(vocabulary=vocabulary, ngram_range=(1, MAX_PHRASE_WORDS), binary=True,
                                 lowercase=True, token_pattern=_WORD.pattern)
    present = vectorizer.transform(texts).tocsc()
    column = {p: i for i, p in enumerate(vocabulary)}
    totals = np.asarray(present.sum(axis=0)).ravel()
    ranked: dict[int, list[str]] = {}
    for cluster, phrases in clean.items():
        members = labels == cluster
        size, others = int(members.sum()), max(1, int((~members).sum()))
        if not phrases or size == 0:
            ranked[cluster] = []
            continue
        columns = [column[p] for p in phrases]
        inside = np.asarray(present[members][:, columns].sum(axis=0)).ravel() / size
        outside = (totals[columns] - inside * size) / others
        ranked[cluster] = list(rank_phrases(phrases, inside, outside, centroids.get(cluster), embed,
                                            top).key_phrases)
    return ranked


@dataclass(frozen=True)
class PhraseRanking:
    """A cluster's phrases: diverse key phrases (MMR, no shared word) and the best-scored
    phrases before diversity, from which its name is chosen."""

    key_phrases: tuple[str, ...] = ()
    best: tuple[str, ...] = ()


def rank_phrases(
    phrases: Sequence[str], inside: np.ndarray, outside: np.ndarray, centroid: np.ndarray | None,
    embed: Callable[[list[str]], np.ndarray] | None, top: int = 5,
) -> PhraseRanking:
    """Pick up to ``top`` diverse phrases by c-TF-IDF (``inside`` / ``outside`` document rates)
    and, with ``embed``, cosine to ``centroid``."""
    keep = inside > 0
    phrases = [p for p, k in zip(phrases, keep, strict=True) if k]
    inside, outside = inside[keep], outside[keep]
    if not phrases:
        return PhraseRanking()
    lengths = np.array([len(p.split()) for p in phrases], dtype=float)
    # Frequent in the cluster, rare elsewhere; a longer phrase is a little more readable.
    lexical = inside * np.log1p(inside / (outside + 0.01)) * (1 + LENGTH_BONUS * (lengths - 1))
    lexical = lexical / max(float(lexical.max()), 1e-12)
    order = np.argsort(-lexical, kind="stable")[:40]
    phrases, lexical = [phrases[i] for i in order], lexical[order]
    vectors = None
    scores = lexical
    if centroid is not None and embed is not None:
        vectors = np.asarray(embed(list(phrases)), dtype=np.float32)
        relevance = vectors @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
        scores = (1 - RELEVANCE_WEIGHT) * lexical + RELEVANCE_WEIGHT * relevance
    best = tuple(phrases[i] for i in np.argsort(-scores, kind="stable")[:NAME_CANDIDATES])
    return PhraseRanking(tuple(_mmr(list(phrases), scores, vectors, top)), best)


def _mmr(phrases: list[str], scores: np.ndarray, vectors: np.ndarray | None, top: int) -> list[str]:
    """Maximal marginal relevance; without vectors, word overlap stands in for similarity."""
    chosen: list[int] = []
    remaining = list(range(len(phrases)))
    while remaining and len(chosen) < top:
        best, best_value = -1, -np.inf
        for i in remaining:
            if chosen:
                if vectors is not None:
                    similarity = float(max(vectors[i] @ vectors[j] for j in chosen))
                else:
                    similarity = max(_overlap(phrases[i], phrases[j]) for j in chosen)
                if any(_stems(phrases[i]) & _stems(phrases[j]) for j in chosen):
                    continue  # no word twice across a theme's key phrases ("contract", "contracts")
            else:
                similarity = 0.0
            value = MMR_LAMBDA * float(scores[i]) - (1 - MMR_LAMBDA) * similarity
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        remaining.remove(best)
    return [phrases[i] for i in chosen]


def _stems(phrase: str) -> set[str]:
    """The words of a phrase without a plural ending: "contracts" and "contract" are one word."""
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in phrase.split()}


def _overlap(a: str, b: str) -> float:
    words_a, words_b = set(a.split()), set(b.split())
    return len(words_a & words_b) / max(1, min(len(words_a), len(words_b)))


def display_name(phrases: Sequence[str]) -> str:
    """A short noun-phrase name from the best phrase: "laptop provisioning delays" ->
    "Laptop provisioning delays"."""
    if not phrases:
        return ""
    return phrases[0][:1].upper() + phrases[0][1:]


def choose_name(ranking: PhraseRanking, texts: Sequence[str], centroid: np.ndarray | None = None,
                embed: Callable[[list[str]], np.ndarray] | None = None) -> str:
    """A theme's name, as a person would put it: the candidate closest to the cluster centre.

    Candidates are the :data:`NAME_CANDIDATES` best-scored phrases (before diversity), the key
    phrases, and "A and B" pairs of the top three key phrases (the shipped taxonomy's names read
    like that: "Tools and systems"). A bare generic word
    ("Desk", "Payroll") is never a name on its own; a specific one (an acronym or product name
    written with capitals in ``texts``: "VPN", "SharePoint") may be. Without ``embed`` the best
    allowed phrase wins. The name keeps the members' usual spelling ("VPN drops").
    """
    # A pair's halves are phrases as written: "Desk and late shifts", not "Desk and treat customers".
    top = [p for p in ranking.key_phrases if _written_in(p, texts)][:3]
    candidates = list(dict.fromkeys([*ranking.best, *ranking.key_phrases,
                                     *(f"{a} and {b}" for i, a in enumerate(top) for b in top[i + 1:])]))
    allowed = [c for c in candidates if _may_name(c, texts)]
    if not allowed:
        return display_name(ranking.key_phrases)
    chosen = allowed[0]
    if centroid is not None and embed is not None and len(allowed) > 1:
        vectors = np.asarray(embed(allowed), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        chosen = allowed[int(np.argmax(vectors @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))))]
    return display_name([" and ".join(surface_form(part, texts) for part in chosen.split(" and "))])


def _may_name(candidate: str, texts: Sequence[str]) -> bool:
    """No bare generic word, and no part of an "A and B" pair that is a generic noun alone."""
    parts = candidate.split(" and ")
    if any(part in GENERIC_NOUNS for part in parts):
        return False
    return len(candidate.split()) > 1 or is_specific_word(candidate, texts)


def is_specific_word(word: str, texts: Sequence[str]) -> bool:
    """True when ``word`` is written with a capital or digit inside ``texts`` more often than not
    (not counting the first word of a text): "VPN", "SharePoint", "Drupal", "Office365"."""
    pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", re.IGNORECASE)
    seen = marked = 0
    for text in texts:
        for match in pattern.finditer(text):
            if match.start() == 0 or text[:match.start()].rstrip().endswith((".", "!", "?")):
                continue
            seen += 1
            marked += any(c.isupper() or c.isdigit() for c in match.group())
    return seen > 0 and marked * 2 > seen


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """``phrase`` as written: its words in order, separated by anything but letters and digits."""
    return re.compile(r"(?<![A-Za-z0-9])" + r"\W+".join(re.escape(w) for w in phrase.split())
                      + r"(?![A-Za-z0-9])", re.IGNORECASE)


def _written_in(phrase: str, texts: Sequence[str]) -> bool:
    """True when some text writes ``phrase`` word for word (verb-object phrases are often not)."""
    pattern = _phrase_pattern(phrase)
    return any(pattern.search(text) for text in texts)


def surface_form(phrase: str, texts: Sequence[str]) -> str:
    """``phrase`` as the members most often write it inside a sentence ("vpn" -> "VPN"), or as
    given when they only write it lower-case or at the start of a sentence."""
    pattern = _phrase_pattern(phrase)
    forms: Counter[str] = Counter()
    for text in texts:
        for match in pattern.finditer(text):
            if match.start() > 0 and not text[:match.start()].rstrip().endswith((".", "!", "?")):
                forms[match.group()] += 1
    if forms:
        form = forms.most_common(1)[0][0]
        if any(c.isupper() for c in form) and " ".join(phrase_words(form)) == phrase:
            return form
    if " " not in phrase:
        return phrase
    # Not written together ("lose vpn" from "lose the VPN"): each specific word in its own spelling.
    return " ".join(surface_form(word, texts) if is_specific_word(word, texts) else word
                    for word in phrase.split())
