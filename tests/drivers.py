"""One test body for both clients: ``await s3.call("put_object", ...)`` drives ``Client`` or ``AsyncClient``.

The sync client runs in a worker thread (``anyio.to_thread``), so a test that starts twenty calls in a
task group overlaps twenty real calls whichever client it drives, and a GetObject ``Body`` is read
through the same helpers whether it is a ``StreamingBody`` or an ``AsyncStreamingBody``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, Literal

import anyio.lowlevel
import anyio.to_thread
import httpx

import s3lite
from s3lite._http import Exchange, HttpRequest, HttpResponse
from s3lite._options import Timeouts
from s3lite._transport import to_httpx
from s3lite._wire import Pool

Kind = Literal["sync", "async"]
KINDS: tuple[Kind, ...] = ("sync", "async")


class Driver:
    """A Client or an AsyncClient, and await-able helpers that work the same on either."""

    def __init__(self, kind: Kind, *, transport: httpx.MockTransport | None = None, **options: Any) -> None:
        self.kind = kind
        self.client: s3lite.Client | s3lite.AsyncClient = (
            s3lite.Client(transport=transport, **options)
            if kind == "sync"
            else s3lite.AsyncClient(transport=transport, **options)
        )

    def __repr__(self) -> str:
        return f"<Driver {self.kind}>"

    async def _run(self, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """``function(...)`` in a worker thread for the sync client, awaited for the async one."""
        if self.kind == "sync":
            return await anyio.to_thread.run_sync(partial(function, *args, **kwargs))
        return await function(*args, **kwargs)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """One operation, e.g. ``await s3.call("get_object", Bucket=b, Key=k)``."""
        result: dict[str, Any] = await self._run(getattr(self.client, method), **params)
        return result

    async def read(self, body: Any, amt: int | None = None) -> bytes:
        data: bytes = await self._run(body.read, amt)
        return data

    async def iterate(self, body: Any, method: str = "iter_chunks", **kwargs: Any) -> AsyncIterator[bytes]:
        """The items of ``body.iter_chunks(...)`` or ``body.iter_lines(...)``, each pulled when asked for."""
        items = getattr(body, method)(**kwargs)
        if self.kind == "async":
            async for item in items:
                yield item
            return
        while (item := await anyio.to_thread.run_sync(next, items, None)) is not None:
            yield item

    async def collect(self, body: Any, method: str = "iter_chunks", **kwargs: Any) -> list[bytes]:
        return [item async for item in self.iterate(body, method, **kwargs)]

    async def events(self, stream: Any) -> list[dict[str, Any]]:
        """Every event of an event stream (SelectObjectContent's ``Payload``), sync or async."""
        if self.kind == "async":
            return [event async for event in stream]
        result: list[dict[str, Any]] = await anyio.to_thread.run_sync(list, stream)
        return result

    async def close_body(self, body: Any) -> None:
        await self._run(body.close)

    @asynccontextmanager
    async def opened(self, body: Any) -> AsyncIterator[Any]:
        """``with body`` or ``async with body``: the body's own context manager protocol."""
        if self.kind == "async":
            async with body as entered:
                yield entered
        else:
            with body as entered:
                yield entered

    async def download(self, **params: Any) -> tuple[dict[str, Any], bytes]:
        """GetObject and its whole body."""
        result = await self.call("get_object", **params)
        return result, await self.read(result["Body"])

    async def aclose(self) -> None:
        await self._run(self.client.close)


class ObservedPool:
    """Client's own pool (its path when given no transport), each request shown to ``observe`` as it
    goes out - as the ``httpx.Request`` the httpx path would make of it, the same header fields
    (``s3lite._transport.to_httpx``) - and ``done()`` called once its response is in. Installed in
    ``client`` in place of the pool it wraps: the recording transports' view, on the path users take."""

    def __init__(
        self, client: s3lite.Client, observe: Callable[[httpx.Request], None], done: Callable[[], None] = lambda: None
    ) -> None:
        pool = client._sender
        assert isinstance(pool, Pool), "a Client built without a transport or a proxy"
        self._pool, self._observe, self._done = pool, observe, done
        client._sender = self

    def send(
        self, request: HttpRequest, content: bytes | Iterator[bytes], deadline: float | None, stream: bool
    ) -> tuple[Exchange | None, HttpResponse]:
        self._observe(to_httpx(request, content, Timeouts(None, None, None, None)))
        try:
            return self._pool.send(request, content, deadline, stream)
        finally:
            self._done()

    def close(self) -> None:
        self._pool.close()


def recording_driver(kind: Kind, **options: Any) -> tuple[Driver, list[httpx.Headers]]:
    """A Driver, and the headers of each request it sends (what was signed and sent, on a real
    connection): Client through its own pool, AsyncClient through httpx's transport."""
    if kind == "sync":
        driver = Driver(kind, **options)
        sent: list[httpx.Headers] = []
        ObservedPool(driver.client, lambda request: sent.append(request.headers.copy()))  # type: ignore[arg-type]
        return driver, sent
    transport = AsyncRecordingTransport()
    return Driver(kind, transport=transport, **options), transport.sent  # type: ignore[arg-type]


class AsyncRecordingTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, keeping each request's headers: what was signed and sent, on a real connection."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Headers] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.headers.copy())
        return await super().handle_async_request(request)


async def async_chunks(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    """An async iterator over ``chunks``, as an async producer would hand them to AsyncClient."""
    for chunk in chunks:
        await anyio.lowlevel.checkpoint()
        yield chunk


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that counts the chunks pulled from it: proof that GetObject does not pre-read."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks
        self.pulled = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True
