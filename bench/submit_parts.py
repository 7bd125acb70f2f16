"""Where a partner submission's server CPU goes, part by part, through straight WSGI calls.

``bench/submit_inprocess.py`` times whole requests through Flask's test client, whose own work
(building the environ, keeping cookies) is part of every figure and moves them by +-0.05 ms between
runs. Here each request is one call of the app's WSGI callable on an environ built beforehand, and
chosen functions are wrapped with ``time.process_time`` so that each part is timed *inside* the
request, where its caches are as cold as they are in production (redaction's cost in a loop of its
own: ``python -m eval.redaction_parts``). Same virtual partners as ``bench/submit.py``; production
config, throttle on, a fresh temporary database.

Usage: ``.venv/bin/python bench/submit_parts.py [--submissions 2000]``
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import string
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from submit import _answers  # noqa: E402  (bench/submit.py)
from submit_inprocess import FIELDS, HIDDEN, clients  # noqa: E402

#: (module, attribute) of each part timed; a module's own reference to an imported function is
#: wrapped where the caller looks it up.
PARTS = [
    ("flask.app", "Flask.wsgi_app"), ("flask.app", "Flask.full_dispatch_request"),
    ("flask.app", "Flask.preprocess_request"), ("flask.app", "Flask.process_response"),
    ("flask.app", "Flask.request_context"), ("flask.ctx", "RequestContext.push"),
    ("flask.ctx", "RequestContext.pop"), ("werkzeug.wrappers.response", "Response.__call__"),
    ("survey.web.partner.answer", "_submit"), ("survey.web.partner.answer", "_blank_public_form"),
    ("survey.web.partner.answer", "_body_is_utf8"), ("survey.web.partner.answer", "plainly_valid"),
    ("survey.web.partner.answer", "record_response"), ("survey.web.partner.answer", "wave_definition"),
    ("survey.web.partner.answer", "blank_form_page"), ("survey.web.partner.answer", "redirect"),
    ("survey.web.partner.answer", "url_for"), ("survey.web.partner.tokens", "form_token_nonce"),
    ("survey.web.throttles", "submission_ticket"), ("survey.store.responses.submission", "redact_many"),
    ("survey.store.responses.group_commit", "GroupCommit.write"),
]


def call(app, environ: dict) -> tuple[float, str, list, bytes]:
    """CPU seconds of one WSGI call (body included), with its status, headers and body."""
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=headers)

    started = time.process_time()
    chunks = app(environ, start_response)
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return time.process_time() - started, answer["status"], answer["headers"], body


def submission(app, path: str, rng: random.Random) -> tuple[float, float]:
    """One partner (a new browser): CPU seconds of the GET and of the POST."""
    from werkzeug.test import EnvironBuilder

    got, _, headers, body = call(app, EnvironBuilder(path=path, method="GET").get_environ())
    cookie = "; ".join(value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie")
    html = body.decode()
    form = dict(HIDDEN.findall(html))
    names = sorted(set(FIELDS.findall(html)), key=lambda name: int(name[1:]))
    marker = "".join(rng.choice(string.ascii_lowercase) for _ in range(10))
    form.update(_answers("rapport", names, rng, marker))
    environ = EnvironBuilder(path=path, method="POST", data=urlencode(form), headers={"Cookie": cookie},
                             content_type="application/x-www-form-urlencoded").get_environ()
    posted, status, _, _ = call(app, environ)
    if not status.startswith("303"):
        raise SystemExit(f"POST answered {status}")
    return got, posted


def timed(totals: dict[str, float], label: str, function: Callable) -> Callable:
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.process_time() - started
    return wrapper


def parts(app, path: str, count: int, rng: random.Random) -> None:
    """Print each part's CPU a submission, inclusive (parts nest: Flask's hold the view's)."""
    totals: dict[str, float] = {}
    for module_name, attribute in PARTS:
        owner = importlib.import_module(module_name)
        *outer, name = attribute.split(".")
        for part in outer:
            owner = getattr(owner, part)
        label = f"{module_name.rsplit('.', 1)[-1]}.{attribute}"
        setattr(owner, name, timed(totals, label, getattr(owner, name)))
    for _ in range(200):
        submission(app, path, rng)
    totals.clear()
    get = post = 0.0
    for _ in range(count):
        got, posted = submission(app, path, rng)
        get, post = get + got, post + posted
    print(f"{count} submissions; load average {os.getloadavg()[0]:.2f}; CPU a submission: GET "
          f"{1e6 * get / count:.0f} us, POST {1e6 * post / count:.0f} us (timers included)")
    for label, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {1e6 * seconds / count:7.1f} us  {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2000, help="submissions timed part by part")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        client, path = clients(tmp)["rapport"]
        parts(client.application, path, args.submissions, rng)


if __name__ == "__main__":
    main()
