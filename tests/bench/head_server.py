"""A tiny S3-ish HTTP/1.1 server on 127.0.0.1 for the cold-start section: one plain listener and, given a
certificate, one TLS listener, in their own process (so that serving costs the measured clients nothing).

What it answers, whatever the bucket and key (it checks no signature, keeps no object):

- ``HEAD``: 200 with the object's Content-Length, ETag, Last-Modified, Content-Type (what HeadObject reads);
- ``GET``: the same headers and the object (:data:`BODY`);
- ``PUT``/``POST``: the body read (Content-Length or chunked) and dropped, 200 with an ETag;
- ``DELETE``: 204.

Run as ``python -m tests.bench.head_server [CERT KEY]``: it prints ``<http port> <https port or 0>``, then
serves until its stdin closes or it is terminated; :func:`serving` does that for a benchmark.
"""

from __future__ import annotations

import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BODY = b"hello world"
ETAG = '"5eb63bbbe01eeed093cb22bb8f5acdc3"'
LAST_MODIFIED = "Wed, 12 Oct 2009 17:50:00 GMT"


class HeadHandler(BaseHTTPRequestHandler):
    """Keep-alive HTTP/1.1 with Content-Length on every answer; headers and body leave in separate writes,
    so Nagle is off (else a delayed ACK could add 40 ms to a GET)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the benchmark's output is its tables."""

    def _object_headers(self) -> None:
        self.send_response(200)
        self.send_header("x-amz-request-id", "0A49CE4060975EAC")
        self.send_header("Last-Modified", LAST_MODIFIED)
        self.send_header("ETag", ETAG)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()

    def _drain(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while size := int(self.rfile.readline().split(b";", 1)[0], 16):
                self.rfile.read(size + 2)
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
        else:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_HEAD(self) -> None:
        self._object_headers()

    def do_GET(self) -> None:
        self._object_headers()
        self.wfile.write(BODY)

    def do_PUT(self) -> None:
        self._drain()
        self.send_response(200)
        self.send_header("ETag", ETAG)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT

    def do_DELETE(self) -> None:
        self._drain()
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


class TLSServer(ThreadingHTTPServer):
    """The handshake runs in the connection's thread, not in the accepting one."""

    def __init__(self, address: tuple[str, int], context: ssl.SSLContext) -> None:
        super().__init__(address, HeadHandler)
        self.context = context

    def finish_request(self, request: object, client_address: object) -> None:
        conn = self.context.wrap_socket(request, server_side=True)  # type: ignore[arg-type]
        try:
            super().finish_request(conn, client_address)
        finally:
            conn.close()


def main(argv: list[str]) -> None:
    ThreadingHTTPServer.daemon_threads = True
    servers: list[ThreadingHTTPServer] = [ThreadingHTTPServer(("127.0.0.1", 0), HeadHandler)]
    if len(argv) == 2:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(argv[0], argv[1])
        servers.append(TLSServer(("127.0.0.1", 0), context))
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports = [server.server_address[1] for server in servers] + [0]
    print(ports[0], ports[1], flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin (or terminates us)
    for server in servers:
        server.shutdown()
        server.server_close()


@contextmanager
def serving(cert: str | None, key: str | None) -> Iterator[tuple[int, int]]:
    """``head_server`` in its own process: (http port, https port or 0); stopped by its PID at the end."""
    tls = [cert, key] if cert and key else []
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.head_server", *tls],
        cwd=Path(__file__).resolve().parents[2],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        http_port, https_port = (int(port) for port in process.stdout.readline().split())
        yield http_port, https_port
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
