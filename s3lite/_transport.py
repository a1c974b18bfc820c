"""The httpx side of the clients: request and response conversion, error mapping, TLS, proxies, limits.

Shared by ``Client`` and ``AsyncClient``; imported only when a client is built, so that
``import s3lite`` stays free of httpx.
"""

from __future__ import annotations

import importlib.util
import math
import os
import ssl
import threading
import time
import urllib.request
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from dataclasses import dataclass
from typing import cast

import anyio
import httpx

from ._errors import (
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ParamValidationError,
    PoolTimeoutError,
    ReadTimeoutError,
    ResponseParseError,
    S3LiteError,
)
from ._http import HttpRequest, HttpResponse, body_limit
from ._httpx_adapter import (
    deadline_passed,
    exact_url,
    http11_connection,
    raw_headers,
    retire_if_leftover,
    set_content,
    set_raw_headers,
)

_ssl_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process: httpx builds a new one per client (16-33 ms here)."""
    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            _ssl_context = httpx.create_ssl_context()
        return _ssl_context


#: proxy URL schemes httpx can use (socks5 needs httpx's ``socks`` extra)
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def _seconds(value: object, what: str) -> float | None:
    """A timeout in seconds: a positive, finite number, or None (no limit) where httpx allows it."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ParamValidationError(f"Invalid {what}: must be a positive, finite number of seconds")
    return float(value)


def _redacted_url(url: str) -> str:
    """``scheme://user:***@host`` - a proxy URL fit for a repr or a message (its password never)."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not at:
        return url
    user = userinfo.partition(":")[0]
    return f"{scheme}{sep}{user}:***@{host}"


def _checked_proxy(proxy: str, where: str) -> str:
    """``proxy`` if httpx can use it, else a ParamValidationError naming ``where`` and never the URL
    (its userinfo may hold a password, and httpx's own parse errors quote pieces of it)."""
    scheme = proxy.partition("://")[0].lower() if "://" in proxy else ""
    if scheme not in PROXY_SCHEMES:
        raise ParamValidationError(
            f"Invalid {where}: the proxy URL's scheme must be one of {', '.join(PROXY_SCHEMES)} "
            f"(got {scheme or 'none'!r})"
        )
    try:
        httpx.Proxy(proxy)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise ParamValidationError(f"Invalid {where}: not a URL httpx can use as a proxy") from None
    if scheme.startswith("socks") and importlib.util.find_spec("socksio") is None:
        # httpx would raise a bare ImportError when the transport is built
        raise ParamValidationError(
            f"Invalid {where}: a SOCKS proxy needs httpx's socks extra (pip install 'httpx[socks]')"
        )
    return proxy


@dataclass(frozen=True)
class TransportOptions:
    """What users need from httpx's client layer: timeouts, connection limits, TLS and proxies.

    ``timeout`` bounds each phase on its own (connect, each socket read, each write, the wait for a
    pooled connection), as in httpx and botocore; ``attempt_timeout`` bounds one attempt as a whole
    (see :func:`s3lite._httpx_adapter.attempt_deadline`). Everything is checked here, at build time,
    so that a bad option is a ParamValidationError and never an error on every call.
    """

    timeout: httpx.Timeout
    limits: httpx.Limits
    verify: bool | str | ssl.SSLContext
    proxy: str | None
    trust_env: bool
    attempt_timeout: float | None = None

    def __repr__(self) -> str:
        proxy = None if self.proxy is None else _redacted_url(self.proxy)
        return (
            f"TransportOptions(timeout={self.timeout!r}, limits={self.limits!r}, verify={self.verify!r}, "
            f"proxy={proxy!r}, trust_env={self.trust_env!r}, attempt_timeout={self.attempt_timeout!r})"
        )

    @classmethod
    def build(
        cls,
        *,
        timeout: float | httpx.Timeout | None,
        max_connections: int,
        verify: bool | str | ssl.SSLContext,
        proxy: str | None,
        trust_env: bool,
        attempt_timeout: float | None = None,
    ) -> TransportOptions:
        if isinstance(timeout, httpx.Timeout):
            for phase, value in timeout.as_dict().items():
                _seconds(value, f"timeout ({phase})")
            resolved = timeout
        else:
            # botocore's defaults: 60 s connect and read.
            resolved = httpx.Timeout(60.0 if timeout is None else _seconds(timeout, "timeout"))
        if not isinstance(verify, (bool, str, ssl.SSLContext)):
            raise ParamValidationError(
                f"Invalid type for verify, type: {type(verify).__name__}, valid types: bool, str, ssl.SSLContext"
            )
        if isinstance(verify, str) and not os.path.exists(verify):
            raise ParamValidationError("Invalid verify: no CA bundle file or directory at the path given")
        if proxy is not None:
            if not isinstance(proxy, str):
                raise ParamValidationError(f"Invalid type for proxy, type: {type(proxy).__name__}, valid types: str")
            _checked_proxy(proxy, "proxy")
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        return cls(resolved, limits, verify, proxy, trust_env, _seconds(attempt_timeout, "attempt_timeout"))

    def timeout_for(self, deadline: float | None) -> httpx.Timeout:
        """The timeouts of an attempt that must end by ``deadline`` (monotonic): the wait for a pooled
        connection shortened to the time left, as the network backend shortens every read and write."""
        if deadline is None:
            return self.timeout
        left = max(deadline - time.monotonic(), 0.001)
        timeout = self.timeout
        if timeout.pool is not None and timeout.pool <= left:
            return timeout
        return httpx.Timeout(connect=timeout.connect, read=timeout.read, write=timeout.write, pool=left)

    def ssl_context(self) -> ssl.SSLContext | bool:
        if self.verify is True:
            return shared_ssl_context()
        if isinstance(self.verify, str):
            try:
                if os.path.isdir(self.verify):
                    return ssl.create_default_context(capath=self.verify)
                return ssl.create_default_context(cafile=self.verify)
            except (OSError, ssl.SSLError):
                raise ParamValidationError("Invalid verify: the file given holds no usable CA certificates") from None
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
        variable = scheme if scheme in proxies else "all"
        proxy = proxies.get(variable)
        if proxy is None:
            return None
        if "://" not in proxy:  # "proxy:3128": http:// assumed, as httpx and botocore assume it
            proxy = f"http://{proxy}"
        return _checked_proxy(proxy, f"proxy from the environment ({variable.upper()}_PROXY)")


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
    raw = [(b"Host", b"host", request.host.encode("ascii"))]
    # A field value's surrounding spaces and tabs are not part of it (RFC 9110 §5.5: "a field value
    # does not include leading or trailing whitespace"), and SigV4 trims them too; h11 refuses to send
    # them. So they are left out here, on the wire only: what was signed (and what botocore sends, with
    # the spaces, to a server that drops them) is the same value.
    ours = [
        (k.encode("ascii"), k.lower().encode("ascii"), v.strip(" \t").encode("ascii"))
        for k, v in request.headers.items()
    ]
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
    url = exact_url(base, request.path, request.query)
    built = httpx.Request(request.method, url, stream=stream, extensions={"timeout": timeout.as_dict()})
    set_raw_headers(built, raw)
    if isinstance(content, bytes):
        set_content(built, content)  # what Request(content=...) would have read: request.content works
    return built


def from_httpx(response: httpx.Response, body: bytes = b"") -> HttpResponse:
    """Headers lower-cased, repeated ones joined with ``, `` under the first spelling (as urllib3 does
    for botocore); user metadata names also kept as received."""
    headers: dict[str, str] = {}
    names: dict[str, str] = {}
    # httpx keeps (name as received, name lower-cased, value) per header; .raw would rebuild a list.
    for raw_name, raw_lower, raw_value in raw_headers(response):
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


def translate(error: Exception, *, open_bodies: int = 0) -> HTTPClientError:
    """httpx's exception -> ours, keeping the original as ``__cause__`` (set by the caller's ``raise from``).

    ``open_bodies``: GetObject bodies of this client not yet closed, named when the pool ran dry.
    A request that h11 refuses to send (:func:`refused`) never gets here.
    """
    if isinstance(error, httpx.PoolTimeout):
        return PoolTimeoutError(
            "No connection became free in the pool within the pool timeout: "
            f"{open_bodies} GetObject bodies of this client are open, each holding a connection. "
            "Read each Body to its end or close it (with obj['Body'] as body: ...)"
        )
    if isinstance(error, httpx.TimeoutException) and deadline_passed():
        return ReadTimeoutError("The attempt took longer than attempt_timeout")
    if isinstance(error, httpx.ConnectTimeout):
        return ConnectTimeoutError(f"Connect timeout: {error}")
    if isinstance(error, (httpx.ReadTimeout, httpx.WriteTimeout)):
        return ReadTimeoutError(f"Read timeout: {error}")
    if isinstance(error, (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return EndpointConnectionError(f"Connection failed: {error}")
    # never the lower layer's message: it may quote what was being sent
    return HTTPClientError(f"HTTP error: {type(error).__name__}")


def refused(error: Exception) -> ParamValidationError | None:
    """The local error for a request the HTTP layer would not send (h11's LocalProtocolError), or None.

    h11's message quotes the offending header, value and all (a session token, an SSE-C key), so it is
    never copied, nor kept as the cause; and sending the same bytes again could only fail again, so
    the flow does not retry it."""
    if not isinstance(error, httpx.LocalProtocolError):
        return None
    return ParamValidationError("The request could not be sent: HTTP/1.1 does not allow a header or the URL as built")


def translated(error: Exception, *, open_bodies: int = 0) -> HTTPClientError:
    """:func:`translate`, with httpx's error as the cause (for errors handed on rather than raised)."""
    ours = translate(error, open_bodies=open_bodies)
    ours.__cause__ = error
    return ours


def raw_chunks(response: httpx.Response) -> Iterator[bytes]:
    """The body as sent, undecoded ("Response bodies are never transparently decompressed", §2.8).

    Iterates ``response.stream`` itself rather than ``iter_raw()``: a response a MockTransport built
    from bytes was already read by httpx, and its stream can still be iterated while iter_raw cannot.
    At the end, a connection with bytes left over past the response is retired (never reused).
    """
    yield from cast(httpx.SyncByteStream, response.stream)
    retire_if_leftover(response)


async def araw_chunks(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    """:func:`raw_chunks` for async transports.

    Left before its end (a closed Body, a cap reached, a cancelled task), it closes the response and
    lets httpcore's own generators run to their end on the closed connection, so that none is left
    for the garbage collector to finalize: trio and asyncio warn (ResourceWarning) when it must.
    """
    chunks = cast(httpx.AsyncByteStream, response.stream).__aiter__()
    finished = False
    try:
        async for chunk in chunks:
            yield chunk
        finished = True
        retire_if_leftover(response)
    finally:
        if not finished:
            with anyio.CancelScope(shield=True):
                await response.aclose()
                if http11_connection(response) is not None:  # httpcore's: ends at once, on the closed socket
                    try:
                        async for _ in chunks:
                            pass
                    except TRANSPORT_ERRORS:
                        pass
                elif (aclose := getattr(chunks, "aclose", None)) is not None:  # another transport's
                    await aclose()


def read_whole(response: httpx.Response) -> bytes:
    """A non-streamed body (any result but GetObject's, any error), within its cap
    (:func:`s3lite._http.body_limit`); only what arrives is counted (a HEAD's Content-Length
    announces a body that never comes). Past the cap nothing more is read (the connection is then
    closed, not reused): a result is a ResponseParseError, an error keeps its status with no body
    (so a proxy's big 503 page is still retried as a 503)."""
    limit, size, chunks = body_limit(response.status_code), 0, []
    for chunk in cast(httpx.SyncByteStream, response.stream):
        size += len(chunk)
        if size > limit:
            return _past_the_cap(response, limit)
        chunks.append(chunk)
    retire_if_leftover(response)
    return b"".join(chunks)


async def aread_whole(response: httpx.Response) -> bytes:
    """:func:`read_whole` for async transports (through :func:`araw_chunks`, which closes what it leaves)."""
    limit, size, chunks = body_limit(response.status_code), 0, []
    stream = araw_chunks(response)
    try:
        async for chunk in stream:
            size += len(chunk)
            if size > limit:
                return _past_the_cap(response, limit)
            chunks.append(chunk)
    finally:
        await stream.aclose()  # in this task, also when the cap is reached
    return b"".join(chunks)


def _past_the_cap(response: httpx.Response, limit: int) -> bytes:
    if response.status_code < 300:
        raise ResponseParseError(
            f"The response body is larger than the {limit // 1024} KiB s3lite reads for such a response"
        )
    return b""


def transport_failure(error: Exception, *, open_bodies: int = 0) -> S3LiteError:
    """What to raise for httpx's ``error`` while sending: :func:`refused`'s local error (with no cause,
    to be raised outside the ``except`` so that h11's message is not even its context), else
    :func:`translated`'s."""
    return refused(error) or translated(error, open_bodies=open_bodies)


#: What a transport may raise while sending or reading: mapped by :func:`translate`.
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (httpx.TransportError, httpx.StreamError)
