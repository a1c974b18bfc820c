"""Turning a caller's ``Body`` into something the core can describe without reading it.

Bytes-like bodies go to the core as they are. Files and iterators become a :class:`StreamBody`:
its length is known before the first byte is sent (from the file, or from ``ContentLength``), so it
can be streamed in constant memory, plainly or framed as signed aws-chunked chunks (``serialize``
chooses). This module looks at files (``tell``/``seek``, ``mode``, ``closed``) but never reads them:
the clients do that while hashing and sending (``_upload``).
"""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterable, Iterable
from typing import Any

from ._errors import ParamValidationError
from ._http import StreamBody

_BYTES_LIKE = (bytes, bytearray, memoryview, str)


def is_text_file(body: Any) -> bool:
    if isinstance(body, io.TextIOBase):
        return True
    mode = getattr(body, "mode", "b")
    return isinstance(mode, str) and "b" not in mode


def file_remaining(body: Any) -> tuple[int, int] | None:
    """(start, bytes left) of a seekable file, or None when it cannot seek.

    botocore asks no more of a file than ``seek`` and ``tell`` (``utils.determine_content_length``),
    so neither do we: ``seekable()`` is consulted only where it exists, and the end offset is taken
    from ``tell()`` after seeking there, since ``seek()`` may return None (Ceph's s3-tests pass such
    objects)."""
    seekable = getattr(body, "seekable", None)
    if not (hasattr(body, "seek") and hasattr(body, "tell")):
        return None
    try:
        if callable(seekable) and not seekable():
            return None
        start = body.tell()
        if not _is_offset(start):  # checked before the file is moved: it is left where it was
            return None
        body.seek(0, os.SEEK_END)
        end = body.tell()
        body.seek(start)
    except (AttributeError, OSError, TypeError, ValueError):
        return None
    if not _is_offset(end):
        return None
    return start, max(end - start, 0)


def _is_offset(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_chunks(chunks: list[Any] | tuple[Any, ...], content_length: int | None) -> None:
    """A list or tuple body is all there before anything is sent, so its items are checked now
    rather than after the request head went out: each must be bytes-like,
    and together as long as ContentLength."""
    total = 0
    for index, chunk in enumerate(chunks):
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise ParamValidationError(
                f"Invalid type for parameter Body[{index}], type: {type(chunk).__name__}, "
                "valid types: bytes, bytearray, memoryview"
            )
        total += memoryview(chunk).nbytes
    if content_length is not None and total != content_length:
        raise ParamValidationError(
            f"Invalid value for parameter ContentLength: {content_length}, but Body has {total} bytes"
        )


def plan_stream_body(body: Any, content_length: int | None, *, allow_async: bool) -> StreamBody | Any:
    """``body`` unchanged when the core takes it as it is, else a StreamBody (or ``b""`` for a stream
    of length zero: an empty aws-chunked body is refused by Ceph RGW, and there is nothing to stream);
    a body that cannot be sent correctly (text file, unknown length, wrong kind for this client) is a
    ParamValidationError."""
    planned = _plan(body, content_length, allow_async=allow_async)
    return b"" if isinstance(planned, StreamBody) and planned.length == 0 else planned


def _plan(body: Any, content_length: int | None, *, allow_async: bool) -> StreamBody | Any:
    if body is None or isinstance(body, _BYTES_LIKE):
        return body
    if content_length is not None and (not isinstance(content_length, int) or isinstance(content_length, bool)):
        raise ParamValidationError(
            f"Invalid type for parameter ContentLength, type: {type(content_length).__name__}, valid types: int"
        )
    if hasattr(body, "read") and (hasattr(body, "__aiter__") or hasattr(body, "__aenter__")):
        raise ParamValidationError(
            "Invalid type for parameter Body: an async file object (anyio, aiofiles); pass a binary file, "
            "whose reads AsyncClient runs in a worker thread, or an async iterator of bytes with ContentLength"
        )
    if getattr(body, "closed", False) is True:
        # a closed file fails on its first read: that would be after the request head was sent
        raise ParamValidationError("Invalid value for parameter Body: the file is closed")
    if hasattr(body, "read"):
        if is_text_file(body):
            raise ParamValidationError(
                "Invalid value for parameter Body: a text-mode file; open it in binary mode ('rb')"
            )
        place = file_remaining(body)
        if place is not None:
            start, left = place
            length = left if content_length is None else content_length
            if length > left:
                raise ParamValidationError(
                    f"Invalid value for parameter ContentLength: {length} is more than the {left} bytes left in Body"
                )
            return StreamBody(body, length, start)
        return StreamBody(body, _required_length(content_length), None)
    if isinstance(body, AsyncIterable):
        if not allow_async:
            raise ParamValidationError("Invalid type for parameter Body: an async iterator needs AsyncClient")
        return StreamBody(body, _required_length(content_length), None)
    if isinstance(body, (list, tuple)):
        _check_chunks(body, content_length)
    if isinstance(body, Iterable) and not isinstance(body, (dict, set)):
        return StreamBody(body, _required_length(content_length), None)
    raise ParamValidationError(
        f"Invalid type for parameter Body, type: {type(body).__name__}, valid types: bytes, bytearray, "
        "memoryview, str, binary file, iterator of bytes"
    )


def _required_length(content_length: int | None) -> int:
    if content_length is None:
        raise ParamValidationError(
            "Missing required parameter ContentLength: a Body that is a stream of unknown length needs it"
        )
    if content_length < 0:
        raise ParamValidationError("Invalid value for parameter ContentLength: must not be negative")
    return content_length
