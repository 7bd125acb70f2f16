"""Measure the demo corpus's story with plain keyword checks, per wave.

``python -m survey.demo.story [--responses 800] [--seed 7] [--timing 100000]`` prints, per wave,
the share of "What should IT change?" answers that complain about delivery, the share of the story
department's answers about the service desk, the share with siloing or partnership language, and
the mean rating and NPS; with ``--timing`` it also prints how long generating that many takes.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from survey.demo.corpus import DEFAULT_WAVES, STORY_DEPARTMENT, DemoResponse, generate_feedback

DELIVERY_WORDS = re.compile(
    r"\b(late|delay\w*|deadlines?|slip\w*|over budget|overran|scope|go-live)\b", re.IGNORECASE
)
SERVICE_DESK_WORDS = re.compile(r"service desk|help ?desk|ticket", re.IGNORECASE)
SILO_WORDS = re.compile(
    r"internal customer|the business|order taker|over the wall|\bus (vs|versus|and) them|"
    r"service provider|business side|IT side", re.IGNORECASE,
)
PARTNERSHIP_WORDS = re.compile(r"\bpartners?(hip)?\b|together|same side|colleagues", re.IGNORECASE)


@dataclass(frozen=True)
class WaveFigures:
    """Keyword shares (of responses) and mean scores of one wave."""

    wave: str
    responses: int
    delivery_complaints: float
    story_department_service_desk: float
    silo_language: float
    partnership_language: float
    mean_rating: float
    mean_nps: float


def keyword_share(responses: Sequence[DemoResponse], key: str, pattern: re.Pattern[str]) -> float:
    """Share of ``responses`` whose answer ``key`` matches ``pattern`` (0 for no responses)."""
    if not responses:
        return 0.0
    return sum(bool(pattern.search(r.answers[key] or "")) for r in responses) / len(responses)


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
            delivery_complaints=keyword_share(cell, "change", DELIVERY_WORDS),
            story_department_service_desk=keyword_share(story_cell, "change", SERVICE_DESK_WORDS),
            silo_language=keyword_share(cell, "change", SILO_WORDS),
            partnership_language=keyword_share(cell, "doing_well", PARTNERSHIP_WORDS),
            mean_rating=statistics.fmean(r.rating for r in cell) if cell else 0.0,
            mean_nps=statistics.fmean(r.nps for r in cell) if cell else 0.0,
        ))
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    """Print the story table (and optionally a generation timing)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=800)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timing", type=int, default=0, help="also time generating this many")
    args = parser.parse_args(argv)
    figures = story_figures(generate_feedback(args.responses, seed=args.seed))
    print(f"{args.responses} responses, seed {args.seed}; shares of responses per wave")
    print(f"{'wave':<8} {'n':>5} {'delivery':>9} {STORY_DEPARTMENT[:10] + ' desk':>16} "
          f"{'silo':>6} {'partner':>8} {'rating':>7} {'nps':>5}")
    for row in figures:
        print(f"{row.wave:<8} {row.responses:>5} {row.delivery_complaints:>9.3f} "
              f"{row.story_department_service_desk:>16.3f} {row.silo_language:>6.3f} "
              f"{row.partnership_language:>8.3f} {row.mean_rating:>7.2f} {row.mean_nps:>5.2f}")
    if args.timing:
        wall, cpu = time.perf_counter(), time.process_time()
        generate_feedback(args.timing, seed=args.seed)
        print(f"generated {args.timing} responses in {time.perf_counter() - wall:.2f} s "
              f"({time.process_time() - cpu:.2f} s CPU)")


if __name__ == "__main__":
    main()
