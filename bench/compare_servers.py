"""Run ``slow_clients.py`` and ``submit.py`` for several server configurations, back to back.

The machine is shared, so each configuration's two runs follow each other and the load average
(``uptime``) is printed beside every figure; repeat the best configurations to see the noise.

Usage: ``.venv/bin/python bench/compare_servers.py [--servers waitress:1x8,gunicorn-gevent:2x100]
[--rounds 1] [--slow-duration 15] [--submit-duration 10]``
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DEFAULT_SERVERS = ("gunicorn-sync:2x1,gunicorn-gthread:2x4,gunicorn-gthread:2x32,gunicorn-gevent:2x100,"
                   "waitress:1x8,granian:2x32")


def uptime() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run(command: list[str]) -> str:
    result = subprocess.run([sys.executable, *command], capture_output=True, text=True, timeout=600)
    return result.stdout + result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", default=DEFAULT_SERVERS)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--slow-duration", type=float, default=15.0)
    parser.add_argument("--submit-duration", type=float, default=10.0)
    args = parser.parse_args()
    for round_number in range(1, args.rounds + 1):
        for server in args.servers.split(","):
            before = uptime()
            slow = run([str(BENCH / "slow_clients.py"), "--server", server,
                        "--duration", str(args.slow_duration)])
            middle = uptime()
            submit = run([str(BENCH / "submit.py"), "--server", server,
                          "--duration", str(args.submit_duration)])
            after = uptime()
            print(f"== round {round_number} {server}  load {before} | {middle} | {after}", flush=True)
            for line in slow.splitlines() + submit.splitlines():
                if re.search(r"quiet|trickle  |budget|submissions/s|ratio|missing|Traceback|Error", line):
                    print("   ", line.strip(), flush=True)


if __name__ == "__main__":
    main()
