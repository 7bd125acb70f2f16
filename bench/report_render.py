"""Time ``render_report`` per format: ``python bench/report_render.py DB [SURVEY] [WAVE]``.

Prints seconds and size per format (the first HTML/PDF includes the matplotlib/ReportLab import).
"""

from __future__ import annotations

import sys
import time

from survey.db import open_database
from survey.services.wave_report import FORMATS, render_report


def main(argv: list[str]) -> None:
    """Render each format once and print how long it took and how large it is."""
    path, survey_id = argv[0], int(argv[1]) if len(argv) > 1 else 1
    wave = argv[2] if len(argv) > 2 else None
    db = open_database(path)
    units = db.execute("SELECT COUNT(*) FROM units WHERE survey_id = ?", [survey_id]).fetchone()[0]
    print(f"{path}: survey {survey_id}, {units} analysed units, wave {wave or '(latest analysed)'}")
    for fmt in FORMATS:
        started = time.perf_counter()
        rendered = render_report(db, survey_id, wave, fmt)
        print(f"{fmt:>4}: {time.perf_counter() - started:6.2f} s  {len(rendered.content) / 1024:6.0f} KiB  "
              f"{rendered.filename}")


if __name__ == "__main__":
    main(sys.argv[1:])
