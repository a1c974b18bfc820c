"""A plain HTTP/1.1 sink on 127.0.0.1 for the streaming and fan-out sections, run in its own process.

``PUT``/``POST``: reads Content-Length bytes into a reused buffer, discards them, answers 200 with an
ETag and ``x-sink-received`` (the byte count, so the benchmark can check the whole body arrived).
``GET /<bucket>/<digits>``: answers that many bytes of a repeated pattern, with Content-Length.
Run as ``python -m tests.bench.sink``: it prints its port, serves until its stdin closes, then exits.
"""

from __future__ import annotations

import socket
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

#: One MiB of a repeating pattern: what GET bodies are cut from.
PATTERN = bytes(range(256)) * 4096
_BUFFER = 1 << 20
_ETAG = b'"5d41402abc4b2a76b9719d911017c592"'


def _read_head(sock: socket.socket, pending: bytes) -> tuple[bytes | None, bytes]:
    """The request head (up to the blank line) and whatever body bytes came with it."""
    while b"\r\n\r\n" not in pending:
        data = sock.recv(65536)
        if not data:
            return None, b""
        pending += data
    head, _, rest = pending.partition(b"\r\n\r\n")
    return head, rest


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    request_line, *lines = head.decode("latin-1").split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return method, target, headers


def _get_size(target: str) -> int:
    key = target.split("?", 1)[0].rsplit("/", 1)[-1]
    return int(key) if key.isdigit() else len(PATTERN)


class SinkHandler(socketserver.BaseRequestHandler):
    """One keep-alive connection: requests are answered in order until the client closes."""

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = memoryview(bytearray(_BUFFER))
        pattern = memoryview(PATTERN)
        pending = b""
        while True:
            head, pending = _read_head(sock, pending)
            if head is None:
                return
            method, target, headers = _parse_head(head)
            if "content-length" not in headers and "transfer-encoding" in headers:
                sock.sendall(b"HTTP/1.1 411 Length Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            if headers.get("expect", "").lower() == "100-continue":
                sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            length = int(headers.get("content-length", "0"))
            received = min(len(pending), length)
            pending = pending[received:]
            while received < length:
                count = sock.recv_into(buffer[: min(length - received, _BUFFER)])
                if not count:
                    return
                received += count
            if method == "GET":
                size = _get_size(target)
                sock.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nETag: "
                    + _ETAG
                    + b"\r\nContent-Length: "
                    + str(size).encode()
                    + b"\r\n\r\n"
                )
                while size:
                    step = min(size, len(pattern))
                    sock.sendall(pattern[:step])
                    size -= step
            else:
                sock.sendall(
                    b"HTTP/1.1 200 OK\r\nETag: "
                    + _ETAG
                    + b"\r\nx-sink-received: "
                    + str(received).encode()
                    + b"\r\nContent-Length: 0\r\n\r\n"
                )


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
