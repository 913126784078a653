"""The socket under one live websocket: one writer at a time, and nothing after the close frame.

Two things broke frames in browsers ("WebSocket ... failed: Invalid frame header", issue 14):

- **Bytes after the close frame.** Werkzeug's server, once flask-sock's handler returns, writes the
  WSGI response (``HTTP/1.1 200 OK ...``) onto the same socket. The close frame has gone out by then
  (simple-websocket's reply to the browser's close, or flask-sock's own close), so the browser reads
  the status line as a frame. ``Wire`` shuts the socket's sending side right after a close frame, so
  that response, and any live frame still on its way, fail with ``EPIPE`` (Werkzeug treats that as a
  dropped connection) instead of reaching the browser.
- **Interleaved writers.** The broadcaster thread writes frames without waiting and may leave half of
  one for later, while simple-websocket's reader thread writes pongs and the close reply. Every write
  goes through ``Wire``'s lock, and a control frame first finishes whatever frame waits, so frames
  never cut into each other.

``attach`` puts a ``Wire`` in the place of ``websocket.sock``: simple-websocket only calls ``send``,
``recv`` and ``close`` on it, and the live viewer writes through ``write``, ``flush`` and ``sendall``.
"""

from __future__ import annotations

import contextlib
import socket
import threading

CLOSE = 0x8


def close_frame_end(data: bytes) -> int | None:
    """Where the first close frame in ``data`` (whole server frames, unmasked) ends, or None."""
    at = 0
    while at + 2 <= len(data):
        opcode, size, head = data[at] & 0x0F, data[at + 1] & 0x7F, 2
        if size == 126:
            size, head = int.from_bytes(data[at + 2:at + 4], "big"), 4
        elif size == 127:
            size, head = int.from_bytes(data[at + 2:at + 10], "big"), 10
        at += head + size
        if opcode == CLOSE:
            return at
    return None


class Wire:
    """A websocket's socket shared by the broadcaster, the request thread and simple-websocket's reader."""

    IOV = 512  # frames per ``sendmsg`` (the kernel takes at most IOV_MAX, 1024)

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.lock = threading.Lock()
        self.out: list[bytes] = []  # frames (the first maybe cut) the socket has not taken yet
        self.closed = False  # the close frame has gone out: the sending side is shut

    # What simple-websocket calls ---------------------------------------------------------------

    def send(self, data: bytes) -> int:
        """Send a control frame (pong, close) whole, after what waits; shut the sending side after a
        close frame."""
        with self.lock:
            if self.closed:
                raise BrokenPipeError("the websocket's close frame was sent")
            end = close_frame_end(data)
            pending, self.out = b"".join(self.out), []
            self.sock.sendall(pending + (data if end is None else data[:end]))
            if end is not None:
                self._shut()
        return len(data)

    def recv(self, size: int) -> bytes:
        return self.sock.recv(size)

    def close(self) -> None:
        self.sock.close()

    def fileno(self) -> int:
        return self.sock.fileno()

    # What the live viewer calls ----------------------------------------------------------------

    def sendall(self, data: bytes) -> None:
        """Blocking write (the handler's history, before the broadcaster writes to this viewer)."""
        with self.lock:
            if self.closed:
                raise BrokenPipeError("the websocket's close frame was sent")
            self.sock.sendall(data)

    def write(self, parts: list[bytes]) -> None:
        """Hand ``parts`` (after what waits) to the socket without waiting; keep what it does not take.

        ``parts`` is not changed (viewers that want everything share one list). Writes are
        scatter-gather (``sendmsg`` of the frames as they are), never one joined buffer: a busy
        round's join ran to hundreds of KB and left glibc's heap fragmented (issue 13).
        """
        with self.lock:
            if self.closed:
                raise BrokenPipeError("the websocket's close frame was sent")
            pending = self.out + parts if self.out else list(parts)
            taken = 0  # whole parts handed over
            try:
                while taken < len(pending):
                    chunk = pending[taken:taken + self.IOV]
                    sent = self.sock.sendmsg(chunk, (), socket.MSG_DONTWAIT)
                    for part in chunk:
                        if sent < len(part):
                            if sent:
                                pending[taken] = part[sent:]
                            break
                        sent -= len(part)
                        taken += 1
                    else:
                        continue
                    break  # the socket's buffer is full
            except BlockingIOError:
                pass
            finally:
                self.out = pending[taken:]

    def shut_after(self, reader: threading.Thread, timeout: float = 2) -> None:
        """Shut the sending side once simple-websocket's ``reader`` thread has ended (it marks the
        websocket closed before it sends its close reply, which must still go out)."""
        reader.join(timeout)
        with self.lock:
            self._shut()

    def _shut(self) -> None:
        self.closed = True
        self.out = []
        with contextlib.suppress(OSError):  # already reset by the client
            self.sock.shutdown(socket.SHUT_WR)


def attach(websocket) -> Wire:
    """Route every write of ``websocket`` (a simple-websocket ``Server``) through one ``Wire``."""
    wire = websocket.sock if isinstance(websocket.sock, Wire) else Wire(websocket.sock)
    websocket.sock = wire
    return wire
