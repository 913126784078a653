"""Pieces the benchmarks share: a bare asyncio HTTP/1.1 receiver (run in a child process) and percentiles."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

# answer(method, path, lower-cased headers, monotonic arrival time) -> the body of a 200 answer
Answer = Callable[[str, str, dict[str, str], float], Awaitable[bytes]]


def serve_fast_receiver(answer: Answer) -> None:
    """Serve HTTP/1.1 with keep-alive on 127.0.0.1, answering every request 200 with ``answer``'s body.

    Prints the port on the first line of stdout, then serves until killed.
    """

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                now = time.monotonic()
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                body = await answer(method, path, headers, now)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        print(server.sockets[0].getsockname()[1], flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``th percentile of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(call, repeat: int) -> tuple[float, float]:
    """Return the median and the slowest of ``repeat`` calls, in ms (after one warm-up call)."""
    call()
    times = []
    for _ in range(repeat):
        begun = time.perf_counter()
        call()
        times.append((time.perf_counter() - begun) * 1000)
    return statistics.median(times), max(times)
