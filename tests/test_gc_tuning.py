"""`serve` tunes Python's garbage collector once started: start-up objects frozen, a larger young threshold.

Observed from inside a real `serve` process: a thread started before the command watches the collector,
and once the server listens it reports what it sees and stops the server with SIGINT, as Ctrl-C would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WATCHER = r"""
import gc, json, os, signal, sys, threading, time, urllib.request, weakref

def watch():
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if gc.get_freeze_count() and os.path.exists(sys.argv[2]):
            break
        time.sleep(0.05)
    url = open(sys.argv[2]).read().strip() if os.path.exists(sys.argv[2]) else None
    answer = urllib.request.urlopen(url + "/api/health", timeout=5).status if url else None

    class Node:
        pass
    a, b = Node(), Node()
    a.other, b.other = b, a          # a cycle made after start-up: garbage the collector must still free
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    print("REPORT " + json.dumps({"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold(),
                                  "health": answer, "cycle_freed": gone() is None}), flush=True)
    os.kill(os.getpid(), signal.SIGINT)

threading.Thread(target=watch, daemon=True).start()

import click
from sandbox import cli
from sandbox.server import Runner
started = Runner.start
def start(self):
    url = started(self)
    open(sys.argv[2], "w").write(url)
    return url
Runner.start = start                  # only to learn the URL: the tuning under test is serve's own
cli.main(["serve", "--port", "0", "--no-seed", "--db", sys.argv[1]])
"""


def run_serve(tmp_path, env: dict) -> dict:
    script = tmp_path / "watch.py"
    script.write_text(WATCHER)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "gc.db"), str(tmp_path / "url.txt")],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env={**os.environ, **env},
    )
    reports = [line for line in result.stdout.splitlines() if line.startswith("REPORT ")]
    assert reports, result.stdout + result.stderr
    assert "Stopped." in result.stdout and "Traceback" not in result.stderr
    return json.loads(reports[0].removeprefix("REPORT "))


def test_serve_freezes_start_up_objects_and_raises_the_young_threshold(tmp_path):
    seen = run_serve(tmp_path, {})
    assert seen["health"] == 200
    assert seen["frozen"] > 10_000        # Flask, Faker and the catalog: out of every collection's reach
    assert seen["threshold"][0] == 10_000  # the default of GC_YOUNG_THRESHOLD (Python's own is 700)
    assert seen["cycle_freed"] is True     # garbage made after start-up is still collected


def test_the_young_threshold_is_a_setting(tmp_path):
    seen = run_serve(tmp_path, {"SANDBOX_GC_YOUNG_THRESHOLD": "700"})
    assert seen["threshold"][0] == 700
    assert seen["frozen"] > 10_000
