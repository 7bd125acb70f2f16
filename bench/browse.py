"""Time the responses browser, heat map and analysis pages with 1,000,000 stored responses.

Writes a synthetic, already-"analysed" database straight to SQLite once (cached in
``bench/out/browse-1m.db``), then requests each page through the real Flask app (signed-in BRM)
and prints p50/p95 per page. Usage: ``.venv/bin/python bench/browse.py [--responses N]``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from survey import create_app
from survey.db import open_database
from survey.migrations import migrate
from survey.store.responses import recount_wave_responses
from survey.store.staff import create_staff_user

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
WAVES = ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"]
SEGMENTS = ["Finance", "HR", "Marketing", "Operations", "Sales", "Legal"]
THEMES = [f"theme-{number}" for number in range(11)]
LABELS = ["very negative", "negative", "neutral", "positive", "very positive"]
SUBJECTS = ["The service desk", "Project delivery", "The new CRM", "Our BRM", "The network", "IT support",
            "The data warehouse", "Change management", "The laptop refresh", "Security reviews"]
VERBS = ["is slow", "works well", "keeps missing deadlines", "listens to us", "costs too much",
         "treats us as an internal customer", "helps a lot", "needs more training", "is hard to reach",
         "delivered on time"]
TAILS = ["this quarter.", "again.", "for the business.", "and we appreciate it.", "every week.",
         "since the reorganisation.", "in our region.", "without telling us.", "as partners.", "lately."]
PASSWORD = "bench password 123"


def build(path: str, responses: int, seed: int = 0) -> None:
    """Write ``responses`` responses with 1-2 units each, themes, trend points and one run."""
    rng = random.Random(seed)
    db = open_database(path)
    migrate(db)
    create_staff_user(db, "bench-brm", PASSWORD, "brm")
    with db.conn:
        db.conn.execute("INSERT INTO surveys (id, title, slug) VALUES (1, 'Bench survey', 'bench')")
        db.conn.execute("INSERT INTO questions (id, survey_id, position, kind, prompt) "
                        "VALUES (1, 1, 1, 'text', 'What should IT change?')")
        for number, label in enumerate(WAVES, start=1):
            db.conn.execute("INSERT INTO waves (id, survey_id, label, opens_on, closes_on, access, token) "
                            "VALUES (?, 1, ?, ?, ?, 'public', ?)",
                            [number, label, f"2025-{3 * number - 2:02d}-01", f"2025-{3 * number:02d}-28",
                             f"token{number}"])
        db.conn.executemany("INSERT INTO themes (survey_id, id, name, kind, units, responses, share) "
                            "VALUES (1, ?, ?, 'seeded', 1000, 1000, 0.09)",
                            [(theme, f"Theme {theme[-2:].strip('-')}") for theme in THEMES])
    per_wave = responses // len(WAVES)
    for wave_id in range(1, len(WAVES) + 1):
        rows, units = [], []
        for number in range(per_wave):
            segment = "Legal" if number < 3 else rng.choice(SEGMENTS[:-1])
            response_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            rows.append((response_id, wave_id, segment, "2025-03-01"))
            for position in range(rng.choice((1, 1, 2))):
                text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(TAILS)}"
                units.append((f"{response_id}:1:{position}", 1, wave_id, response_id, 1, position, segment,
                              text, text, rng.uniform(-1, 1), rng.choice(LABELS), rng.choice(THEMES),
                              int("internal customer" in text or "business" in text), 0, len(text.split())))
        units.sort()
        with db.conn:
            db.conn.executemany("INSERT INTO responses VALUES (?, ?, ?, ?)", sorted(rows))
            db.conn.executemany(
                "INSERT INTO units (id, survey_id, wave_id, response_id, question_id, position, segment, "
                "text, text_key, sentiment, sentiment_label, theme_id, flag_count, partnership_terms, words) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", units)
        _trend_points(db, wave_id, per_wave)
        print(f"wave {wave_id}: {per_wave:,} responses, {len(units):,} units", flush=True)
    with db.conn:
        db.conn.execute("INSERT INTO analysis_runs (survey_id, started_at, duration_seconds, status, counts) "
                        "VALUES (1, '2025-12-01T10:00:00+00:00', 95.0, 'done', '{\"total_units\": 1}')")
    recount_wave_responses(db)  # what record_response keeps current; this bulk insert bypasses it
    db.conn.execute("ANALYZE")
    db.close()


def _trend_points(db, wave_id: int, per_wave: int) -> None:
    rows = [(1, wave_id, "", "", per_wave, per_wave, None, per_wave, 0.0, -0.1, 0.1, None, None, 0)]
    for segment in SEGMENTS:
        size = 3 if segment == "Legal" else per_wave // 5
        rows.append((1, wave_id, segment, "", size, size, None, size, 0.0, -0.1, 0.1, None, None,
                     int(segment == "Legal")))
        for theme in THEMES:
            hidden = segment == "Legal" or (segment == "HR" and theme == THEMES[0])
            rows.append((1, wave_id, segment, theme, size // 11, size // 11, 1 / 11, size // 11, 0.05, 0.0,
                         0.1, None, "steady", int(hidden)))
    for theme in THEMES:
        rows.append((1, wave_id, "", theme, per_wave // 11, per_wave // 11, 1 / 11, per_wave // 11, 0.0, -0.1,
                     0.1, None, "steady", 0))
    with db.conn:
        db.conn.executemany(f"INSERT INTO trend_points VALUES ({', '.join('?' * 14)})", rows)


PAGES = {
    "responses (no filter)": "/staff/surveys/1/responses",
    "responses page 40": "/staff/surveys/1/responses?page=40",
    "responses wave+segment+theme": "/staff/surveys/1/responses?wave=4&segment=Sales&theme=theme-3",
    "responses sentiment+flag": "/staff/surveys/1/responses?sentiment=very+negative&flag=yes",
    "responses search common word": "/staff/surveys/1/responses?q=deadlines",
    "responses search phrase+wave": "/staff/surveys/1/responses?q=internal+customer&wave=2",
    "responses search rare (too few)": "/staff/surveys/1/responses?q=zeppelin",
    "responses small segment (too few)": "/staff/surveys/1/responses?segment=Legal",
    "segments heat map (share)": "/staff/surveys/1/segments",
    "segments heat map (sentiment)": "/staff/surveys/1/segments?metric=sentiment&wave=2",
    "analysis runs": "/staff/surveys/1/analysis",
}


def measure(path: str, repeats: int) -> None:
    app = create_app({"DATABASE": path, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "ANALYSIS_JOBS_DIR": os.path.join(OUT, "jobs")})
    client = app.test_client()
    signed_in = client.post("/staff/login", data={"username": "bench-brm", "password": PASSWORD})
    assert signed_in.status_code == 302
    print(f"{'page':38} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, url in PAGES.items():
        client.get(url)  # warm the page cache once
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(url)
            times.append(1000 * (time.perf_counter() - started))
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"{name:38} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}", flush=True)


def measure_summary_write(path: str) -> None:
    """How long one analysis run holds the write lock to re-theme every unit, as ``save_summary`` does
    (one transaction); partner submissions wait that long (busy timeout 10 s)."""
    db = open_database(path)
    rows = db.execute("SELECT theme_id, id FROM units").fetchall()
    started = time.perf_counter()
    with db.conn:
        db.conn.executemany("UPDATE units SET theme_id = ?, theme_confidence = 0.5 WHERE id = ?", rows)
    print(f"re-theming {len(rows):,} units in one transaction held the write lock "
          f"{time.perf_counter() - started:.1f} s")
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--write-lock", action="store_true",
                        help="also time the analysis's one-transaction re-theming of every unit")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"browse-{args.responses}.db")
    if not os.path.exists(path):
        started = time.perf_counter()
        build(path + ".partial", args.responses)
        os.replace(path + ".partial", path)
        print(f"built {path} in {time.perf_counter() - started:.0f} s")
    units = open_database(path).execute("SELECT COUNT(*) FROM units").fetchone()[0]
    print(f"{args.responses:,} responses, {units:,} units; {args.repeats} requests per page")
    measure(path, args.repeats)
    if args.write_lock:
        measure_summary_write(path)


if __name__ == "__main__":
    main()
