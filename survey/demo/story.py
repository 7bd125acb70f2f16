"""Measure the demo corpus's story per wave, from the metadata of the comments it dealt.

``python -m survey.demo.story [--responses 800] [--seed 7] [--timing 100000]`` prints, per wave,
the share of responses whose "What should IT change?" answer complains about delivery, the share
of the story department's responses complaining about the service desk, the share of responses
using siloing or partnership language (in either answer), the share of non-answers among the
"change" answers, and the mean rating and NPS; then the share of service-desk complaints per
department before and after the improvement action (the segment x theme view a BRM reads). With
``--timing`` it also prints how long generating that many responses takes; with ``--corpus`` it
prints the hand-written comments' inventory instead: counts by question, theme, sentiment and flag,
the largest word overlap between two comments, and a seeded sample of them.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from survey.demo.comments import NO_THEME, DemoComment, comments_by_text, load_comments
from survey.demo.corpus import (
    ACTION_WAVE,
    DEFAULT_DEPARTMENTS,
    DEFAULT_WAVES,
    STORY_DEPARTMENT,
    DemoResponse,
    generate_feedback,
)

TEXT_QUESTIONS = ("doing_well", "change")


@dataclass(frozen=True)
class WaveFigures:
    """Shares of responses (non-answers: of "change" answers) and mean scores of one wave."""

    wave: str
    responses: int
    delivery_complaints: float
    story_department_service_desk: float
    silo_language: float
    partnership_language: float
    non_answers: float
    mean_rating: float
    mean_nps: float


def comment_of(response: DemoResponse, key: str) -> DemoComment | None:
    """The demo comment a response gave for question ``key`` (None when it left it blank)."""
    text = response.answers.get(key)
    return comments_by_text()[text] if isinstance(text, str) else None


def is_complaint(theme: str) -> Callable[[DemoComment], bool]:
    """A test for negative comments about ``theme``."""
    return lambda comment: comment.theme == theme and comment.sentiment == "negative"


def has_flag(flag: str) -> Callable[[DemoComment], bool]:
    """A test for comments carrying ``flag`` (``silo``, ``partnership``, ``names``, ...)."""
    return lambda comment: flag in comment.flags


def comment_share(
    responses: Sequence[DemoResponse], keys: Sequence[str], test: Callable[[DemoComment], bool]
) -> float:
    """Share of ``responses`` with an answer to one of ``keys`` passing ``test`` (0 for none)."""
    if not responses:
        return 0.0
    hits = sum(any((comment := comment_of(r, key)) is not None and test(comment) for key in keys)
               for r in responses)
    return hits / len(responses)


def non_answer_share(responses: Sequence[DemoResponse], key: str = "change") -> float:
    """Share of the answers to ``key`` (blank ones left out) that are non-answers."""
    comments = [comment for r in responses if (comment := comment_of(r, key)) is not None]
    return sum(c.theme == NO_THEME for c in comments) / len(comments) if comments else 0.0


def story_figures(
    responses: Sequence[DemoResponse], waves: Sequence[str] = DEFAULT_WAVES
) -> list[WaveFigures]:
    """The story's figures for each wave, in the order of ``waves``."""
    figures = []
    for wave in waves:
        cell = [r for r in responses if r.wave == wave]
        story_cell = [r for r in cell if r.department == STORY_DEPARTMENT]
        figures.append(WaveFigures(
            wave=wave,
            responses=len(cell),
            delivery_complaints=comment_share(cell, ("change",), is_complaint("delivery")),
            story_department_service_desk=comment_share(story_cell, ("change",), is_complaint("support")),
            silo_language=comment_share(cell, TEXT_QUESTIONS, has_flag("silo")),
            partnership_language=comment_share(cell, TEXT_QUESTIONS, has_flag("partnership")),
            non_answers=non_answer_share(cell),
            mean_rating=statistics.fmean(r.rating for r in cell) if cell else 0.0,
            mean_nps=statistics.fmean(r.nps for r in cell) if cell else 0.0,
        ))
    return figures


def service_desk_by_department(
    responses: Sequence[DemoResponse], waves: Sequence[str], departments: Sequence[str]
) -> dict[str, tuple[float, float]]:
    """Per department, the share of service-desk complaints before and after the action wave."""
    before, after = set(waves[:ACTION_WAVE]), set(waves[ACTION_WAVE:])
    return {
        department: tuple(  # type: ignore[misc]
            comment_share([r for r in responses if r.department == department and r.wave in period],
                          ("change",), is_complaint("support"))
            for period in (before, after)
        )
        for department in departments
    }


def largest_overlap(comments: Sequence[DemoComment]) -> tuple[float, str, str]:
    """The largest Jaccard overlap of word sets between two comments that are not non-answers.

    A word is a lower-cased run of letters and digits (with an inner apostrophe); the overlap of
    two comments is |A & B| / |A | B| of their word sets (``tests/test_demo_corpus.py`` says why).
    """
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer

    texts = [c.text for c in comments if c.theme != NO_THEME]
    word = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
    vectorizer = CountVectorizer(analyzer=lambda text: sorted(set(word.findall(text.lower()))), binary=True)
    matrix = vectorizer.fit_transform(texts).astype(np.int32)
    shared = (matrix @ matrix.T).toarray()
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    jaccard = shared / np.maximum(sizes[:, None] + sizes[None, :] - shared, 1)
    np.fill_diagonal(jaccard, 0.0)
    first, second = np.unravel_index(int(jaccard.argmax()), jaccard.shape)
    return float(jaccard.max()), texts[first], texts[second]


def print_inventory(seed: int, samples: int = 10) -> None:
    """Print the comments' counts by question, theme, sentiment and flag, the largest overlap
    between two of them, and ``samples`` of them chosen at random with ``seed``."""
    comments = load_comments()
    print(f"{len(comments)} hand-written comments")
    for title, counts in (
        ("question", Counter(c.question for c in comments)),
        ("question x sentiment", Counter(f"{c.question}/{c.sentiment}" for c in comments)),
        ("theme (doing_well / change)", Counter(c.theme for c in comments)),
        ("period", Counter(c.period for c in comments)),
        ("department", Counter(c.department or "(any)" for c in comments)),
        ("flag", Counter(flag for c in comments for flag in c.flags)),
    ):
        print(f"\nby {title}:")
        for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            by_question = ""
            if title.startswith("theme"):
                by_question = " ({} / {})".format(*(sum(c.theme == key and c.question == q for c in comments)
                                                    for q in ("doing_well", "change")))
            print(f"  {key:<28} {count:>5}{by_question}")
    overlap, first, second = largest_overlap(comments)
    print(f"\nlargest word overlap (Jaccard) between two comments: {overlap:.3f}\n  {first!r}\n  {second!r}")
    print(f"\n{samples} comments chosen at random (seed {seed}):")
    for comment in random.Random(seed).sample(comments, samples):
        flags = f" [{', '.join(sorted(comment.flags))}]" if comment.flags else ""
        print(f"  {comment.question}/{comment.theme}/{comment.sentiment}{flags}: {comment.text}")


def main(argv: Sequence[str] | None = None) -> None:
    """Print the story tables (and optionally a generation timing), or the comments' inventory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=800)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timing", type=int, default=0, help="also time generating this many")
    parser.add_argument("--corpus", action="store_true", help="print the comments' inventory instead")
    args = parser.parse_args(argv)
    if args.corpus:
        print_inventory(args.seed)
        return
    responses = generate_feedback(args.responses, seed=args.seed)
    print(f"{args.responses} responses, seed {args.seed}; shares of responses per wave "
          "(non-answers: of answers to 'change')")
    print(f"{'wave':<8} {'n':>5} {'delivery':>9} {STORY_DEPARTMENT[:10] + ' desk':>16} "
          f"{'silo':>6} {'partner':>8} {'non-ans':>8} {'rating':>7} {'nps':>5}")
    for row in story_figures(responses):
        print(f"{row.wave:<8} {row.responses:>5} {row.delivery_complaints:>9.3f} "
              f"{row.story_department_service_desk:>16.3f} {row.silo_language:>6.3f} "
              f"{row.partnership_language:>8.3f} {row.non_answers:>8.3f} {row.mean_rating:>7.2f} "
              f"{row.mean_nps:>5.2f}")
    waves = DEFAULT_WAVES
    print(f"\nservice-desk complaints per department: {', '.join(waves[:ACTION_WAVE])} -> "
          f"{', '.join(waves[ACTION_WAVE:])}")
    for department, (early, late) in service_desk_by_department(
            responses, waves, DEFAULT_DEPARTMENTS).items():
        print(f"{department:<12} {early:>6.3f} -> {late:.3f}")
    if args.timing:
        wall, cpu = time.perf_counter(), time.process_time()
        generate_feedback(args.timing, seed=args.seed)
        print(f"generated {args.timing} responses in {time.perf_counter() - wall:.2f} s "
              f"({time.process_time() - cpu:.2f} s CPU)")


if __name__ == "__main__":
    main()
