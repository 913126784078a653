"""Nothing follows a websocket's close frame on the wire (issue 14: "Invalid frame header").

Werkzeug's server writes the WSGI response (``HTTP/1.1 200 OK``) after flask-sock's handler returns,
onto the socket that just carried the close frame; a browser reads those bytes as a broken frame and
logs "WebSocket ... failed: Invalid frame header". A raw-socket client here reads every byte the
server sends, up to the end of the stream, and parses it as frames.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import threading
import time

import pytest

from sandbox import create_app
from sandbox.live_wire import close_frame_end
from sandbox.server import Runner


class RawClient:
    """A websocket client on a bare socket: it sees every byte the server writes."""

    def __init__(self, url: str, path: str):
        host, port = url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def _read(self) -> bool:
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)

    def frame(self) -> tuple[int, bytes] | None:
        """The next whole frame (opcode, payload), or None when the stream ends first."""
        while True:
            parsed = _parse(self.buffer)
            if parsed is not None:
                opcode, payload, used = parsed
                self.buffer = self.buffer[used:]
                return opcode, payload
            if not self._read():
                return None

    def until_ready(self) -> None:
        while True:
            opcode, payload = self.frame()
            if opcode == 1 and json.loads(payload)["type"] == "ready":
                return

    def send_close(self) -> None:
        mask = os.urandom(4)
        payload = struct.pack("!H", 1000)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes((0x88, 0x80 | len(payload))) + mask + masked)

    def rest_after_close(self, timeout: float = 10) -> bytes:
        """Read frames up to the close frame, then every byte until the server ends the stream."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.frame()
            assert got is not None, "the stream ended without a close frame"
            if got[0] == 8:
                break
        while time.monotonic() < deadline:
            try:
                if not self._read():
                    return self.buffer
            except ConnectionResetError:
                return self.buffer
        raise AssertionError(f"the server kept the socket open after its close frame: {self.buffer[:80]!r}")


def _parse(data: bytes):
    if len(data) < 2:
        return None
    opcode, size, at = data[0] & 0x0F, data[1] & 0x7F, 2
    assert not data[1] & 0x80, "a server's frame must not be masked"
    if size == 126:
        if len(data) < 4:
            return None
        size, at = struct.unpack("!H", data[2:4])[0], 4
    elif size == 127:
        if len(data) < 10:
            return None
        size, at = struct.unpack("!Q", data[2:10])[0], 10
    assert data[0] & 0x70 == 0 and opcode in (0, 1, 2, 8, 9, 10), f"not a frame header: {data[:40]!r}"
    if len(data) < at + size:
        return None
    return opcode, data[at:at + size], at + size


@pytest.fixture
def serve(tmp_path):
    started = []

    def start(**config) -> Runner:
        app = create_app({"DATABASE": str(tmp_path / f"wire{len(started)}.db"), "TESTING": True, **config})
        runner = Runner(app, "127.0.0.1", 0)
        runner.start()
        started.append(runner)
        return runner

    yield start
    for runner in started:
        runner.stop(timeout=5)


@pytest.mark.parametrize("path", ["/ws/deliveries", "/ws/deliveries?status=failed", "/ws/inbox/wire"])
def test_nothing_follows_the_close_frame_when_the_client_closes(serve, path):
    """What the browser does on every live-log filter change: close, then open another."""
    server = serve()
    for _ in range(3):
        client = RawClient(server.url, path)
        client.until_ready()
        client.send_close()
        assert client.rest_after_close() == b""


def test_nothing_follows_the_close_frame_when_the_server_closes(serve):
    """A viewer that never answers a ping is closed by the server: its close frame ends the stream."""
    server = serve(LIVE_PING_SECONDS=0.3)
    client = RawClient(server.url, "/ws/deliveries")
    client.until_ready()
    assert client.rest_after_close() == b""


@pytest.mark.parametrize(("data", "end"), [
    (b"", None),
    (b"\x8a\x00", None),                      # a pong
    (b"\x88\x02\x03\xe8", 4),                 # a close
    (b"\x8a\x00\x88\x02\x03\xe8", 6),         # a pong, then a close (one write of simple-websocket's)
    (b"\x81\x7e\x00\x7e" + b"x" * 126, None),  # a 126-byte text frame
])
def test_close_frame_end_finds_the_close_frame(data, end):
    assert close_frame_end(data) == end


def test_a_pong_waits_for_the_frame_the_broadcaster_left_half_written():
    """simple-websocket's pong (another thread) never cuts into a frame the socket took only in part."""
    from sandbox.live import frame
    from sandbox.live_wire import Wire

    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    server, _address = listener.accept()
    listener.close()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        wire = Wire(server)
        frames = [frame(json.dumps({"n": n, "pad": "x" * 600}).encode()) for n in range(200)]
        wire.write(frames)
        assert wire.out  # the socket is full: part of a frame waits
        client.settimeout(10)
        received = bytearray()

        def read() -> None:
            while True:
                chunk = client.recv(1 << 16)
                if not chunk:
                    return
                received.extend(chunk)

        reader = threading.Thread(target=read)
        reader.start()
        wire.send(b"\x8a\x00")  # a pong, from simple-websocket's thread
        wire.send(b"\x88\x02\x03\xe8")  # the close frame shuts the sending side
        with pytest.raises(BrokenPipeError):
            wire.write([frames[0]])
        reader.join(10)
        opcodes = []
        data = bytes(received)
        while data:
            opcode, _payload, used = _parse(data)
            opcodes.append(opcode)
            data = data[used:]
        assert opcodes[-2:] == [10, 8] and opcodes[:-2] == [1] * 200
    finally:
        server.close()
        client.close()
