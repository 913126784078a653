"""The real `python run.py serve` process: seeding, clean stop on SIGINT/SIGTERM, no double seed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


class ServerProcess:
    """A `run.py serve` subprocess whose output is collected by a reader thread."""

    def __init__(self, db_path: str, *extra: str):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "serve", "--port", "0", "--db", db_path, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = self._wait_for_url()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.proc.poll() is None:
            for line in list(self.lines):
                match = re.search(r"listening on (http://\S+)", line)
                if match:
                    return match.group(1)
            time.sleep(0.05)
        self.proc.kill()
        raise AssertionError("server did not start:\n" + self.output)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def stop(self, sig=signal.SIGINT, timeout: float = 10) -> tuple[int, str]:
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("server did not stop in time:\n" + self.output) from None
        self._reader.join(5)
        return self.proc.returncode, self.output


def start_server(db_path: str, *extra: str) -> tuple[ServerProcess, str]:
    """Start `run.py serve` on a free port; return the process and its URL once it listens."""
    server = ServerProcess(db_path, *extra)
    return server, server.url


def stop_server(server: ServerProcess, sig=signal.SIGINT, timeout: float = 10) -> tuple[int, str]:
    return server.stop(sig, timeout)


def test_serve_seeds_once_and_stops_cleanly(tmp_path):
    db_path = str(tmp_path / "sandbox.db")
    proc, url = start_server(db_path)
    try:
        accounts = requests.get(url + "/api/managing-entity", timeout=5).json()
        names = [a["name"] for a in accounts]
        assert "Cool Account" in names and "The Siam Residences, Bangkok" in names
        cool = next(a for a in accounts if a["name"] == "Cool Account")
        hooks = requests.get(f"{url}/api/managing-entity/{cool['id']}/webhook/list", timeout=5).json()
        assert len(hooks) == 1
        assert hooks[0]["name"] == "Wink Stalker"
        assert hooks[0]["enabled"] is True
        assert hooks[0]["eventList"] == ["booking.create"]
        assert hooks[0]["eventUrl"] == url + "/inbox/demo"
        # a keep-alive connection left open must not hold up the stop
        session = requests.Session()
        session.get(url + "/api/health", timeout=5)
    finally:
        started = time.monotonic()
        code, out = stop_server(proc)
    assert code == 0, out
    assert time.monotonic() - started < 8
    assert "Traceback" not in out
    assert "development server" not in out.lower()

    proc, url2 = start_server(db_path)
    try:
        accounts = requests.get(url2 + "/api/managing-entity", timeout=5).json()
        assert sorted(a["name"] for a in accounts) == sorted(names)
        hooks = requests.get(f"{url2}/api/managing-entity/{cool['id']}/webhook/list", timeout=5).json()
        assert len(hooks) == 1
        # the demo webhook follows the sandbox to its new port
        assert hooks[0]["eventUrl"] == url2 + "/inbox/demo"
    finally:
        code, out = stop_server(proc, signal.SIGTERM)
    assert code == 0, out
    assert "Seeded" not in out
    assert "Stopped." in out


def test_no_seed_and_non_loopback_warning(tmp_path):
    proc, url = start_server(str(tmp_path / "empty.db"), "--no-seed", "--host", "0.0.0.0")
    try:
        assert requests.get(url.replace("0.0.0.0", "127.0.0.1") + "/api/managing-entity",
                            timeout=5).json() == []
    finally:
        code, out = stop_server(proc)
    assert code == 0
    assert "WARNING" in out and "not loopback" in out


def test_port_in_use_is_a_clear_error(tmp_path):
    proc, url = start_server(str(tmp_path / "a.db"), "--no-seed")
    try:
        port = url.rsplit(":", 1)[1]
        second = subprocess.run(
            [sys.executable, str(ROOT / "run.py"), "--port", port, "--db", str(tmp_path / "b.db")],
            capture_output=True, text=True, timeout=30, cwd=ROOT,
        )
        assert second.returncode != 0
        assert "Cannot listen" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        stop_server(proc)


@pytest.mark.parametrize("args", [["--port", "70000"], ["--port", "abc"]])
def test_bad_options_are_clear(args, tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "run.py"), "serve", *args, "--db",
                             str(tmp_path / "x.db")], capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert result.returncode == 2
    assert "Invalid value" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("env", "named"), [
    ({"SANDBOX_RETRY_PRESET": "turbo"}, "RETRY_PRESET"),
    ({"SANDBOX_WORKER_THREADS": "0"}, "WORKER_THREADS"),
    ({"SANDBOX_MAX_BODY_BYTES": "lots"}, "SANDBOX_MAX_BODY_BYTES='lots'"),
    ({"SANDBOX_LIVE_QUEUE_SIZE": "-1"}, "SANDBOX_LIVE_QUEUE_SIZE='-1' is too small"),
    ({"SANDBOX_REQUEST_TIMEOUT": "0"}, "REQUEST_TIMEOUT"),
    ({"SANDBOX_RETRY_SCHEDULE": "[1,"}, "RETRY_SCHEDULE"),
    ({"SANDBOX_GC_YOUNG_THRESHOLD": "5"}, "SANDBOX_GC_YOUNG_THRESHOLD='5' is too small"),
    ({"SANDBOX_GC_YOUNG_THRESHOLD": "often"}, "SANDBOX_GC_YOUNG_THRESHOLD='often'"),
])
def test_bad_settings_are_a_clear_error_not_a_traceback(env, named, tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "run.py"), "serve", "--port", "0", "--db",
                             str(tmp_path / "x.db")], capture_output=True, text=True, timeout=30, cwd=ROOT,
                            env={**os.environ, **env})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ") and named in result.stderr
    assert "SANDBOX_" in result.stderr  # says where settings come from
