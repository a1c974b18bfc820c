"""What both drivers share of a download: which body failures are fetched again, the length check,
and the range buffer of ``download_fileobj``, which writes in order.

s3transfer fetches a range again when its body fails while it is read (``S3_RETRYABLE_DOWNLOAD_ERRORS``:
timeouts, resets, a body cut short), up to ``num_download_attempts`` times; a failed request itself
has already been retried by the client's own policy and is not retried again here.
"""

from __future__ import annotations

from collections.abc import Callable

from .._errors import EndpointConnectionError, IncompleteReadError, ReadTimeoutError, ResponseParseError
from .plan import Span

#: failures of a body while it is read that fetch the range again
RETRIED_READS = (IncompleteReadError, ReadTimeoutError, EndpointConnectionError)

#: ``offset, data``: where a range's bytes are written
WriteAt = Callable[[int, bytes], None]


class Attempts:
    """The attempts at one range: ``failed`` raises the failure once there are none left;
    ``ended`` checks that the body held exactly the bytes asked for."""

    __slots__ = ("_left", "_span")

    def __init__(self, span: Span, attempts: int) -> None:
        self._span = span
        self._left = attempts

    def failed(self, error: BaseException) -> None:
        self._left -= 1
        if self._left <= 0:
            raise error

    def ended(self, received: int) -> None:
        if received != self._span.length:
            raise ResponseParseError(
                f"GetObject gave {received} bytes for bytes {self._span.offset}-"
                f"{self._span.offset + self._span.length - 1} of the object, {self._span.length} expected"
            )


#: bytes of a range gathered before they are written: a response arrives in socket-sized pieces
#: (64 KiB from httpcore), and AsyncClient makes one worker-thread hop per write
WRITE_BATCH = 1024 * 1024


class FileSink:
    """Where one range of ``download_file`` goes: to its place in the temporary file, in batches
    (:data:`WRITE_BATCH`): ``due`` says when to ``flush``."""

    __slots__ = ("_chunks", "_offset", "_size", "_write_at")

    def __init__(self, write_at: WriteAt) -> None:
        self._write_at = write_at
        self._chunks: list[bytes] = []
        self._offset = 0
        self._size = 0

    def write(self, offset: int, data: bytes) -> None:
        if not self._chunks:
            self._offset = offset
        self._chunks.append(data)
        self._size += len(data)

    @property
    def due(self) -> bool:
        return self._size >= WRITE_BATCH

    @property
    def pending(self) -> bool:
        return self._size > 0

    def flush(self) -> None:
        offset = self._offset
        for chunk in self._chunks:
            self._write_at(offset, chunk)
            offset += len(chunk)
        self.restart()

    def restart(self) -> None:
        """Drop what is gathered (the next attempt writes over the same bytes)."""
        self._chunks.clear()
        self._size = 0


class SpanBuffer:
    """One range of ``download_fileobj``, held until the ranges before it are written."""

    __slots__ = ("chunks",)

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, offset: int, data: bytes) -> None:
        self.chunks.append(data)

    #: written only when its turn comes, whole
    due = pending = False

    def flush(self) -> None:
        """Nothing before its turn."""

    def restart(self) -> None:
        self.chunks.clear()
