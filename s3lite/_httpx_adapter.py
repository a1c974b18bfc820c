"""Every use of httpx's and httpcore's private internals, in one place, each with a test of its own
(tests/test_httpx_adapter.py) so that an httpx upgrade that moves one fails there, by name.

Why each is needed:

- ``URL._uri_reference``: httpx normalises dot segments when it parses a URL (``a/./b`` -> ``a/b``);
  S3 keys are opaque and the path sent must be the path signed, so the parsed path is replaced.
- ``Headers._list``: building headers through httpx's public constructor re-normalises each one
  (~10 us a call); ours were validated as printable ASCII before signing. Read back the same way
  for responses, where ``.raw`` would rebuild a list.
- ``Request._content``: set to the body's bytes, as httpx's constructor does, so ``request.content``
  works for the transport (MockTransport handlers read it).
- httpcore's HTTP/1.1 connection behind a response (``ResponseStream._httpcore_stream._stream.
  _connection``): after a response ends, bytes the server sent beyond its framing sit in h11's
  buffer, and httpcore would read them as the *next* request's response. We retire such a
  connection (see :func:`retire_if_leftover`).
- ``HTTPTransport._pool._network_backend``: the attempt deadline (``attempt_timeout``) is enforced
  by a network backend that shortens every connect, read and write to the time left.

httpx 1.0 (pre-release) is a different library (no transports, no httpcore): see :func:`check_httpx`.
"""

from __future__ import annotations

from typing import Any

import httpcore
import httpx

from ._deadline import bounded as _bounded
from ._errors import S3LiteError
from ._h1 import ReadSize


def check_httpx() -> None:
    """A clear error, rather than an AttributeError on the first call, on an httpx s3lite cannot drive."""
    if not hasattr(httpx, "HTTPTransport") or not hasattr(httpx.URL("http://h/"), "_uri_reference"):
        raise S3LiteError(
            f"s3lite needs httpx 0.28 (found {getattr(httpx, '__version__', 'unknown')}): httpx 1.0 has no "
            "transports or httpcore pool for s3lite to drive"
        )


def exact_url(origin: httpx.URL, path: str, query: str) -> httpx.URL:
    """``origin`` with ``path`` and ``query`` exactly as given (already percent-encoded, not normalised)."""
    url = object.__new__(httpx.URL)
    url._uri_reference = origin._uri_reference._replace(path=path, query=query or None)
    return url


def set_raw_headers(request: httpx.Request, raw: list[tuple[bytes, bytes, bytes]]) -> None:
    """Install (name, lower-cased name, value) triples as ``request``'s headers, as httpx stores them."""
    request.headers._list = raw


def set_content(request: httpx.Request, content: bytes) -> None:
    """``request.content`` as ``Request(content=...)`` sets it (the public ``read()`` would join the
    stream again on every call)."""
    request._content = content


def raw_headers(response: httpx.Response) -> list[tuple[bytes, bytes, bytes]]:
    """(name as received, lower-cased name, value) for each header of ``response``."""
    triples: list[tuple[bytes, bytes, bytes]] = response.headers._list
    return triples


def http11_connection(response: httpx.Response) -> Any:
    """httpcore's (Async)HTTP11Connection that carried ``response``, or None (HTTP/2, a mock or other
    transport, a proxy tunnel whose layers differ)."""
    core_stream = getattr(response.stream, "_httpcore_stream", None)
    connection_stream = getattr(core_stream, "_stream", None)
    connection = getattr(connection_stream, "_connection", None)
    return connection if hasattr(connection, "_h11_state") else None


def retire_if_leftover(response: httpx.Response) -> bool:
    """Once ``response`` has been read to its end: if the server sent bytes past it (a duplicate
    response, a stray body), make sure its connection is closed rather than reused, and say so.

    RFC 9112 §9.3: a client must not pipeline on a connection it did not pipeline on; bytes that
    arrive unasked cannot be a response to a request not yet sent. httpcore returns a connection
    whose socket is readable to the pool as expired (so bytes that arrive later are safe), but not
    one whose bytes already sit in h11's receive buffer. Its keep-alive expiry is set in the past,
    so that closing the response hands the connection back expired and the pool closes it; this
    needs no await, so both clients share it."""
    connection = http11_connection(response)
    if connection is None or not connection._h11_state.trailing_data[0]:
        return False
    connection._keepalive_expiry = -1.0
    return True


# -- the attempt deadline, enforced under httpx (see s3lite._deadline) --------------------------------


class _Stream(httpcore.NetworkStream):
    __slots__ = ("_inner", "_read_size")

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        self._read_size = ReadSize()

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        asked = self._read_size.asked(max_bytes)
        data = self._inner.read(asked, _bounded(timeout, httpcore.ReadTimeout))
        self._read_size.got(asked, len(data), max_bytes)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    __slots__ = ("_inner",)

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, bounded, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        return _Stream(
            self._inner.connect_unix_socket(path, _bounded(timeout, httpcore.ConnectTimeout), socket_options)
        )

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncStream(httpcore.AsyncNetworkStream):
    __slots__ = ("_inner", "_read_size")

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._read_size = ReadSize()

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        asked = self._read_size.asked(max_bytes)
        data = await self._inner.read(asked, _bounded(timeout, httpcore.ReadTimeout))
        self._read_size.got(asked, len(data), max_bytes)
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> Any:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    __slots__ = ("_inner",)

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.connect_tcp(host, port, bounded, local_address, socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.connect_unix_socket(path, bounded, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def with_deadlines(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport) -> None:
    """Make ``transport``'s pool (direct or through a proxy) honour :func:`attempt_deadline`."""
    pool = transport._pool
    inner: Any = pool._network_backend
    pool._network_backend = _AsyncBackend(inner) if isinstance(transport, httpx.AsyncHTTPTransport) else _Backend(inner)
