"""The bundle file: gzip-compressed NDJSON, one JSON record a line, described by docs/bundle.schema.json.

The first line is the header (``"type": "bundle"``, ``formatVersion`` ``MAJOR.MINOR``), the last the
``end`` record with the count of every record type (a file cut short has none). Between them come
``scenario``, ``account``, ``webhook``, ``event``, ``delivery``, ``attempt`` and ``capture`` records.
Byte strings (an event's body, attempt and capture bodies) are ``{"encoding": "utf-8" | "base64",
"data": ..., "sha256": ...}``: the exact bytes, readable when they are UTF-8 text.

Versions: a reader refuses a newer major (``BundleError`` says which version it reads); a newer minor
only adds optional fields and record types, which a reader skips. Writing and reading stream line by
line, so memory stays flat whatever the size.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Iterator
from typing import IO

FORMAT_VERSION = "1.0"
MAJOR, MINOR = (int(part) for part in FORMAT_VERSION.split("."))
SUFFIX = ".wsbundle.ndjson.gz"
MEDIA_TYPE = "application/gzip"
TYPES = ("bundle", "scenario", "account", "webhook", "event", "delivery", "attempt", "capture", "end")
# What each record must hold; the schema (docs/bundle.schema.json) says the rest.
REQUIRED = {
    "scenario": ("runId", "fixture", "params"),
    "account": ("id", "name"),
    "webhook": ("id", "accountId", "eventUrl"),
    "event": ("id", "key", "accountId", "createdAt", "body"),
    "delivery": ("id", "eventId", "webhookId", "status", "createdAt"),
    "attempt": ("deliveryId", "attempt", "startedAt", "request"),
    "capture": ("id", "inbox", "receivedAt", "headers"),
    "end": ("counts",),
}
_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class BundleError(ValueError):
    """A bundle that cannot be read: corrupt, cut short, of a newer format, or not a bundle at all."""

    def __init__(self, message: str, *, line: int | None = None, kind: str = "invalid-bundle"):
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line
        self.kind = kind


# ---- byte strings -------------------------------------------------------------------------------

def encode_bytes(data: bytes | None) -> dict | None:
    """Wrap exact bytes for a record: text when they are UTF-8, base64 otherwise, with their SHA-256."""
    if data is None:
        return None
    data = bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    try:
        return {"encoding": "utf-8", "data": data.decode("utf-8"), "sha256": digest}
    except UnicodeDecodeError:
        return {"encoding": "base64", "data": base64.b64encode(data).decode("ascii"), "sha256": digest}


def decode_bytes(value: dict | None, *, field: str = "body", check: bool = True) -> bytes | None:
    """Unwrap ``encode_bytes``'s form back to the exact bytes; BundleError when they do not match the hash."""
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("encoding") not in ("utf-8", "base64") \
            or not isinstance(value.get("data"), str):
        raise BundleError(f"{field} is not {{encoding: utf-8|base64, data, sha256}}")
    try:
        data = (value["data"].encode("utf-8") if value["encoding"] == "utf-8"
                else base64.b64decode(value["data"], validate=True))
    except (ValueError, UnicodeEncodeError):
        raise BundleError(f"{field} cannot be decoded as {value['encoding']}") from None
    if check and value.get("sha256") is not None and hashlib.sha256(data).hexdigest() != value["sha256"]:
        raise BundleError(f"{field}'s bytes do not match its sha256: the bundle was altered or damaged")
    return data


# ---- writing ------------------------------------------------------------------------------------

class Writer:
    """Write records to a gzip NDJSON stream; counts them and writes the ``end`` record on ``close``.

    Level 1 compresses a bundle about ten times (the same envelope keys and headers on every line)
    at a third of level 6's time, which is most of an export's CPU.
    """

    def __init__(self, out: IO[bytes], header: dict, *, level: int = 1):
        self._gzip = gzip.GzipFile(fileobj=out, mode="wb", compresslevel=level, mtime=0)
        self._buffer = io.BufferedWriter(self._gzip, buffer_size=1 << 16)
        self.counts: dict[str, int] = {}
        self.write({"type": "bundle", "formatVersion": FORMAT_VERSION, **header})

    def write(self, record: dict) -> None:
        self._buffer.write(_DUMPS(record).encode("utf-8") + b"\n")
        kind = record["type"]
        if kind != "bundle":
            self.counts[kind] = self.counts.get(kind, 0) + 1

    def close(self) -> dict:
        """Write the ``end`` record, finish the gzip stream (the output stays open); return the counts."""
        counts = dict(self.counts)
        self._buffer.write(_DUMPS({"type": "end", "counts": counts}).encode("utf-8") + b"\n")
        self._buffer.flush()
        self._gzip.close()
        return counts


# ---- reading ------------------------------------------------------------------------------------

def check_version(version: object) -> tuple[int, int]:
    """Return ``(major, minor)`` of a header's formatVersion, or BundleError (a newer major is refused)."""
    if not isinstance(version, str) or not version.count(".") == 1 \
            or not all(p.isdigit() for p in version.split(".")):
        raise BundleError(f"the header's formatVersion {version!r} is not MAJOR.MINOR "
                          f"(such as {FORMAT_VERSION})", line=1)
    major, minor = (int(p) for p in version.split("."))
    if major > MAJOR:
        raise BundleError(f"this bundle has format version {version}, newer than this sandbox reads "
                          f"({MAJOR}.x): import it with a newer Webhook Sandbox", line=1, kind="newer-bundle")
    if major < 1:
        raise BundleError(f"format version {version} is not one any Webhook Sandbox wrote", line=1)
    return major, minor


def records(stream: IO[bytes]) -> Iterator[tuple[int, bytes, dict]]:
    """Yield ``(line number, raw line, record)`` of a bundle stream, header first, ``end`` last.

    Raises BundleError for anything amiss: not gzip, a damaged or cut gzip stream, a line that is not a
    JSON object, a record missing what its type needs, a newer major version, or no ``end`` record
    (cut short). Records of a type this version does not know are skipped when the bundle's minor
    version is newer, refused otherwise. The ``end`` counts must match what was read.
    """
    gz = gzip.GzipFile(fileobj=stream, mode="rb")
    lines = io.BufferedReader(gz, buffer_size=1 << 16)
    number, minor, counts, ended = 0, MINOR, {}, False
    try:
        for raw in lines:
            number += 1
            if ended:
                raise BundleError("a record after the end record", line=number)
            if not raw.endswith(b"\n"):
                raise BundleError("the last line is cut short: the bundle is truncated", line=number,
                                  kind="truncated-bundle")
            try:
                record = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                raise BundleError(f"not a JSON record ({exc})", line=number) from None
            if not isinstance(record, dict) or not isinstance(record.get("type"), str):
                raise BundleError("a record is a JSON object with a type", line=number)
            kind = record["type"]
            if number == 1:
                if kind != "bundle":
                    raise BundleError("the first line is not a bundle header ({\"type\": \"bundle\", ...})",
                                      line=1)
                minor = check_version(record.get("formatVersion"))[1]
                yield number, raw, record
                continue
            if kind not in TYPES or kind == "bundle":
                if minor > MINOR and kind != "bundle":
                    continue  # a newer minor's record type: skipped, as the version rule says
                raise BundleError(f"unknown record type {kind!r}", line=number)
            missing = [name for name in REQUIRED.get(kind, ()) if record.get(name) is None]
            if missing:
                raise BundleError(f"a {kind} record needs {', '.join(missing)}", line=number)
            if kind == "end":
                ended = True
                if record["counts"] != counts:
                    raise BundleError(f"the end record counts {record['counts']} but the bundle holds "
                                      f"{counts}", line=number)
            else:
                counts[kind] = counts.get(kind, 0) + 1
            yield number, raw, record
    except (OSError, EOFError, zlib.error) as exc:
        if number == 0 and isinstance(exc, gzip.BadGzipFile):
            raise BundleError("not a bundle: the file is not gzip-compressed (a bundle is "
                              f"*{SUFFIX}, gzip-compressed NDJSON)", kind="invalid-bundle") from None
        truncated = isinstance(exc, EOFError)
        raise BundleError(("the bundle is truncated: the compressed stream ends early" if truncated
                           else f"the compressed data is damaged ({exc})"),
                          line=number + 1 if number else None,
                          kind="truncated-bundle" if truncated else "invalid-bundle") from None
    if number == 0:
        raise BundleError("the bundle is empty")
    if not ended:
        raise BundleError("the bundle has no end record: it is truncated", line=number,
                          kind="truncated-bundle")
