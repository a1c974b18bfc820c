"""GetObject's ``Body``: the response stream, read as the caller asks, checked when it ends.

``StreamingBody`` and ``AsyncStreamingBody`` (``_async_streaming``) differ only in how they pull the
next chunk (from an :class:`s3lite._http.Exchange`, from an httpx async response); buffering, byte
counting against Content-Length, checksum verification and line splitting live once, in
:class:`BodyState`.
"""

from __future__ import annotations

import weakref
from _thread import allocate_lock
from collections import deque
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, Self

from ._checksums import ChecksumVerifier, response_verifier
from ._errors import BodyClosedError, HTTPClientError, IncompleteReadError, S3LiteError
from ._flow import Driving
from ._http import HttpResponse
from ._model import operation

if TYPE_CHECKING:
    from ._http import Exchange

DEFAULT_CHUNK_SIZE = 1024


class BodyState:
    """Buffer and bookkeeping of one response body, fed chunk by chunk by whoever pulls them.

    The buffer is the chunks as received plus an offset into the first: a read that a chunk
    satisfies returns that chunk itself, and a longer one joins chunks once (a bytearray would copy
    every byte in, then out, then shift the rest down).
    """

    __slots__ = ("_buffered", "_chunks", "_error", "_expected", "_offset", "_received", "_verifier", "closed", "eof")

    def __init__(self, expected_length: int | None, verifier: ChecksumVerifier | None) -> None:
        self._chunks: deque[bytes] = deque()
        #: bytes of the first chunk already handed out
        self._offset = 0
        self._buffered = 0
        self._received = 0
        self._expected = expected_length
        self._verifier = verifier
        self.eof = False
        self.closed = False
        #: the first failure (transport, short body, checksum): raised again by every later read, so
        #: that what was buffered before it is never handed out as if the body had ended well
        self._error: S3LiteError | None = None

    @property
    def position(self) -> int:
        """Bytes handed to the caller so far."""
        return self._received - self._buffered

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self._received += len(chunk)
        if self._verifier is not None:
            self._verifier.feed(chunk)
        self._chunks.append(chunk)
        self._buffered += len(chunk)

    def end(self) -> None:
        """The stream is exhausted: "compares bytes read with Content-Length and raises
        IncompleteReadError on mismatch" (s3-spec.md §2.11), then checks the checksum."""
        self.eof = True
        try:
            if self._expected is not None and self._received != self._expected:
                raise IncompleteReadError(actual_bytes=self._received, expected_bytes=self._expected)
            if self._verifier is not None:
                self._verifier.finish()
        except S3LiteError as error:
            self._error = error
            raise

    def fail(self, error: HTTPClientError) -> NoReturn:
        """The transport failed mid-body: remember it (the lower layer's error as its cause) and raise."""
        self._error = error
        raise error

    def wants(self, amount: int | None) -> bool:
        """Whether a read of ``amount`` must pull more; raises what stops any read (an earlier
        failure, close())."""
        if self._error is not None:
            raise self._error
        if self.closed and not self.eof:
            raise BodyClosedError("I/O operation on a closed Body")
        return not self.eof and (amount is None or self._buffered < amount)

    def take(self, amount: int | None) -> bytes:
        chunks = self._chunks
        wanted = self._buffered if amount is None else min(amount, self._buffered)
        if not wanted:
            return b""
        first, offset = chunks[0], self._offset
        if offset == 0 and len(first) == wanted:
            chunks.popleft()
            self._buffered -= wanted
            return first
        pieces: list[bytes | memoryview] = []
        need = wanted
        while need:
            first = chunks[0]
            available = len(first) - offset
            if available <= need:
                pieces.append(memoryview(first)[offset:] if offset else first)
                chunks.popleft()
                need -= available
                offset = 0
            else:
                pieces.append(memoryview(first)[offset : offset + need])
                offset += need
                need = 0
        self._offset = offset
        self._buffered -= wanted
        return b"".join(pieces)


def body_state(response: HttpResponse, params: Mapping[str, Any], result: dict[str, Any]) -> BodyState:
    """Length and checksum checks for a streamed GetObject body (checksums only when asked for); the
    algorithm checked is named in ``ResponseMetadata.ChecksumAlgorithm``, as botocore names it."""
    length = response.headers.get("content-length", "")
    verifier = response_verifier(response.headers) if params.get("ChecksumMode") == "ENABLED" else None
    if verifier is not None:
        result["ResponseMetadata"]["ChecksumAlgorithm"] = verifier.algorithm.lower()
    return BodyState(int(length) if length.isdigit() else None, verifier)


class OpenBodies:
    """The GetObject bodies one client handed out that still hold a pooled connection.

    A body dropped unread and unclosed would pin its connection for ever, and after
    ``max_connections`` of them every call would wait for the pool in vain. So each body is watched
    by a finalizer: when it is garbage-collected unclosed, its response goes to ``abandoned``, and
    the client closes those at the start of its next call (and in ``close()``). The finalizer only
    queues: closing there could run inside httpcore's pool lock, in any thread, or need an await.
    ``count`` names the cause when the pool runs dry (:class:`s3lite.PoolTimeoutError`).
    """

    __slots__ = ("_lock", "abandoned", "count")

    def __init__(self) -> None:
        self.abandoned: list[Any] = []
        self.count = 0
        self._lock = allocate_lock()

    def __repr__(self) -> str:
        return f"<OpenBodies {self.count} open>"

    def watch(self, body: object, response: Any) -> weakref.finalize[Any, Any]:
        with self._lock:
            self.count += 1
        return weakref.finalize(body, self._abandon, response)

    def _abandon(self, response: Any) -> None:
        # Run by the garbage collector, in any thread, maybe inside this object's lock: so no lock
        # here, only list.append (atomic); the count drops when the client takes it (take_abandoned).
        self.abandoned.append(response)

    def released(self, watcher: weakref.finalize[Any, Any]) -> None:
        """The body was closed or read to its end: its connection is back in the pool."""
        if watcher.detach() is not None:
            self._forget()

    def _forget(self) -> None:
        with self._lock:
            self.count -= 1

    def take_abandoned(self) -> Iterator[Any]:
        """The responses of bodies collected unclosed, each taken once (pop is atomic, however many threads)."""
        while True:
            try:
                response = self.abandoned.pop()
            except IndexError:
                return
            self._forget()
            yield response


def with_body(
    operation_name: str, driving: Driving, held: Any, params: Mapping[str, Any], body_class: Any, bodies: OpenBodies
) -> tuple[dict[str, Any], Any]:
    """(the call's result, what is still held): a streamed result (GetObject's ``Body``, an event
    stream's ``Payload``) gets the held response as a ``body_class`` (StreamingBody or
    AsyncStreamingBody) watched by ``bodies``, which then owns it; SelectObjectContent's is decoded
    as events (``_eventstream``)."""
    result = driving.result
    last = driving.last
    output = operation(operation_name).output
    if held is None or last is None or output is None:
        return result, held
    payload = output.members[output.payload]
    state = body_state(last, params, result)
    body = body_class(held, state, bodies)
    if payload.shape.event_stream:
        from ._eventstream import event_stream_for

        result[payload.name] = event_stream_for(body)
    else:
        result[payload.name] = body
    return result, None


def as_amount(amt: int | None) -> int | None:
    """``read(amt)``'s argument: None or a negative number mean everything (as in urllib3 and files)."""
    return None if amt is None or amt < 0 else amt


def split_lines(pending: bytes, chunk: bytes, keepends: bool) -> tuple[list[bytes], bytes]:
    """Complete lines in ``pending + chunk``, and what is left over (botocore's ``iter_lines``)."""
    lines = (pending + chunk).splitlines(True)
    if not lines:
        return [], b""
    return [line.splitlines(keepends)[0] for line in lines[:-1]], lines[-1]


def last_line(pending: bytes, keepends: bool) -> list[bytes]:
    return [pending.splitlines(keepends)[0]] if pending else []


class StreamingBody:
    """The body of a GetObject response, streamed: nothing is read until the caller reads.

    Its connection goes back to the pool when the body is read to its end, closed, or - as a last
    resort - garbage-collected (see :class:`OpenBodies`); ``with obj["Body"] as body:`` is the way.
    """

    def __init__(self, response: Exchange, state: BodyState, bodies: OpenBodies | None = None) -> None:
        self._response = response
        self._chunks: Iterator[bytes] = response.chunks()
        self._state = state
        self._bodies = OpenBodies() if bodies is None else bodies
        self._watcher = self._bodies.watch(self, response)

    def __repr__(self) -> str:
        return f"<StreamingBody eof={self._state.eof}>"

    def _pull(self) -> None:
        try:
            chunk = next(self._chunks)
        except StopIteration:
            self._release()
            self._state.end()
            return
        except HTTPClientError as error:
            self._release()
            self._state.fail(error)
        self._state.feed(chunk)

    def _release(self) -> None:
        self._response.close()
        self._bodies.released(self._watcher)

    def read(self, amt: int | None = None) -> bytes:
        """Up to ``amt`` bytes, or everything left; b"" at the end."""
        state, amount = self._state, as_amount(amt)
        while state.wants(amount):
            self._pull()
        return state.take(amount)

    def read1(self, amt: int | None = None) -> bytes:
        """Up to ``amt`` bytes (all that is buffered when None) with at most one chunk pulled from the
        network: what is buffered, else the next chunk as it arrives (``io.BufferedIOBase.read1``);
        b"" at the end. For streams of events, handed on as they come: ``read(n)`` waits for n bytes."""
        state = self._state
        while state.wants(1):
            self._pull()
        return state.take(as_amount(amt))

    def readable(self) -> bool:
        return True

    def readlines(self) -> list[bytes]:
        """The rest of the body as lines, line endings kept (as ``IOBase.readlines``)."""
        return list(self.iter_lines(keepends=True))

    def readinto(self, buffer: bytearray | memoryview) -> int:
        """Fill ``buffer`` with up to ``len(buffer)`` bytes; the number read, 0 at the end."""
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:
        """Bytes read so far."""
        return self._state.position

    def iter_chunks(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        while chunk := self.read(chunk_size):
            yield chunk

    def iter_lines(self, chunk_size: int = DEFAULT_CHUNK_SIZE, keepends: bool = False) -> Iterator[bytes]:
        pending = b""
        for chunk in self.iter_chunks(chunk_size):
            lines, pending = split_lines(pending, chunk, keepends)
            yield from lines
        yield from last_line(pending, keepends)

    def __iter__(self) -> Iterator[bytes]:
        return self.iter_chunks()

    def __next__(self) -> bytes:
        if chunk := self.read(DEFAULT_CHUNK_SIZE):
            return chunk
        raise StopIteration

    @property
    def closed(self) -> bool:
        return self._state.closed

    def close(self) -> None:
        self._state.closed = True
        self._release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
