"""The httpx side of the clients: request and response conversion, error mapping.

Used by ``Client`` with a caller's transport or a proxy, and by ``AsyncClient``; imported only
then, so that ``import s3lite`` (and a ``Client`` on s3lite's own pool) stays free of httpx.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import TYPE_CHECKING, cast

import anyio
import httpx

from ._errors import (
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ParamValidationError,
    ReadTimeoutError,
    S3LiteError,
    not_sendable,
    pool_timeout,
)
from ._h1 import request_fields, response_of
from ._http import HttpRequest, HttpResponse, body_limit, past_the_cap
from ._options import Timeouts, TransportOptions

if TYPE_CHECKING:
    from ._streaming import OpenBodies
from ._deadline import deadline_passed
from ._httpx_adapter import (
    exact_url,
    http11_connection,
    raw_headers,
    retire_if_leftover,
    set_content,
    set_raw_headers,
)

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


def to_httpx(
    request: HttpRequest, content: bytes | Iterator[bytes] | AsyncIterator[bytes], timeouts: Timeouts
) -> httpx.Request:
    """An ``httpx.Request`` whose path on the wire is exactly ``request.path``.

    httpx normalises dot segments when it parses a URL (``a/./b/../c`` -> ``a/c``), but S3 keys are
    opaque and the path sent must be the path signed; so the parsed URL's path and query are replaced
    after parsing (tests/test_transport.py pins this against the httpx version in use). The header
    fields are s3lite's own HTTP/1.1 pool's (:func:`s3lite._h1.request_fields`), installed without
    httpx's per-header normalisation: values were validated as printable ASCII before signing.
    """
    origin = f"{request.scheme}://{request.host}/"
    base = _origins.get(origin)
    if base is None:
        if len(_origins) >= 256:  # one per bucket when virtual-hosted: bounded like the signing keys
            _origins.clear()
        base = _origins[origin] = httpx.URL(origin)
    raw = [
        (name.encode("ascii"), name.lower().encode("ascii"), value.encode("ascii"))
        for name, value in request_fields(request, content)
    ]
    stream: httpx.SyncByteStream | httpx.AsyncByteStream
    if isinstance(content, bytes):
        stream = httpx.ByteStream(content)
    else:
        stream = _AsyncUpload(content) if isinstance(content, AsyncIterator) else _Upload(content)
    url = exact_url(base, request.path, request.query)
    built = httpx.Request(request.method, url, stream=stream, extensions={"timeout": timeouts.as_dict()})
    set_raw_headers(built, raw)
    if isinstance(content, bytes):
        set_content(built, content)  # what Request(content=...) would have read: request.content works
    return built


def from_httpx(response: httpx.Response, body: bytes = b"") -> HttpResponse:
    """The response described as s3lite's own pool describes one (:func:`s3lite._h1.response_of`).
    httpx keeps (name as received, name lower-cased, value) per header (``.raw`` would rebuild a
    list); Latin-1 maps every byte to a character, so a malformed header never raises here."""
    fields = [(name.decode("latin-1"), value.decode("latin-1")) for name, _, value in raw_headers(response)]
    return response_of(response.status_code, fields, body)


def translate(error: Exception, *, open_bodies: int = 0) -> HTTPClientError:
    """httpx's exception -> ours, keeping the original as ``__cause__`` (set by the caller's ``raise from``).

    ``open_bodies``: GetObject bodies of this client not yet closed, named when the pool ran dry.
    A request that h11 refuses to send (:func:`refused`) never gets here.
    """
    if isinstance(error, httpx.PoolTimeout):
        return pool_timeout(open_bodies)
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
    return not_sendable()


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
            return past_the_cap(response.status_code, limit)
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
                return past_the_cap(response.status_code, limit)
            chunks.append(chunk)
    finally:
        await stream.aclose()  # in this task, also when the cap is reached
    return b"".join(chunks)


def transport_failure(error: Exception, *, open_bodies: int = 0) -> S3LiteError:
    """What to raise for httpx's ``error`` while sending: :func:`refused`'s local error (with no cause,
    to be raised outside the ``except`` so that h11's message is not even its context), else
    :func:`translated`'s."""
    return refused(error) or translated(error, open_bodies=open_bodies)


#: What a transport may raise while sending or reading: mapped by :func:`translate`.
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (httpx.TransportError, httpx.StreamError)


class HttpxExchange:
    """A response of a synchronous httpx transport whose body is still to read, seen as
    ``Client`` sees every response (s3lite's own pool's too, :class:`s3lite._wire.WireResponse`):
    ``chunks()``, ``read_whole()``, ``close()``, failing with s3lite's errors only."""

    __slots__ = ("_response",)

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    def chunks(self) -> Iterator[bytes]:
        try:
            yield from raw_chunks(self._response)
        except TRANSPORT_ERRORS as error:
            raise translated(error) from error

    def read_whole(self) -> bytes:
        try:
            return read_whole(self._response)
        except TRANSPORT_ERRORS as error:
            raise translated(error) from error
        finally:
            self._response.close()

    def close(self) -> None:
        self._response.close()


class HttpxSender:
    """``Client``'s requests through any ``httpx.BaseTransport`` (a caller's, or httpx's own when a
    proxy is in play): the httpx request built from ours, the response described as ours."""

    __slots__ = ("_bodies", "_options", "transport")

    def __init__(self, transport: httpx.BaseTransport, options: TransportOptions, bodies: OpenBodies) -> None:
        self.transport = transport
        self._options = options
        self._bodies = bodies

    def send(
        self, request: HttpRequest, content: bytes | Iterator[bytes], deadline: float | None, stream: bool
    ) -> tuple[HttpxExchange | None, HttpResponse]:
        try:
            timeouts = self._options.timeouts_for(deadline, time.monotonic())
            response = self.transport.handle_request(to_httpx(request, content, timeouts))
            if stream:
                return HttpxExchange(response), from_httpx(response)
            try:
                return None, from_httpx(response, read_whole(response))
            finally:
                response.close()
        except TRANSPORT_ERRORS as error:
            failure = transport_failure(error, open_bodies=self._bodies.count)
        raise failure  # outside the except: a refused request keeps no trace of what h11 quoted

    def close(self) -> None:
        self.transport.close()
