"""A small HTTP client for the command line: talks to a running sandbox at ``--server``.

Every failure becomes a ``click.ClickException`` a person can act on: no sandbox listening there
(with how to start one), a missing or wrong API token, or the API's problem+json detail with the
fields it names.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlencode, urlsplit

import click
import requests

DEFAULT_SERVER = "http://127.0.0.1:8000"
TIMEOUT = 30.0


def default_server() -> str:
    return os.environ.get("SANDBOX_SERVER") or DEFAULT_SERVER


class NoSandbox(click.ClickException):
    """Nothing (or not a sandbox) answers at the server URL."""

    def __init__(self, server: str, reason: str = ""):
        why = f" ({reason})" if reason else ""
        super().__init__(f"No sandbox running at {server}{why}: start it with `python run.py` "
                         "(or point --server / SANDBOX_SERVER at the one you started).")


class APIProblem(click.ClickException):
    """The sandbox answered with an error; the message carries its detail and fields."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None, body: Any = None):
        self.status = status
        self.errors = errors or []
        self.body = body
        lines = [f"{detail} (HTTP {status})"]
        lines += [f"  {e.get('field')}: {e.get('message')}" for e in self.errors
                  if e.get("message") and e.get("message") not in detail]
        super().__init__("\n".join(lines))


class SandboxClient:
    """JSON calls to one sandbox, with its token; ``trust_env`` off (only local URLs, no proxies)."""

    def __init__(self, server: str | None = None, token: str | None = None, timeout: float = TIMEOUT):
        server = (server or default_server()).rstrip("/")
        parts = urlsplit(server)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(f"{server!r} is not an http(s) URL such as {DEFAULT_SERVER}",
                                     param_hint="--server")
        self.server = server
        self.token = token if token is not None else (os.environ.get("SANDBOX_TOKEN") or None)
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False
        if self.token:
            self.session.headers["Authorization"] = f"Bearer {self.token}"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> SandboxClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def url(self, path: str, params: dict | None = None) -> str:
        query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        return self.server + path + (("?" + urlencode(query, doseq=True)) if query else "")

    def ws_url(self, path: str, params: dict | None = None) -> str:
        """The websocket URL of ``path`` (ws:// or wss://), with ``params``."""
        url = self.url(path, params)
        return "ws" + url[4:] if url.startswith("http") else url

    def request(self, method: str, path: str, *, json: Any = None, params: dict | None = None,
                timeout: float | None = None) -> Any:
        """Call the API; return the parsed JSON (or text); raise a ClickException on any failure."""
        try:
            response = self.session.request(method, self.url(path, params), json=json,
                                            timeout=timeout or self.timeout)
        except requests.ConnectionError as exc:
            raise NoSandbox(self.server, _reason(exc)) from None
        except requests.Timeout:
            raise click.ClickException(
                f"The sandbox at {self.server} did not answer {method} {path} within "
                f"{timeout or self.timeout:.0f} s.") from None
        return self._answer(response, method, path)

    def _answer(self, response: requests.Response, method: str, path: str) -> Any:
        kind = response.headers.get("Content-Type", "")
        body: Any = None
        if "json" in kind:
            try:
                body = response.json()
            except ValueError:
                body = None
        if response.status_code == 401:
            hint = ("pass --token or set SANDBOX_TOKEN" if not self.token
                    else "the token given (--token / SANDBOX_TOKEN) is not the sandbox's")
            raise click.ClickException(f"The sandbox at {self.server} needs an API token: {hint}.")
        if response.status_code >= 400:
            if isinstance(body, dict) and "detail" in body:
                raise APIProblem(response.status_code, body["detail"], body.get("errors"), body)
            if response.status_code == 404 and not path.startswith("/api/health"):
                self.health()  # is it a sandbox at all? raises NoSandbox when not
            raise APIProblem(response.status_code, f"{method} {path} failed: {response.reason}")
        if body is None and response.content and "json" not in kind:
            return response.text
        return body

    def download(self, path: str, out: Any, params: dict | None = None) -> int:
        """GET ``path`` and stream the answer's bytes into ``out`` (a binary file); return how many."""
        try:
            with self.session.get(self.url(path, params), stream=True, timeout=self.timeout) as response:
                if response.status_code >= 400:
                    return self._answer(response, "GET", path)
                written = 0
                for chunk in response.iter_content(1 << 16):
                    out.write(chunk)
                    written += len(chunk)
                return written
        except requests.ConnectionError as exc:
            raise NoSandbox(self.server, _reason(exc)) from None

    def upload(self, path: str, stream: Any, params: dict | None = None, *,
               content_type: str = "application/octet-stream") -> Any:
        """POST a binary file's bytes as the body, streamed; return the parsed answer."""
        try:
            response = self.session.post(self.url(path, params), data=stream, timeout=self.timeout,
                                         headers={"Content-Type": content_type})
        except requests.ConnectionError as exc:
            raise NoSandbox(self.server, _reason(exc)) from None
        return self._answer(response, "POST", path)

    def get(self, path: str, **params) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any = None, **params) -> Any:
        return self.request("POST", path, json=body, params=params)

    def health(self) -> dict:
        """Check that a sandbox answers; NoSandbox when something else (or nothing) does."""
        try:
            response = self.session.get(self.url("/api/health"), timeout=self.timeout)
        except requests.RequestException as exc:
            raise NoSandbox(self.server, _reason(exc)) from None
        if response.status_code == 401:
            return self._answer(response, "GET", "/api/health")
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict) or body.get("status") != "ok":
            raise NoSandbox(self.server, f"something else answers there: HTTP {response.status_code}")
        return body


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "Connection reset",
                   "No route to host"):
        if marker in text:
            return marker.lower()
    return "cannot connect"
