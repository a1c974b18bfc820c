"""``AsyncClient``'s GetObject ``Body``: :class:`s3lite._streaming.StreamingBody` with ``await``.

Apart from it because ``AsyncClient`` runs on httpx's async transports (and ``Client``, most often,
on s3lite's own pool, which must not import httpx): the chunks come from httpx here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Self

from ._streaming import DEFAULT_CHUNK_SIZE, BodyState, OpenBodies, as_amount, last_line, split_lines
from ._transport import TRANSPORT_ERRORS, araw_chunks, translated


class AsyncStreamingBody:
    """The body of a GetObject response from :class:`AsyncClient`: ``await body.read()``."""

    def __init__(self, response: Any, state: BodyState, bodies: OpenBodies | None = None) -> None:
        self._response = response
        self._chunks: AsyncIterator[bytes] = araw_chunks(response)
        self._state = state
        self._bodies = OpenBodies() if bodies is None else bodies
        self._watcher = self._bodies.watch(self, response)

    def __repr__(self) -> str:
        return f"<AsyncStreamingBody eof={self._state.eof}>"

    async def _pull(self) -> None:
        try:
            chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            await self._release()
            self._state.end()
            return
        except TRANSPORT_ERRORS as error:
            await self._release()
            self._state.fail(translated(error))
        self._state.feed(chunk)

    async def _release(self) -> None:
        await self._response.aclose()
        self._bodies.released(self._watcher)

    async def read(self, amt: int | None = None) -> bytes:
        state, amount = self._state, as_amount(amt)
        while state.wants(amount):
            await self._pull()
        return state.take(amount)

    async def read1(self, amt: int | None = None) -> bytes:
        state = self._state
        while state.wants(1):
            await self._pull()
        return state.take(as_amount(amt))

    def readable(self) -> bool:
        return True

    async def readlines(self) -> list[bytes]:
        return [line async for line in self.iter_lines(keepends=True)]

    async def readinto(self, buffer: bytearray | memoryview) -> int:
        data = await self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:
        return self._state.position

    async def iter_chunks(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        while chunk := await self.read(chunk_size):
            yield chunk

    async def iter_lines(self, chunk_size: int = DEFAULT_CHUNK_SIZE, keepends: bool = False) -> AsyncIterator[bytes]:
        pending = b""
        async for chunk in self.iter_chunks(chunk_size):
            lines, pending = split_lines(pending, chunk, keepends)
            for line in lines:
                yield line
        for line in last_line(pending, keepends):
            yield line

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.iter_chunks()

    async def __anext__(self) -> bytes:
        if chunk := await self.read(DEFAULT_CHUNK_SIZE):
            return chunk
        raise StopAsyncIteration

    @property
    def closed(self) -> bool:
        return self._state.closed

    async def close(self) -> None:
        self._state.closed = True
        # The chunk iterator may be an async generator suspended mid-body: close it here, in this
        # task, rather than leave it to the garbage collector (trio warns when it has to).
        aclose = getattr(self._chunks, "aclose", None)
        try:
            if aclose is not None:
                await aclose()
        finally:
            await self._release()

    aclose = close

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
