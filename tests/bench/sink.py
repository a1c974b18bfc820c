"""A plain HTTP/1.1 sink on 127.0.0.1 for the streaming, fan-out and transfer sections, run in its own
process, one thread per connection: fast, discarding, and just S3-like enough for boto3's and
s3lite's managed transfers (it checks no signature, keeps no object).

Objects it serves: ``/<bucket>/<digits>`` is an object of that many bytes (any other key: 1 MiB) whose
byte ``i`` is ``i % 256`` (:data:`PATTERN` repeated), except the first 8 bytes of every MiB, which
carry the MiB's index XORed into the pattern (:func:`block`; MiB 0 is the plain pattern). So a
downloaded file is checked cheaply, and a range written at the wrong offset shows.

- ``GET``: the object, 200 with Content-Length; with ``Range: bytes=a-b``, 206 with that slice and
  Content-Range; an ``If-Match`` other than the object's ETag: 412 PreconditionFailed.
- ``HEAD``: the object's Content-Length, ETag, Last-Modified, Accept-Ranges.
- ``POST ?uploads``: InitiateMultipartUploadResult with a fresh UploadId.
- ``PUT ?partNumber=N&uploadId=U``: the body read and discarded, its byte count, first and last
  :data:`EDGE` bytes kept for the part; 200 with an ETag (404 NoSuchUpload for an unknown upload).
- ``POST ?uploadId=U``: CompleteMultipartUploadResult (ETag ``"...-N"``); the object's record (its
  parts, the part numbers and ETags the request listed) kept for ``GET /_sink/stats/<key>``.
- ``DELETE ?uploadId=U``: 204, the upload forgotten and counted as aborted.
- ``PUT``/``POST`` otherwise: the body read and discarded, 200 with an ETag (a PUT recorded as the key's
  object).
- ``GET /_sink/stats[/<key>]``: JSON, the sink's own CPU seconds so far (``cpu``), the uploads still
  open, the aborts, and the key's object record (``object``, null if none).

Every request body is counted as it arrives: with Content-Length, ``Transfer-Encoding: chunked`` or
``Content-Encoding: aws-chunked`` (framing and trailers stripped); every response carries
``x-sink-received``, the body's byte count once Transfer-Encoding is undone (aws-chunked framing still
counted, as the streaming section expects; the record holds the decoded count).
Run as ``python -m tests.bench.sink``: it prints its port, serves until its stdin closes, then exits.
"""

from __future__ import annotations

import json
import re
import resource
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

#: One MiB of a repeating pattern: what object bodies are cut from.
PATTERN = bytes(range(256)) * 4096
BLOCK = len(PATTERN)
#: bytes kept from each end of a part, to check that each part holds the bytes it should
EDGE = 16
_BUFFER = 1 << 20
_ETAG = '"5d41402abc4b2a76b9719d911017c592"'
_LAST_MODIFIED = "Wed, 12 Oct 2009 17:50:00 GMT"
_NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
_PART = re.compile(r"<Part>(.*?)</Part>", re.DOTALL)
_PART_NUMBER = re.compile(r"<PartNumber>\s*(\d+)\s*</PartNumber>")
_PART_ETAG = re.compile(r"<ETag>([^<]*)</ETag>")


def stamp(index: int) -> bytes:
    """The first 8 bytes of MiB ``index`` of every object: the index XORed into the pattern."""
    return bytes(a ^ b for a, b in zip(PATTERN[:8], index.to_bytes(8, "big"), strict=True))


def block(index: int) -> bytes:
    """MiB ``index`` of every object, whole (an object's last MiB is the start of this)."""
    return stamp(index) + PATTERN[8:]


def write_object(path: str | Path, size: int) -> None:
    """Write the ``size``-byte object the sink serves to ``path`` (what the transfer section uploads)."""
    with open(path, "wb") as out:
        out.writelines(block(index)[: min(BLOCK, size - index * BLOCK)] for index in range(-(-size // BLOCK)))


# --- the shared state: uploads in progress, objects completed ---------------------------------------


@dataclass
class Part:
    size: int
    head: bytes
    tail: bytes

    def as_json(self, number: int) -> dict[str, Any]:
        return {"number": number, "size": self.size, "head": self.head.hex(), "tail": self.tail.hex()}


@dataclass
class Upload:
    key: str
    parts: dict[int, Part] = field(default_factory=dict)


class State:
    """What the connections' threads share, behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.uploads: dict[str, Upload] = {}
        self.objects: dict[str, dict[str, Any]] = {}
        self.aborted = 0
        self._ids = count(1)

    def new_upload(self, key: str) -> str:
        with self.lock:
            upload_id = f"sink-upload-{next(self._ids)}-{time.monotonic_ns()}"
            self.uploads[upload_id] = Upload(key)
        return upload_id

    def stats(self, key: str | None) -> dict[str, Any]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with self.lock:
            return {
                "cpu": usage.ru_utime + usage.ru_stime,
                "open_uploads": len(self.uploads),
                "aborted": self.aborted,
                "object": self.objects.get(key) if key else None,
            }


STATE = State()


# --- reading requests -------------------------------------------------------------------------------


class Tally:
    """A body as it streams by: its byte count, its first and last :data:`EDGE` bytes, and (for small
    bodies that are read, like CompleteMultipartUpload's) the bytes themselves."""

    def __init__(self, keep: bool = False) -> None:
        self.size = 0
        self.head = b""
        self.tail = b""
        self.kept = bytearray() if keep else None

    def add(self, data: memoryview | bytes) -> None:
        if not data:
            return
        if len(self.head) < EDGE:
            self.head += bytes(data[: EDGE - len(self.head)])
        self.tail = (self.tail + bytes(data[-EDGE:]))[-EDGE:]
        self.size += len(data)
        if self.kept is not None:
            self.kept += data


class AwsChunked:
    """Decodes ``Content-Encoding: aws-chunked`` framing (``<hex>;chunk-signature=...\\r\\n<data>\\r\\n``
    ... ``0;...\\r\\n<trailers>\\r\\n``) fed in arbitrary pieces, passing the data on to ``out``."""

    def __init__(self, out: Tally) -> None:
        self.out = out
        self._line = b""
        self._left = 0  # data bytes of the current chunk still to come
        self._skip = 0  # the CRLF after a chunk's data
        self._done = False

    def feed(self, piece: memoryview) -> None:
        while piece and not self._done:
            if self._skip:
                step = min(self._skip, len(piece))
                self._skip -= step
                piece = piece[step:]
            elif self._left:
                step = min(self._left, len(piece))
                self.out.add(piece[:step])
                self._left -= step
                piece = piece[step:]
                if not self._left:
                    self._skip = 2
            else:
                start = bytes(piece[:256])
                newline = start.find(b"\n")
                if newline < 0:
                    self._line += start
                    piece = piece[len(start) :]
                    continue
                line, self._line = self._line + start[:newline], b""
                piece = piece[newline + 1 :]
                size = int(line.rstrip(b"\r").split(b";", 1)[0], 16)
                if size == 0:
                    self._done = True  # the trailers and the final CRLF follow: nothing to keep
                self._left = size


class Connection:
    """One keep-alive connection's socket, with the bytes read past what has been consumed."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pending = b""
        self.buffer = memoryview(bytearray(_BUFFER))
        self.block = bytearray(PATTERN)

    def head(self) -> bytes | None:
        """The next request head (up to the blank line), or None once the client has closed."""
        while b"\r\n\r\n" not in self.pending:
            data = self.sock.recv(65536)
            if not data:
                return None
            self.pending += data
        head, _, self.pending = self.pending.partition(b"\r\n\r\n")
        return head

    def line(self) -> bytes:
        while b"\r\n" not in self.pending:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("the client closed mid-body")
            self.pending += data
        line, _, self.pending = self.pending.partition(b"\r\n")
        return line

    def raw(self, length: int) -> Iterator[memoryview]:
        """``length`` body bytes as they arrive (views of a reused buffer: use each before the next)."""
        if self.pending:
            first, self.pending = self.pending[:length], self.pending[length:]
            length -= len(first)
            yield memoryview(first)
        while length:
            got = self.sock.recv_into(self.buffer[: min(length, _BUFFER)])
            if not got:
                raise ConnectionError("the client closed mid-body")
            length -= got
            yield self.buffer[:got]

    def chunked(self) -> Iterator[memoryview]:
        """A ``Transfer-Encoding: chunked`` body, decoded (trailers read and dropped)."""
        while size := int(self.line().split(b";", 1)[0], 16):
            yield from self.raw(size)
            self.line()
        while self.line():
            pass

    def body(self, headers: dict[str, str], keep: bool = False) -> tuple[int, Tally]:
        """Read the request body: its raw byte count and its (decoded) tally."""
        tally = Tally(keep)
        pieces = self.chunked() if "chunked" in headers.get("transfer-encoding", "") else None
        if pieces is None:
            pieces = self.raw(int(headers.get("content-length", "0")))
        decoder = AwsChunked(tally) if "aws-chunked" in headers.get("content-encoding", "") else None
        received = 0
        for piece in pieces:
            received += len(piece)
            if decoder is None:
                tally.add(piece)
            else:
                decoder.feed(piece)
        return received, tally

    def respond(
        self, status: str, headers: dict[str, str] | None = None, body: bytes = b"", length: int | None = None
    ) -> None:
        lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in (headers or {}).items())]
        lines.append(f"Content-Length: {len(body) if length is None else length}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def send_object(self, start: int, end: int) -> None:
        """Bytes ``start`` to ``end`` (exclusive) of every object, a MiB block at a time."""
        view = memoryview(self.block)
        while start < end:
            index, offset = divmod(start, BLOCK)
            self.block[:8] = stamp(index)
            step = min(BLOCK - offset, end - start)
            self.sock.sendall(view[offset : offset + step])
            start += step


def _parse_head(head: bytes) -> tuple[str, str, dict[str, list[str]], dict[str, str]]:
    request_line, *lines = head.decode("latin-1").split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    path, _, query = target.partition("?")
    return method, unquote(path), parse_qs(query, keep_blank_values=True), headers


def _object_size(key: str) -> int:
    name = key.rsplit("/", 1)[-1]
    return int(name) if name.isdigit() else BLOCK


def _error(code: str, message: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'.encode()


def _xml(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'.encode()


_XML_TYPE = {"Content-Type": "application/xml"}


class SinkHandler(socketserver.BaseRequestHandler):
    """One keep-alive connection: requests are answered in order until the client closes."""

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Connection(sock)
        try:
            while (head := conn.head()) is not None:
                method, path, query, headers = _parse_head(head)
                if headers.get("expect", "").lower() == "100-continue":
                    sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                self._answer(conn, method, path, query, headers)
        except (ConnectionError, OSError):
            return  # the client went away mid-request: nothing to answer

    def _answer(
        self, conn: Connection, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str]
    ) -> None:
        bucket, _, key = path.lstrip("/").partition("/")
        upload_id = query.get("uploadId", [None])[0]
        if method in ("GET", "HEAD"):
            conn.body(headers)
            if bucket == "_sink":
                stats = STATE.stats(key.removeprefix("stats").lstrip("/") or None)
                conn.respond("200 OK", {"Content-Type": "application/json"}, json.dumps(stats).encode())
                return
            self._get(conn, method, key, headers)
        elif method == "POST" and "uploads" in query:
            conn.body(headers)
            upload_id = STATE.new_upload(key)
            result = (
                f"<InitiateMultipartUploadResult {_NS}><Bucket>{bucket}</Bucket><Key>{key}</Key>"
                f"<UploadId>{upload_id}</UploadId></InitiateMultipartUploadResult>"
            )
            conn.respond("200 OK", _XML_TYPE, _xml(result))
        elif method == "PUT" and upload_id is not None:
            self._part(conn, upload_id, int(query.get("partNumber", ["0"])[0]), headers)
        elif method == "POST" and upload_id is not None:
            self._complete(conn, bucket, key, upload_id, headers)
        elif method == "DELETE":
            conn.body(headers)
            if upload_id is not None:
                with STATE.lock:
                    if STATE.uploads.pop(upload_id, None) is not None:
                        STATE.aborted += 1
            conn.respond("204 No Content")
        else:
            received, tally = conn.body(headers)
            if method == "PUT":
                with STATE.lock:
                    STATE.objects[key] = {"size": tally.size, "parts": None, "listed": None}
            conn.respond("200 OK", {"ETag": _ETAG, "x-sink-received": str(received)})

    def _get(self, conn: Connection, method: str, key: str, headers: dict[str, str]) -> None:
        size = _object_size(key)
        common = {"ETag": _ETAG, "Last-Modified": _LAST_MODIFIED, "Accept-Ranges": "bytes"}
        if headers.get("if-match", _ETAG) != _ETAG:
            conn.respond("412 Precondition Failed", _XML_TYPE, _error("PreconditionFailed", "If-Match"))
            return
        if method == "HEAD":
            conn.respond("200 OK", {**common, "Content-Type": "application/octet-stream"}, length=size)
            return
        start, end, status = 0, size, "200 OK"
        requested = _RANGE.match(headers.get("range", ""))
        if requested:
            first, last = requested.groups()
            if first:
                start, end = int(first), min(size, int(last) + 1) if last else size
            elif last:
                start = max(0, size - int(last))
            if start >= end:
                conn.respond("416 Requested Range Not Satisfiable", _XML_TYPE, _error("InvalidRange", "range"))
                return
            status = "206 Partial Content"
            common["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        conn.respond(status, {**common, "Content-Type": "application/octet-stream"}, length=end - start)
        conn.send_object(start, end)

    def _part(self, conn: Connection, upload_id: str, number: int, headers: dict[str, str]) -> None:
        received, tally = conn.body(headers)
        with STATE.lock:
            upload = STATE.uploads.get(upload_id)
            if upload is not None:
                upload.parts[number] = Part(tally.size, tally.head, tally.tail)
        if upload is None:
            conn.respond("404 Not Found", _XML_TYPE, _error("NoSuchUpload", upload_id))
            return
        conn.respond("200 OK", {"ETag": f'"{number:032x}"', "x-sink-received": str(received)})

    def _complete(self, conn: Connection, bucket: str, key: str, upload_id: str, headers: dict[str, str]) -> None:
        _, tally = conn.body(headers, keep=True)
        listed: list[int] = []
        etags_ok = True
        for part in _PART.findall(bytes(tally.kept or b"").decode("utf-8", "replace")):
            number, etag = _PART_NUMBER.search(part), _PART_ETAG.search(part)
            listed.append(int(number.group(1)) if number else 0)
            etags_ok &= etag is not None and etag.group(1).replace("&quot;", '"') == f'"{listed[-1]:032x}"'
        with STATE.lock:
            upload = STATE.uploads.pop(upload_id, None)
            if upload is not None:
                parts = sorted(upload.parts.items())
                record = {
                    "size": sum(part.size for _, part in parts),
                    "parts": [part.as_json(number) for number, part in parts],
                    "listed": listed,
                    "etags_ok": etags_ok,
                }
                STATE.objects[key] = record
        if upload is None:
            conn.respond("404 Not Found", _XML_TYPE, _error("NoSuchUpload", upload_id))
            return
        result = (
            f"<CompleteMultipartUploadResult {_NS}><Location>http://sink/{bucket}/{key}</Location>"
            f'<Bucket>{bucket}</Bucket><Key>{key}</Key><ETag>"3858f62230ac3c915f300c664312c11f-{len(parts)}"</ETag>'
            "</CompleteMultipartUploadResult>"
        )
        conn.respond("200 OK", {**_XML_TYPE, "x-sink-received": str(record["size"])}, _xml(result))


class SinkServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    #: room for the fan-out section's 100 simultaneous connects
    request_queue_size = 1024


def main() -> None:
    server = SinkServer(("127.0.0.1", 0), SinkHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin (or dies)
    server.shutdown()
    server.server_close()


def sink_stats(base_url: str, key: str | None = None) -> dict[str, Any]:
    """``GET /_sink/stats[/<key>]`` of the sink at ``base_url`` (see the module's docstring)."""
    import urllib.request

    with urllib.request.urlopen(f"{base_url}/_sink/stats/{key or ''}", timeout=30) as response:
        stats: dict[str, Any] = json.load(response)
    return stats


class RunningSink:
    """``with RunningSink() as base_url:`` a sink in a child process, stopped (stdin closed) on exit."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> str:
        root = Path(__file__).resolve().parents[2]
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.sink"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        port = int(self._process.stdout.readline())
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        process = self._process
        assert process is not None and process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    main()
