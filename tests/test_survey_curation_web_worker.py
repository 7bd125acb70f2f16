"""Curation in a web worker: every curation request works without loading spaCy, and stays fast.

The requests run in a fresh Python process (the real Flask app on a copy of an analysed survey), so
nothing this test session loaded earlier can hide a spaCy import.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from analysed_support import build_demo_survey_with_uncovered_concerns

pytestmark = pytest.mark.slow  # starts from a real analysis (built once per session)

#: Longest a curation request may take in a warm worker (sub-clustering a theme is the slowest; about
#: 3 s on the shared 2-core machine at load average 16, so the bound is loose on purpose).
MAX_REQUEST_SECONDS = 15.0
#: Longest the worker's first curation request may take (it imports scikit-learn and SciPy).
FIRST_REQUEST_SECONDS = 30.0

WORKER = textwrap.dedent("""
    import json, sys, time
    from survey import create_app
    from survey.db import open_database
    from survey.store.staff import create_staff_user
    from survey.web.workspace.corrections import unit_token

    path, jobs = sys.argv[1], sys.argv[2]
    app = create_app({"DATABASE": path, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "ANALYSIS_JOBS_DIR": jobs})
    db = open_database(path)
    create_staff_user(db, "brm-worker", "correct horse battery", "brm")
    client = app.test_client()
    client.post("/staff/login", data={"username": "brm-worker", "password": "correct horse battery"})
    survey = db.execute("SELECT id FROM surveys ORDER BY id").fetchone()[0]
    seeded = [r[0] for r in db.execute(
        "SELECT id FROM themes WHERE kind = 'seeded' AND units > 0 ORDER BY units DESC, id")]
    proposals = [r[0] for r in db.execute(
        "SELECT id FROM themes WHERE kind = 'emerging' ORDER BY units DESC, id")]
    moved = db.execute("SELECT id FROM units WHERE theme_id = ? ORDER BY id", [seeded[1]]).fetchone()[0]
    picked = [r[0] for r in db.execute(
        "SELECT id FROM units WHERE theme_id = ? ORDER BY id LIMIT 6", [seeded[0]])]
    with app.app_context():  # pages name comments by opaque tokens, never by unit id
        moved, picked = unit_token(moved), [unit_token(unit_id) for unit_id in picked]
    base = f"/staff/surveys/{survey}/themes"
    steps = [
        ("merge", f"{base}/{seeded[3]}/merge", {"into": seeded[2]}),
        ("move", f"{base}/{seeded[1]}/move", {"unit_id": moved, "theme_id": seeded[2]}),
        ("split selected", f"{base}/{seeded[0]}/split", {"name": "Picked out", "unit_ids": picked}),
        ("split by sub-clusters", f"{base}/{seeded[1]}/split", {}),
        ("accept", f"{base}/{proposals[0]}/accept", {"name": ""}),
        ("dismiss", f"{base}/{proposals[1]}/dismiss", {}),
    ]
    report = {"steps": []}
    for name, url, data in steps:
        started = time.perf_counter()
        response = client.post(url, data=data)
        seconds = time.perf_counter() - started
        page = client.get(response.headers.get("Location", url))
        report["steps"].append({"name": name, "status": response.status_code, "page": page.status_code,
                                "seconds": seconds,
                                "error": "flash-error" in page.get_data(as_text=True)})
    report["merged_phrases"] = json.loads(db.execute(
        "SELECT key_phrases FROM themes WHERE id = ?", [seeded[2]]).fetchone()[0])
    report["spacy_loaded"] = "spacy" in sys.modules
    print(json.dumps(report))
""")


def test_curation_requests_never_load_spacy_and_stay_fast(analysed_copy, tmp_path):
    analysed = analysed_copy(build_demo_survey_with_uncovered_concerns)
    analysed.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    done = subprocess.run([sys.executable, "-c", WORKER, analysed.path, str(tmp_path / "jobs")],
                          capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    for step in report["steps"]:
        assert (step["status"], step["page"]) == (303, 200), report
        assert not step["error"], report
    # The first curation of a worker imports scikit-learn and SciPy; the later ones only compute.
    assert report["steps"][0]["seconds"] < FIRST_REQUEST_SECONDS, report
    assert max(step["seconds"] for step in report["steps"][1:]) < MAX_REQUEST_SECONDS, report
    assert report["merged_phrases"], "the merged theme's key phrases are recomputed"
    assert report["spacy_loaded"] is False
    print({step["name"]: round(step["seconds"], 2) for step in report["steps"]})
