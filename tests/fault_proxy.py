"""An HTTP/1.1 reverse proxy on 127.0.0.1 in front of moto's server, for fault-injection tests.

Every request is recorded (method, path, query, headers, and when it arrived and was answered) and
checked against a list of rules before it is forwarded: a rule can answer in moto's place (a 500 with
an S3 XML error body, for the first k matching requests or for all of them) or run a hook first (to
overwrite the object behind the client's back, or to hold a request until the test says so).

Why a proxy at the HTTP level rather than a mock transport: the managed transfers run real parts in
parallel over real connections (threads for Client, tasks for AsyncClient), and what is checked is
what reached the server (a part sent three times, an AbortMultipartUpload) and what it kept (no
orphaned upload), so the client's whole stack has to be in the loop.

The proxy keeps client connections alive (HTTP/1.1) and opens a new upstream connection per request:
moto does not check signatures, so the request goes on unchanged, Host header included.
"""

from __future__ import annotations

import http.client
import itertools
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

#: RFC 9110 §7.6.1: headers for one connection only, never forwarded (Transfer-Encoding is handled
#: apart: a chunked request body is forwarded as it came, a response body is re-framed)
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
    }
)


@dataclass
class Request:
    """One request as the proxy saw it. ``arrived``/``answered``: ticks of one clock shared by every
    request of the proxy (``arrived`` once the whole body is in, ``answered`` once the upstream or the
    rule has answered), so that tests can tell which requests overlapped."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    arrived: int
    answered: int | None = None
    status: int | None = None
    #: True when a rule answered instead of moto
    faked: bool = False

    @property
    def operation(self) -> str:
        """The S3 operation, for the requests the managed transfers send (path-style addressing)."""
        # botocore-style clients add "x-id=<Operation>" to some operations' URLs: not a sub-resource
        q = {name: value for name, value in self.query.items() if name != "x-id"}
        m = self.method
        has_key = "/" in self.path.lstrip("/")
        if m == "POST" and "uploads" in q:
            return "CreateMultipartUpload"
        if m == "POST" and "uploadId" in q:
            return "CompleteMultipartUpload"
        if m == "DELETE" and "uploadId" in q:
            return "AbortMultipartUpload"
        if m == "PUT" and "partNumber" in q:
            return "UploadPartCopy" if "x-amz-copy-source" in self.headers else "UploadPart"
        if m == "GET" and "uploadId" in q:
            return "ListParts"
        if m == "GET" and "uploads" in q:
            return "ListMultipartUploads"
        if m == "PUT" and has_key and not q:
            return "CopyObject" if "x-amz-copy-source" in self.headers else "PutObject"
        if m == "GET" and has_key and set(q) <= {"versionId", "partNumber"}:
            return "GetObject"
        if m == "HEAD" and has_key:
            return "HeadObject"
        return f"{m} {self.path}"

    @property
    def part_number(self) -> int | None:
        number = self.query.get("partNumber")
        return int(number) if number is not None else None

    @property
    def range(self) -> str | None:
        return self.headers.get("range")


@dataclass(frozen=True)
class Reply:
    """A response the proxy sends itself."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def s3_error(cls, status: int = 500, code: str = "InternalError", message: str = "Injected fault") -> Reply:
        """S3's error document, as S3 sends it (RequestId included: the clients report it)."""
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            "<RequestId>FAULTPROXY</RequestId><HostId>fault-proxy</HostId></Error>"
        ).encode()
        return cls(status, body, (("Content-Type", "application/xml"), ("x-amz-request-id", "FAULTPROXY")))


@dataclass
class Rule:
    """``method`` and ``where`` choose the requests; of those, the first ``skip`` pass untouched, then
    the next ``times`` (every one when None) get ``reply`` instead of moto's answer, or run ``hook``
    (in the proxy's thread, before forwarding: the request waits for it)."""

    method: str
    where: Callable[[Request], bool] = lambda request: True
    reply: Reply | None = None
    hook: Callable[[Request], None] | None = None
    times: int | None = None
    skip: int = 0
    #: matching requests seen so far (including the skipped ones)
    seen: int = field(default=0, init=False)
    #: requests this rule was applied to
    applied: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if (self.reply is None) == (self.hook is None):
            raise ValueError("a rule has either a reply or a hook")

    def _take(self, request: Request) -> bool:
        """Called under the proxy's lock: does the rule apply to ``request``?"""
        if request.method != self.method or not self.where(request):
            return False
        self.seen += 1
        if self.seen <= self.skip or (self.times is not None and self.applied >= self.times):
            return False
        self.applied += 1
        return True


def upload_part(number: int) -> Callable[[Request], bool]:
    """``where`` for the UploadPart of part ``number`` (a PUT with partNumber=N and an uploadId)."""
    return lambda request: request.part_number == number and "uploadId" in request.query


def ranged_get(start: int | None = None) -> Callable[[Request], bool]:
    """``where`` for a ranged GetObject; with ``start``, only the range starting at that offset."""

    def where(request: Request) -> bool:
        if request.range is None or request.operation != "GetObject":
            return False
        return start is None or request.range.startswith(f"bytes={start}-")

    return where


class _Server(ThreadingHTTPServer):
    #: non-daemon handler threads, joined by server_close(): nothing outlives the proxy
    daemon_threads = False
    block_on_close = True

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    #: an idle keep-alive connection is closed after this long (stop() closes them all anyway)
    timeout = 60
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.proxy._opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.proxy._closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the log is ``FaultProxy.log``."""

    def _read_body(self) -> bytes:
        """The request body as it came: a chunked body raw (forwarded chunked), else Content-Length bytes.
        ConnectionError when the client goes away before the end (the request is then not forwarded:
        moto would wait for the rest)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raw = bytearray()
            while True:
                line = self.rfile.readline(65537)
                if not line.endswith(b"\n"):
                    raise ConnectionError("request body cut short")
                raw += line
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while (trailer := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
                        raw += trailer
                    raw += b"\r\n"
                    return bytes(raw)
                chunk = self.rfile.read(size + 2)
                if len(chunk) != size + 2:
                    raise ConnectionError("request body cut short")
                raw += chunk
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            raise ConnectionError("request body cut short")
        return body

    def _handle(self) -> None:
        proxy = self.server.proxy
        try:
            body = self._read_body()
        except OSError:
            self.close_connection = True
            return
        url = urlsplit(self.path)
        request = proxy._arrive(
            self.command,
            url.path,
            dict(parse_qsl(url.query, keep_blank_values=True)),
            {name.lower(): value for name, value in self.headers.items()},
        )
        try:
            rule = proxy._rule_for(request)
            if rule is not None and rule.hook is not None:
                rule.hook(request)
            if rule is not None and rule.reply is not None:
                request.faked = True
                status, reason, headers, payload = rule.reply.status, None, list(rule.reply.headers), rule.reply.body
                length = str(len(payload))
            else:
                status, reason, headers, payload, length = self._forward(body)
            proxy._answer(request, status)
            self.send_response_only(status, reason)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", length)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            self.wfile.flush()
        except OSError:
            # the client went away (a cancelled request): nothing to answer it with
            self.close_connection = True
        finally:
            proxy._done(request)

    def _forward(self, body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes, str]:
        """The request to moto on a new connection; its answer, body read whole."""
        host, port = self.server.proxy.upstream
        upstream = http.client.HTTPConnection(host, port, timeout=60)
        try:
            upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in HOP_BY_HOP:
                    upstream.putheader(name, value)
            upstream.endheaders(body or None)
            response = upstream.getresponse()
            payload = response.read()
            headers = [
                (name, value)
                for name, value in response.getheaders()
                if name.lower() not in HOP_BY_HOP and name.lower() not in ("transfer-encoding", "content-length")
            ]
            # HEAD: the length of the body that a GET would have sent
            length = response.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(payload))
            return response.status, response.reason, headers, payload, length
        finally:
            upstream.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


class FaultProxy:
    """The proxy: ``url`` for the client's endpoint_url, ``rules`` consulted in order (the first that
    applies wins), ``log`` every request in arrival order. ``start()``/``stop()``, or a ``with`` block."""

    def __init__(self, upstream: str) -> None:
        url = urlsplit(upstream)
        assert url.hostname and url.port, upstream
        self.upstream = (url.hostname, url.port)
        self.rules: list[Rule] = []
        self.log: list[Request] = []
        self._lock = threading.Condition()
        self._clock = itertools.count(1)
        self._in_flight = 0
        self._sockets: set[socket.socket] = set()
        self._server = _Server(self)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, close every client connection (idle keep-alive ones included), then join the
        accepting thread and every handler thread."""
        if self._thread.is_alive():
            self._server.shutdown()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._server.server_close()
        if self._thread.ident is not None:
            self._thread.join()

    def add(self, rule: Rule) -> Rule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def requests(self, operation: str) -> list[Request]:
        """The logged requests of one operation, e.g. ``proxy.requests("UploadPart")``."""
        with self._lock:
            return [request for request in self.log if request.operation == operation]

    def operations(self) -> list[str]:
        with self._lock:
            return [request.operation for request in self.log]

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Until no request is being handled: a request the client gave up on may still be on its way
        to moto, and what moto keeps is checked only after it has arrived."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._in_flight == 0, timeout):
                raise TimeoutError(f"{self._in_flight} request(s) still in the proxy after {timeout} s")

    # -- called by the handler threads ------------------------------------------------------------

    def _opened(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _closed(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def _arrive(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> Request:
        with self._lock:
            request = Request(method, path, query, headers, arrived=next(self._clock))
            self.log.append(request)
            self._in_flight += 1
            return request

    def _rule_for(self, request: Request) -> Rule | None:
        with self._lock:
            return next((rule for rule in self.rules if rule._take(request)), None)

    def _answer(self, request: Request, status: int) -> None:
        with self._lock:
            request.status, request.answered = status, next(self._clock)

    def _done(self, request: Request) -> None:
        with self._lock:
            if request.answered is None:
                request.answered = next(self._clock)
            self._in_flight -= 1
            self._lock.notify_all()
