"""Reading a streamed ``Body`` while it is sent: the clients' side of :class:`StreamBody`.

The source (a file, an iterator, an async iterator) is read ``chunk_size`` at a time and each chunk
framed by the body's encoder (signed aws-chunked, set by the flow for each attempt). A file is
rewound first, so a retry sends the same bytes again.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Generator, Iterable, Iterator
from typing import Any

from ._checksums import AwsChunkedEncoder
from ._errors import ParamValidationError
from ._http import StreamBody


def _as_bytes(chunk: Any) -> bytes:
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    raise ParamValidationError(
        f"Invalid value for parameter Body: the stream yielded {type(chunk).__name__}, not bytes"
    )


def _file_chunks(body: StreamBody, chunk_size: int) -> Iterator[bytes]:
    source = body.source
    if body.start is not None:
        source.seek(body.start)
    left = body.length
    while left > 0:
        chunk = source.read(min(chunk_size, left))
        if not chunk:
            break
        left -= len(chunk)
        yield chunk


def _framed(encoder: AwsChunkedEncoder, chunks: Iterable[Any]) -> Generator[bytes, None, None]:
    for chunk in chunks:
        if framed := encoder.feed(_as_bytes(chunk)):
            yield framed
    yield encoder.finish()


def _frames(body: StreamBody, chunk_size: int) -> Generator[bytes, None, None]:
    source = body.source
    return _framed(body.encoder, _file_chunks(body, chunk_size) if hasattr(source, "read") else source)


def iter_stream(body: StreamBody, chunk_size: int) -> Generator[bytes, None, None]:
    """The bytes to send for ``body`` from a file or an iterator.

    A file's next chunk is read and signed in a worker thread while the current one is sent: reading,
    SHA-256 and the socket all release the GIL, so the upload costs about the slowest of the three
    rather than their sum. A caller's iterator is left in the caller's thread.
    """
    frames = _frames(body, chunk_size)
    return _read_ahead(frames) if hasattr(body.source, "read") else frames


def _read_ahead(frames: Iterator[bytes]) -> Generator[bytes, None, None]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="s3lite-upload") as worker:
        pending = worker.submit(next, frames, None)
        while (framed := pending.result()) is not None:
            pending = worker.submit(next, frames, None)
            yield framed


async def aiter_stream(body: StreamBody, chunk_size: int) -> AsyncGenerator[bytes, None]:
    """:func:`iter_stream` for AsyncClient: a file is read and framed (hashed, signed) in a worker
    thread, one chunk per hop, so the event loop never blocks on the disk; async iterators are awaited."""
    source, encoder = body.source, body.encoder
    if isinstance(source, AsyncIterable):
        async for chunk in source:
            if framed := encoder.feed(_as_bytes(chunk)):
                yield framed
        yield encoder.finish()
        return
    frames = _frames(body, chunk_size)
    if not hasattr(source, "read"):
        for framed in frames:
            yield framed
        return
    import anyio.to_thread

    while (framed := await anyio.to_thread.run_sync(next, frames, None)) is not None:
        yield framed


def source_closer(body: Any) -> Any:
    """The ``aclose``/``close`` of a caller's iterator ``Body``, called when its upload fails or is
    cancelled so that the caller's generator runs its ``finally`` now, not when the garbage collector
    gets to it (trio warns then); None for bytes and files (a file stays the caller's to close)."""
    if body is None or isinstance(body, (bytes, bytearray, memoryview, str)) or hasattr(body, "read"):
        return None
    return getattr(body, "aclose", None) or getattr(body, "close", None)
