"""The httpx side of the clients: request and response conversion, error mapping, TLS, proxies, limits.

Shared by ``Client`` and ``AsyncClient``; imported only when a client is built, so that
``import s3lite`` stays free of httpx.
"""

from __future__ import annotations

import ssl
import threading
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import cast

import httpx

from ._errors import ConnectTimeoutError, EndpointConnectionError, HTTPClientError, ReadTimeoutError
from ._http import HttpRequest, HttpResponse

_ssl_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process: httpx builds a new one per client (16-33 ms here)."""
    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            _ssl_context = httpx.create_ssl_context()
        return _ssl_context


@dataclass(frozen=True)
class TransportOptions:
    """What users need from httpx's client layer: timeouts, connection limits, TLS and proxies."""

    timeout: httpx.Timeout
    limits: httpx.Limits
    verify: bool | str | ssl.SSLContext
    proxy: str | None
    trust_env: bool

    @classmethod
    def build(
        cls,
        *,
        timeout: float | httpx.Timeout | None,
        max_connections: int,
        verify: bool | str | ssl.SSLContext,
        proxy: str | None,
        trust_env: bool,
    ) -> TransportOptions:
        if isinstance(timeout, httpx.Timeout):
            resolved = timeout
        else:
            # botocore's defaults: 60 s connect and read.
            resolved = httpx.Timeout(60.0 if timeout is None else timeout)
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        return cls(resolved, limits, verify, proxy, trust_env)

    def ssl_context(self) -> ssl.SSLContext | bool:
        if self.verify is True:
            return shared_ssl_context()
        if isinstance(self.verify, str):
            return ssl.create_default_context(cafile=self.verify)
        return self.verify

    def proxy_for(self, scheme: str, host: str) -> str | None:
        """The explicit ``proxy``, else ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` unless ``NO_PROXY``
        covers the endpoint (httpx's ``trust_env`` behaviour)."""
        if self.proxy is not None:
            return self.proxy
        if not self.trust_env:
            return None
        proxies = urllib.request.getproxies()
        if not proxies:
            return None
        hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host
        if urllib.request.proxy_bypass(hostname):
            return None
        return proxies.get(scheme) or proxies.get("all")


#: Parsed origins (scheme://host/), the part of a URL that repeats across calls.
_origins: dict[str, httpx.URL] = {}


class _Upload(httpx.SyncByteStream):
    """A streamed request body: the driver's chunks, sent as they come (Content-Length is set)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks


class _AsyncUpload(httpx.AsyncByteStream):
    """:class:`_Upload` for async transports."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def to_httpx(
    request: HttpRequest, content: bytes | Iterator[bytes] | AsyncIterator[bytes], timeout: httpx.Timeout
) -> httpx.Request:
    """An ``httpx.Request`` whose path on the wire is exactly ``request.path``.

    httpx normalises dot segments when it parses a URL (``a/./b/../c`` -> ``a/c``), but S3 keys are
    opaque and the path sent must be the path signed; so the parsed URL's path and query are replaced
    after parsing (tests/test_transport.py pins this against the httpx version in use). The headers are
    built as httpx would build them (Host first, then ours, then Content-Length) but without its
    per-header normalisation: values were validated as printable ASCII before signing.
    """
    origin = f"{request.scheme}://{request.host}/"
    base = _origins.get(origin)
    if base is None:
        if len(_origins) >= 256:  # one per bucket when virtual-hosted: bounded like the signing keys
            _origins.clear()
        base = _origins[origin] = httpx.URL(origin)
    url = object.__new__(httpx.URL)
    url._uri_reference = base._uri_reference._replace(path=request.path, query=request.query or None)
    raw = [(b"Host", b"host", request.host.encode("ascii"))]
    ours = [(k.encode("ascii"), k.lower().encode("ascii"), v.encode("ascii")) for k, v in request.headers.items()]
    stream: httpx.SyncByteStream | httpx.AsyncByteStream
    if not isinstance(content, bytes):
        stream = _AsyncUpload(content) if isinstance(content, AsyncIterator) else _Upload(content)
        raw += ours  # a streamed body's Content-Length is among ours
    elif "Content-Length" in request.headers:
        stream = httpx.ByteStream(content)
        raw += ours
    elif content:
        stream = httpx.ByteStream(content)
        raw += [*ours, (b"Content-Length", b"content-length", str(len(content)).encode())]
    else:
        stream = httpx.ByteStream(content)
        empty = [(b"Content-Length", b"content-length", b"0")] if request.method in _BODY_METHODS else []
        raw += [*empty, *ours]
    built = httpx.Request(request.method, url, stream=stream, extensions={"timeout": timeout.as_dict()})
    built.headers._list = raw
    if isinstance(content, bytes):
        built._content = content  # what Request(content=...) would have read: request.content works
    return built


def from_httpx(response: httpx.Response, body: bytes = b"") -> HttpResponse:
    """Headers lower-cased, repeated ones joined with ``, `` under the first spelling (as urllib3 does
    for botocore); user metadata names also kept as received."""
    headers: dict[str, str] = {}
    names: dict[str, str] = {}
    # httpx keeps (name as received, name lower-cased, value) per header; .raw would rebuild a list.
    for raw_name, raw_lower, raw_value in response.headers._list:
        # Latin-1 maps every byte to a character, so a malformed header never raises here.
        lower = raw_lower.decode("latin-1")
        value = raw_value.decode("latin-1")
        if lower in headers:
            headers[lower] = f"{headers[lower]}, {value}"
            continue
        headers[lower] = value
        if raw_name != raw_lower and lower.startswith("x-amz-meta-"):
            names[lower] = raw_name.decode("latin-1")
    if names:
        return HttpResponse(response.status_code, headers, body, names)
    return HttpResponse(response.status_code, headers, body)


def translate(error: Exception) -> HTTPClientError:
    """httpx's exception -> ours, keeping the original as ``__cause__`` (set by the caller's ``raise from``)."""
    if isinstance(error, httpx.ConnectTimeout):
        return ConnectTimeoutError(f"Connect timeout: {error}")
    if isinstance(error, (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout)):
        return ReadTimeoutError(f"Read timeout: {error}")
    if isinstance(error, (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return EndpointConnectionError(f"Connection failed: {error}")
    return HTTPClientError(f"HTTP error: {type(error).__name__}: {error}")


def translated(error: Exception) -> HTTPClientError:
    """:func:`translate`, with httpx's error as the cause (for errors handed on rather than raised)."""
    ours = translate(error)
    ours.__cause__ = error
    return ours


def raw_chunks(response: httpx.Response) -> Iterator[bytes]:
    """The body as sent, undecoded ("Response bodies are never transparently decompressed", §2.8).

    Iterates ``response.stream`` itself rather than ``iter_raw()``: a response a MockTransport built
    from bytes was already read by httpx, and its stream can still be iterated while iter_raw cannot.
    """
    return iter(cast(httpx.SyncByteStream, response.stream))


def araw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """:func:`raw_chunks` for async transports."""
    return cast(httpx.AsyncByteStream, response.stream).__aiter__()


#: What a transport may raise while sending or reading: mapped by :func:`translate`.
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (httpx.TransportError, httpx.StreamError)
