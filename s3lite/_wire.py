"""``Client``'s own HTTP/1.1 connection pool: sockets, TLS when asked for, keep-alive, limits.

Why not httpx's transport: importing httpx, httpcore and h11 is most of a cold start (issue 14:
~100 ms and ~8 MiB of a 300 ms Lambda-style start), and their generic layers cost more per call
than S3's requests need. What this pool does is what httpx's default transport does for s3lite,
decision by decision: one pool per client, ``max_connections`` in all, idle connections kept 5 s
and never reused once the server closed them or sent bytes nobody asked for, TCP_NODELAY, ALPN
``http/1.1``, a response read even when the server stopped reading the request body, the same
timeouts per phase and the same errors. A proxy, or a transport passed in, goes through httpx.

Thread-safe: managed transfers send from many threads through one pool.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

from ._deadline import bounded, deadline_passed
from ._errors import (
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ParamValidationError,
    ReadTimeoutError,
    not_sendable,
    pool_timeout,
)
from ._h1 import (
    CHUNKED,
    FIRST_READ,
    MAX_HEAD,
    NO_BODY,
    UNTIL_CLOSE,
    ChunkedDecoder,
    Head,
    ProtocolError,
    ReadSize,
    Refused,
    head_end,
    parse_head,
    request_fields,
    request_head,
    response_of,
)
from ._http import HttpRequest, HttpResponse, body_limit, past_the_cap
from ._options import KEEPALIVE_EXPIRY, TransportOptions

if TYPE_CHECKING:
    import ssl

    from ._streaming import OpenBodies

#: a request body smaller than this goes out with its head in one write (one packet for most
#: requests); a larger one is written on its own rather than copied
_JOIN_BELOW = 64 * 1024
#: the most one socket write is given, each with the write timeout: 256 KiB, 16 TLS records
_WRITE_SIZE = 256 * 1024

_Origin = tuple[str, str]


def _failure(error: BaseException, phase: str) -> HTTPClientError:
    """A socket's or the protocol's error -> ours, as httpx's are mapped (``_transport.translate``):
    a timeout in a phase, the attempt's deadline, anything else as a failed connection."""
    if isinstance(error, TimeoutError):
        if deadline_passed():
            return ReadTimeoutError("The attempt took longer than attempt_timeout")
        if phase == "connect":
            return ConnectTimeoutError(f"Connect timeout: {error or 'timed out'}")
        return ReadTimeoutError(f"Read timeout: {error or 'timed out'}")
    return EndpointConnectionError(f"Connection failed: {error}")


class Connection:
    """One socket to one origin, and the bytes read from it past the last response head."""

    __slots__ = ("_timeout", "buffer", "expires", "origin", "read_size", "sock")

    def __init__(self, sock: socket.socket, origin: _Origin) -> None:
        self.sock = sock
        self.origin = origin
        self.buffer = b""
        self.expires = 0.0
        self.read_size = ReadSize()
        self._timeout: float | None = -1.0

    def _set_timeout(self, timeout: float | None) -> None:
        if timeout != self._timeout:
            self.sock.settimeout(timeout)
            self._timeout = timeout

    def recv(self, size: int, timeout: float | None) -> bytes:
        self._set_timeout(bounded(timeout, TimeoutError))
        return self.sock.recv(size)

    def send(self, data: bytes, timeout: float | None) -> None:
        """All of ``data``, ``timeout`` for each write of at most :data:`_WRITE_SIZE` (a large body
        over a slow link takes as long as it takes while the peer keeps reading; ``sendall``'s
        timeout would bound the whole body). The cap is for TLS: ``SSLSocket.send`` writes all it
        is given within one timeout, where a plain socket's returns after what fits."""
        view = memoryview(data)
        while view:
            self._set_timeout(bounded(timeout, TimeoutError))
            view = view[self.sock.send(view[:_WRITE_SIZE]) :]

    def reusable_at(self, now: float) -> bool:
        """Whether an idle connection can carry a request: not expired, and not readable - a
        readable idle socket means the server closed it, or sent bytes nobody asked for."""
        if now >= self.expires or getattr(self.sock, "pending", int)():  # TLS: bytes decrypted, unread
            return False
        return not _readable(self.sock)

    def read_head(self, method: str, timeout: float | None) -> Head:
        """The next final response's head (interim 1xx responses are skipped, as h11 skips them)."""
        buffer = self.buffer
        while True:
            end = head_end(buffer)
            if end > MAX_HEAD or (end < 0 and len(buffer) > MAX_HEAD):
                raise ProtocolError(f"the response head is longer than {MAX_HEAD // 1024} KiB")
            if end >= 0:
                head = parse_head(buffer[:end], method)
                buffer = buffer[end:]
                if head.status >= 200:
                    self.buffer = buffer
                    return head
                if head.status == 101:
                    raise ProtocolError("the server switched protocols")
                continue
            data = self.recv(FIRST_READ, timeout)
            if not data:
                raise ProtocolError("Server disconnected without sending a response.")
            buffer += data

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class WireResponse:
    """A response whose body is read as the caller asks: ``chunks()`` (once), ``read_whole()``,
    ``close()``. Read to its end, its connection goes back to the pool when reusable; closed
    before, the connection is closed (the rest of the body is never read)."""

    __slots__ = ("_connection", "_head", "_pool", "_timeout")

    def __init__(self, pool: Pool, connection: Connection, head: Head, timeout: float | None) -> None:
        self._pool = pool
        self._connection: Connection | None = connection
        self._head = head
        self._timeout = timeout

    @property
    def status(self) -> int:
        return self._head.status

    def chunks(self) -> Iterator[bytes]:
        connection = self._connection
        if connection is None:
            return
        try:
            ended_cleanly = yield from self._body(connection)
        except (OSError, ProtocolError) as error:
            self.close()
            raise _failure(error, "read") from error
        self._connection = None
        self._pool.release(connection, ended_cleanly and self._head.reusable)

    def _body(self, connection: Connection) -> Generator[bytes, None, bool]:
        """The body's pieces as they arrive; returns whether the connection may carry another
        request: the body ended by its framing, with no byte past it (RFC 9112 §9.3: a client
        never pipelines, so bytes nobody asked for cannot be the next response)."""
        length = self._head.length
        pending, connection.buffer = connection.buffer, b""
        if length == NO_BODY:
            return not pending
        if length == CHUNKED:
            decoder = ChunkedDecoder()
            while True:
                yield from decoder.feed(pending)
                if decoder.done:
                    return not decoder.leftover
                pending = self._read(connection)
                if not pending:
                    raise ProtocolError(
                        "peer closed connection without sending complete message body: incomplete chunked read"
                    )
        if length == UNTIL_CLOSE:
            if pending:
                yield pending
            while data := self._read(connection):
                yield data
            return False
        clean = len(pending) <= length
        if not clean:
            pending = pending[:length]
        left = length - len(pending)
        if pending:
            yield pending
        while left:
            data = self._read(connection, left)
            if not data:
                raise ProtocolError(
                    "peer closed connection without sending complete message body: "
                    f"received {length - left} bytes, expected {length}"
                )
            left -= len(data)
            yield data
        return clean

    def _read(self, connection: Connection, left: int | None = None) -> bytes:
        sizes = connection.read_size
        asked = sizes.asked(FIRST_READ)
        if left is not None and left < asked:
            asked = left
        data = connection.recv(asked, self._timeout)
        sizes.got(asked, len(data), FIRST_READ)
        return data

    def read_whole(self) -> bytes:
        """The whole body, within its cap (:func:`s3lite._http.body_limit`; past it nothing more is
        read and the connection is closed)."""
        limit, size, chunks = body_limit(self._head.status), 0, []
        try:
            for chunk in self.chunks():
                size += len(chunk)
                if size > limit:
                    return past_the_cap(self._head.status, limit)
                chunks.append(chunk)
        finally:
            self.close()
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._pool.release(connection, False)


class Pool:
    """Connections by origin (scheme, host as sent), ``max_connections`` open in all; a request that
    finds none free waits up to the pool timeout, then fails with PoolTimeoutError naming the open
    GetObject bodies (the usual cause)."""

    def __init__(self, options: TransportOptions, bodies: OpenBodies) -> None:
        self._options = options
        self._bodies = bodies
        self._idle: dict[_Origin, list[Connection]] = {}
        self._open = 0
        self._changed = threading.Condition(threading.Lock())
        self._closed = False
        self._tls: ssl.SSLContext | None = None

    def __repr__(self) -> str:
        return f"<s3lite Pool {self._open} open, {sum(map(len, self._idle.values()))} idle>"

    # -- one request ----------------------------------------------------------------------------

    def send(
        self, request: HttpRequest, content: bytes | Iterator[bytes], deadline: float | None, stream: bool
    ) -> tuple[WireResponse | None, HttpResponse]:
        """Send ``request`` with ``content`` (its body's bytes, or the chunks of a streamed body whose
        Content-Length is set) and read the response's head; its body too unless ``stream``."""
        try:
            head = request_head(request, request_fields(request, content))
        except Refused:
            raise not_sendable() from None
        timeouts = self._options.timeouts_for(deadline, time.monotonic())
        connection = self._acquire((request.scheme, request.host), timeouts.pool, timeouts.connect)
        try:
            whole = self._write(connection, head, content, request, timeouts.write)
            try:
                response_head = connection.read_head(request.method, timeouts.read)
            except (OSError, ProtocolError) as error:
                raise _failure(error, "read") from error
            if not whole:  # the server answered before it read all of the request: never reuse
                response_head = response_head._replace(reusable=False)
        except BaseException:  # ours, the caller's stream's own error, or an interruption
            self.release(connection, False)
            raise
        response = WireResponse(self, connection, response_head, timeouts.read)
        described = response_of(response_head.status, response_head.fields)
        if stream:
            return response, described
        return None, described._replace(body=response.read_whole())

    def _write(
        self,
        connection: Connection,
        head: bytes,
        content: bytes | Iterator[bytes],
        request: HttpRequest,
        timeout: float | None,
    ) -> bool:
        """The request, head and body; whether all of it went out. A write that fails other than
        by a timeout ends the writing but not the exchange: servers answer and close before reading
        a whole body (a 403 to an upload), and that answer is what the caller needs; reading it
        fails if there is none. Only the socket's errors are ours to map: an error of the caller's
        chunks (an OSError of a pipe they read from included) is theirs, raised as it is, as
        through httpx."""
        if isinstance(content, bytes):
            if len(content) < _JOIN_BELOW:
                return _written(connection, head + content, timeout)
            return _written(connection, head, timeout) and _written(connection, content, timeout)
        if not _written(connection, head, timeout):
            return False
        declared = int(request.headers.get("Content-Length", "-1"))
        sent = 0
        for chunk in content:
            sent += len(chunk)
            if sent > declared:
                break
            if not _written(connection, chunk, timeout):
                return False
        if sent != declared:
            raise _short_body(sent, declared)
        return True

    # -- the pool -------------------------------------------------------------------------------

    def _acquire(self, origin: _Origin, pool_timeout_s: float | None, connect_timeout: float | None) -> Connection:
        changed = self._changed
        with changed:
            waited_until = None if pool_timeout_s is None else time.monotonic() + pool_timeout_s
            while True:
                now = time.monotonic()
                idle = self._idle.get(origin)
                while idle:
                    connection = idle.pop()
                    if connection.reusable_at(now):
                        return connection
                    connection.close()
                    self._open -= 1
                if self._open < self._options.max_connections:
                    self._open += 1
                    break
                if self._close_one_idle():
                    continue
                left = None if waited_until is None else waited_until - now
                if left is not None and left <= 0:
                    raise pool_timeout(self._bodies.count)
                changed.wait(left)
        try:
            return self._connect(origin, connect_timeout)
        except BaseException:
            with changed:
                self._open -= 1
                changed.notify()
            raise

    def _close_one_idle(self) -> bool:
        """Make room for another origin's connection: close the oldest idle one, if any."""
        for idle in self._idle.values():
            if idle:
                idle.pop(0).close()
                self._open -= 1
                return True
        return False

    def _connect(self, origin: _Origin, timeout: float | None) -> Connection:
        """A new connection. The host goes to the resolver and to TLS as ASCII bytes: as a str, both
        would run it through the IDNA codec, whose import (stringprep's tables) costs 1.3 MiB of a
        cold start for nothing - the Host field was refused before unless it is printable ASCII
        (``request_head``), and an ASCII name is its own IDNA form."""
        scheme, host = origin
        name, port = _host_and_port(host, scheme)
        address = name.encode("ascii")
        try:
            sock = socket.create_connection((address, port), bounded(timeout, TimeoutError))  # type: ignore[arg-type]
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if scheme == "https":
                    sock = self._tls_context().wrap_socket(sock, server_hostname=address)
            except BaseException:
                sock.close()
                raise
        except OSError as error:
            raise _failure(error, "connect") from error
        return Connection(sock, origin)

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            import ssl

            context = self._options.tls_context()
            if context is False:  # verify=False: what httpx makes for it
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            assert isinstance(context, ssl.SSLContext)
            context.set_alpn_protocols(["http/1.1"])  # as httpcore does: this pool speaks nothing else
            self._tls = context
        return self._tls

    def release(self, connection: Connection, reusable: bool) -> None:
        """A connection whose exchange ended: kept for the next request to its origin when
        ``reusable`` (its response read to the end, nothing past it), else closed."""
        changed = self._changed
        if reusable:
            with changed:
                if not self._closed:  # read under the lock: a close() now must find it idle
                    connection.expires = time.monotonic() + KEEPALIVE_EXPIRY
                    self._idle.setdefault(connection.origin, []).append(connection)
                    changed.notify()
                    return
        connection.close()  # before its place is freed: never more than max_connections sockets
        with changed:
            self._open -= 1
            changed.notify()

    def close(self) -> None:
        """Close the idle connections; those in use are closed as their exchanges end."""
        with self._changed:
            self._closed = True
            for idle in self._idle.values():
                for connection in idle:
                    connection.close()
                    self._open -= 1
            self._idle.clear()
            self._changed.notify_all()


def _written(connection: Connection, data: bytes, timeout: float | None) -> bool:
    """``data`` sent; False when the server stopped reading (its answer is read next). A timeout
    is raised, as ours: the server neither reads nor answers."""
    try:
        connection.send(data, timeout)
    except TimeoutError as error:
        raise _failure(error, "write") from error
    except OSError:
        return False
    return True


def _readable(sock: socket.socket) -> bool:
    """Whether ``sock`` has bytes (or its end) waiting: ``poll`` where there is one (``select``
    fails for descriptors past FD_SETSIZE), ``select`` on Windows, which has no ``poll``."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])


def _short_body(sent: int, declared: int) -> ParamValidationError:
    """A streamed body that did not yield the Content-Length it declared (the connection is then
    closed: the server is still waiting for the rest, or has more than it was told)."""
    return ParamValidationError(f"The request body yielded {sent} bytes where its Content-Length is {declared}")


def _host_and_port(host: str, scheme: str) -> tuple[str, int]:
    """``host`` as sent in the Host header -> (name or address, port): ``[::1]:9000``, ``h:80``, ``h``."""
    default = 443 if scheme == "https" else 80
    if host.startswith("["):
        address, _, rest = host[1:].partition("]")
        return address, int(rest[1:]) if rest.startswith(":") else default
    name, colon, port = host.rpartition(":")
    if colon and port.isdigit():
        return name, int(port)
    return host, default
