"""Reading a streamed ``Body`` while it is hashed and sent: the clients' side of :class:`StreamBody`.

The source (a file, an iterator, an async iterator) is read ``chunk_size`` at a time and each chunk
pumped through the body's encoder (set by the flow for each attempt: signed aws-chunked framing, or
the chunks as they are). A file is rewound first, so a retry sends the same bytes again. The first
pass of a body sent as it is (``HashBody``) is :class:`FirstPass`, stepped by both clients.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncGenerator, AsyncIterable, Generator, Iterable, Iterator
from typing import Any

from ._checksums import AwsChunkedEncoder, BodyEncoder
from ._errors import ParamValidationError
from ._http import StreamBody

#: Bytes read per step of the first pass: botocore's ``PAYLOAD_BUFFER``; hashlib releases the GIL
#: for each, and AsyncClient makes one worker-thread hop per step.
HASH_CHUNK = 1024 * 1024


def as_bytes(chunk: Any, parameter: str = "Body") -> bytes:
    """A chunk a caller's stream gave, as bytes; anything else a ParamValidationError naming
    ``parameter`` (None included: a non-blocking file with nothing ready)."""
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    raise ParamValidationError(
        f"Invalid value for parameter {parameter}: the stream yielded {type(chunk).__name__}, not bytes"
    )


def read_bytes(source: Any, size: int, parameter: str = "Body") -> bytes:
    """``source.read(size)``, its failure an s3lite error ("every exception that leaves the library
    is an S3LiteError"): a file closed or broken while it is uploaded (``upload_fileobj``'s too)."""
    try:
        data = source.read(size)
    except (OSError, ValueError) as error:
        raise ParamValidationError(
            f"Invalid value for parameter {parameter}: reading it failed ({type(error).__name__}: {error})"
        ) from error
    return as_bytes(data, parameter)


def _seek(source: Any, offset: int) -> None:
    try:
        source.seek(offset)
    except (OSError, ValueError) as error:
        raise ParamValidationError(
            f"Invalid value for parameter Body: rewinding it failed ({type(error).__name__}: {error})"
        ) from error


class FirstPass:
    """The SHA-256 of a rewindable body, one :data:`HASH_CHUNK` per :meth:`step` (constant memory):
    the ``length`` bytes from ``start``, the file rewound after, as botocore's first pass over http.

    Stepped so that AsyncClient can run each read in a worker thread and still notice a cancellation
    between two of them.
    """

    __slots__ = ("_hasher", "_left", "_length", "_source", "_start")

    def __init__(self, body: StreamBody) -> None:
        if body.start is None:
            raise ParamValidationError(
                "Invalid value for parameter Body: a stream that cannot be rewound cannot be hashed first"
            )
        self._source = body.source
        self._start = body.start
        self._length = body.length
        self._hasher = hashlib.sha256()
        self._left: int | None = None

    def step(self) -> str | None:
        """Hash the next piece; the hex digest once the whole body is hashed, else None."""
        if self._left is None:
            _seek(self._source, self._start)
            self._left = self._length
        if self._left > 0:
            chunk = read_bytes(self._source, min(HASH_CHUNK, self._left))
            if not chunk:
                raise ParamValidationError(
                    f"Invalid value for parameter Body: it ended {self._left} bytes short of its length, "
                    f"{self._length}, while it was hashed"
                )
            self._hasher.update(chunk)
            self._left -= len(chunk)
            return None
        _seek(self._source, self._start)
        return self._hasher.hexdigest()


def sha256_of(body: StreamBody) -> str:
    """The answer to ``HashBody`` for ``Client`` (and any synchronous driver)."""
    first = FirstPass(body)
    while (digest := first.step()) is None:
        pass
    return digest


async def asha256_of(body: StreamBody) -> str:
    """The answer to ``HashBody`` for AsyncClient: every read and hash in a worker thread, so the
    event loop never blocks on the disk."""
    import anyio.to_thread

    first = FirstPass(body)
    while (digest := await anyio.to_thread.run_sync(first.step)) is None:
        pass
    return digest


def _file_chunks(body: StreamBody, chunk_size: int) -> Iterator[bytes]:
    source = body.source
    if body.start is not None:
        _seek(source, body.start)
    left = body.length
    while left > 0:
        chunk = read_bytes(source, min(chunk_size, left))
        if not chunk:
            break
        left -= len(chunk)
        yield chunk


def _framed(encoder: BodyEncoder, chunks: Iterable[Any]) -> Generator[bytes, None, None]:
    for chunk in chunks:
        if framed := encoder.feed(as_bytes(chunk)):
            yield framed
    if tail := encoder.finish():
        yield tail


def _frames(body: StreamBody, chunk_size: int) -> Generator[bytes, None, None]:
    source = body.source
    if not hasattr(source, "read"):
        return _framed(body.encoder, source)
    # aws-chunked frames must be chunk_size; a body sent as it is is read in bigger pieces (fewer
    # reads, and for AsyncClient fewer worker-thread hops)
    size = chunk_size if isinstance(body.encoder, AwsChunkedEncoder) else max(chunk_size, HASH_CHUNK)
    return _framed(body.encoder, _file_chunks(body, size))


def iter_stream(body: StreamBody, chunk_size: int) -> Generator[bytes, None, None]:
    """The bytes to send for ``body`` from a file or an iterator.

    A file framed as aws-chunked has its next chunk read and signed in a worker thread while the
    current one is sent: reading, SHA-256 and the socket all release the GIL, so the upload costs
    about the slowest of the three rather than their sum. A file sent as it is was hashed before
    (``FirstPass``), and is read in the caller's thread; so is a caller's iterator.
    """
    frames = _frames(body, chunk_size)
    signing = isinstance(body.encoder, AwsChunkedEncoder)
    return _read_ahead(frames) if signing and hasattr(body.source, "read") else frames


def _read_ahead(frames: Iterator[bytes]) -> Generator[bytes, None, None]:
    from concurrent.futures import ThreadPoolExecutor

    worker = ThreadPoolExecutor(1, thread_name_prefix="s3lite-upload")
    try:
        pending = worker.submit(next, frames, None)
        while (framed := pending.result()) is not None:
            pending = worker.submit(next, frames, None)
            yield framed
    finally:
        # closed when the send fails too: the call must not wait for a read that may never return
        # (a pipe whose producer stalled); the worker ends by itself once that read does
        worker.shutdown(wait=False, cancel_futures=True)


async def aiter_stream(body: StreamBody, chunk_size: int) -> AsyncGenerator[bytes, None]:
    """:func:`iter_stream` for AsyncClient: a file is read (and framed: hashed, signed) in a worker
    thread, one chunk per hop, so the event loop never blocks on the disk; async iterators are awaited."""
    source, encoder = body.source, body.encoder
    if isinstance(source, AsyncIterable):
        async for chunk in source:
            if framed := encoder.feed(as_bytes(chunk)):
                yield framed
        if tail := encoder.finish():
            yield tail
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
