"""Rebuild ``nlp/data/frequent_words.txt``: how often each English dictionary word is used.

Run ``python -m eval.redaction_wordfreq``. spaCy's word index (WordNet lemmas and their inflections,
:func:`nlp.redaction.ner.is_common_word`) holds rare entries that are mostly names in feedback
("aditi", "anele", "tolu", "lungi"); the ``wordfreq`` package (3.1.1, code Apache-2.0, data CC BY-SA
4.0: Wikipedia, subtitles, news, books, web text, Twitter, Reddit) says how often a word is written.
The file keeps, for every word of its English ``large`` list that is also a dictionary word and has
a Zipf frequency of at least :data:`FLOOR` (once per 3 million words), that frequency to one
decimal; a dictionary word not listed is rare. Only this derived list ships (CC BY-SA 4.0, credited
in its header); ``wordfreq`` itself is a tooling pin, not a runtime dependency.
"""

from __future__ import annotations

import re
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "nlp" / "data" / "frequent_words.txt"
#: Lowest Zipf frequency kept (log10 of uses per billion words); the cuts the rules use are above it.
FLOOR = 2.5
_WORD = re.compile(r"[a-z]+(?:['’\-][a-z]+)*")
HEADER = (
    "# English dictionary words (spaCy's word index) with their Zipf frequency (log10 uses per billion\n"
    "# words), from wordfreq 3.1.1 (Robyn Speer, https://github.com/rspeer/wordfreq; data CC BY-SA 4.0:\n"
    "# https://creativecommons.org/licenses/by-sa/4.0/). This derived list is CC BY-SA 4.0 too.\n"
    "# Rebuild: python -m eval.redaction_wordfreq. Words below {floor} are left out (rare).\n"
)


def frequent_dictionary_words(floor: float = FLOOR) -> dict[str, float]:
    """Zipf frequency of each dictionary word at or above ``floor``."""
    import wordfreq

    from nlp.redaction.ner import is_common_word

    frequencies: dict[str, float] = {}
    for word in wordfreq.get_frequency_dict("en", "large"):
        if not _WORD.fullmatch(word) or not is_common_word(word):
            continue
        zipf = wordfreq.zipf_frequency(word, "en", wordlist="large")
        if zipf >= floor:
            frequencies[word] = zipf
    return frequencies


def main() -> None:
    """Write the list and say how many words it holds."""
    frequencies = frequent_dictionary_words()
    lines = [f"{word}\t{zipf:.1f}" for word, zipf in sorted(frequencies.items())]
    OUTPUT.write_text(HEADER.format(floor=FLOOR) + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} dictionary words with Zipf frequency >= {FLOOR} to {OUTPUT}")


if __name__ == "__main__":
    main()
