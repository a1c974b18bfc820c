"""The bytes of one part, as the client reads them: a slice of a file or of memory, rewindable, and
reporting progress as it is read.

A part of ``upload_file`` is read with ``os.pread`` (:func:`.files.read_at`) from one shared descriptor (no shared file
position, so parallel parts need no lock, and no part is held in memory); a part of ``upload_fileobj``
is the chunk read from the caller's file. Each is hashed first (:func:`digests`, SHA-256 to sign it
and the ``ChecksumAlgorithm`` the caller asked for) without counting as progress, then handed to the
client as a :class:`~s3lite._http.StreamBody` with its SHA-256 known, so the flow has nothing to hash.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from typing import Protocol

from .._checksums import new_hasher
from .._errors import ParamValidationError
from .._http import PartBody
from .files import local_errors, read_at
from .progress import Moved, Progress

#: bytes per read of the hashing pass: hashlib releases the GIL for each, so parts hash in parallel
HASH_READ = 1024 * 1024


class Slice(Protocol):
    """``length`` bytes that can be read at any offset, from any thread."""

    length: int

    def read_at(self, position: int, size: int) -> bytes: ...


class FileSlice:
    """``length`` bytes of a file descriptor from ``offset``, read with ``os.pread``."""

    __slots__ = ("_fd", "_offset", "length")

    def __init__(self, fd: int, offset: int, length: int) -> None:
        self._fd, self._offset, self.length = fd, offset, length

    def read_at(self, position: int, size: int) -> bytes:
        size = min(size, self.length - position)
        with local_errors("Filename", "reading it"):
            data = read_at(self._fd, size, self._offset + position) if size > 0 else b""
        if len(data) < size:
            raise ParamValidationError(
                f"Invalid value for parameter Filename: it ended while it was uploaded ({len(data)} of {size} "
                f"bytes at {self._offset + position}): was it truncated?"
            )
        return data


class MemorySlice:
    """A chunk already read from the caller's file object."""

    __slots__ = ("_data", "length")

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self.length = len(data)

    def read_at(self, position: int, size: int) -> bytes:
        return bytes(self._data[position : position + size])


class PartReader:
    """A read-only binary file over a :class:`Slice` (what the client's upload loop reads), which
    reports each byte read to the transfer's progress once, and takes bytes back when the client
    rewinds it to send them again (a retry)."""

    __slots__ = ("_lock", "_moved", "_position", "_slice")

    def __init__(self, part: Slice, progress: Progress) -> None:
        self._slice = part
        self._position = 0
        self._moved = Moved(progress)
        #: a read-ahead thread of an aws-chunked upload may still read while a retry rewinds
        self._lock = threading.Lock()

    closed = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        with self._lock:
            base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._slice.length}[whence]
            self._position = max(0, base + offset)
            if self._position < self._moved.reported:
                self._moved.to(self._position)
            return self._position

    def read(self, size: int = -1) -> bytes:
        with self._lock:
            left = self._slice.length - self._position
            data = self._slice.read_at(self._position, left if size is None or size < 0 else min(size, left))
            self._position += len(data)
            if self._position > self._moved.reported:
                self._moved.to(self._position)
            return data

    def body(self, sha256: str) -> PartBody:
        """The part as the client's flow takes it: its length and SHA-256 known, rewindable to 0."""
        return PartBody(self, self._slice.length, 0, sha256=sha256)


def digests(part: Slice, algorithm: str | None) -> tuple[str, str | None]:
    """The SHA-256 (hex, to sign the part with) and the base64 ``algorithm`` checksum of ``part``
    (None without one), from one pass over it."""
    sha256 = hashlib.sha256()
    checksum = new_hasher(algorithm) if algorithm else None
    for position in range(0, part.length, HASH_READ):
        data = part.read_at(position, HASH_READ)
        sha256.update(data)
        if checksum is not None:
            checksum.update(data)
    return sha256.hexdigest(), None if checksum is None else base64.b64encode(checksum.digest()).decode()


class StreamCutter:
    """Parts of ``part_size`` cut from a stream that can be read only once (a pipe, a socket, a
    generator's file): ``want`` bytes are asked of it until a part is ``ready``; a short read is
    not the end, an empty one is. I/O-free, so that both drivers read the same way."""

    def __init__(self, part_size: int, first: bytes = b"") -> None:
        self.part_size = part_size
        self._buffer = bytearray(first)
        self.ended = False

    @property
    def want(self) -> int:
        """How many bytes to read next (0 once a part is ready or the stream ended)."""
        return 0 if self.ended else max(0, self.part_size - len(self._buffer))

    def feed(self, data: bytes) -> None:
        if data:
            self._buffer += data
        else:
            self.ended = True

    @property
    def ready(self) -> bool:
        return len(self._buffer) >= self.part_size or (self.ended and bool(self._buffer))

    def take(self) -> bytes:
        part = bytes(self._buffer[: self.part_size])
        del self._buffer[: self.part_size]
        return part

    def then(self, part_size: int, taken: Slice) -> StreamCutter:
        """The cutter that goes on from here with parts of ``part_size``: it starts with ``taken``
        (the part just taken) and whatever this one held beyond it (a ``read`` may return more
        than it was asked for)."""
        after = StreamCutter(part_size, taken.read_at(0, taken.length) + bytes(self._buffer))
        after.ended = self.ended
        return after
