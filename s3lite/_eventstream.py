"""SelectObjectContent's event stream: ``application/vnd.amazon.eventstream`` decoded I/O-free.

Three layers, each usable alone:

- :class:`MessageDecoder` turns bytes, fed in chunks of any size, into :class:`Message` s (headers
  and payload), checking both CRCs and every length; it knows nothing of S3.
- :func:`s3_event` turns one message into the dict botocore's ``EventStream`` yields for S3's
  ``SelectObjectContentEventStream`` shape (``{"Records": {"Payload": b"..."}}``, ``{"Stats":
  {"Details": {...}}}``, ...), raises :class:`EventStreamError` for an error event, and returns None
  for an event botocore skips. :class:`SelectEvents` chains the two: bytes in, event dicts out.
- :class:`EventStream` / :class:`AsyncEventStream` are ``result["Payload"]``: thin loops that pull
  chunks from a GetObject-style body (:class:`s3lite.StreamingBody`, which owns the HTTP response
  and its connection) and hand them to :class:`SelectEvents`. All decoding is in the first two.

The wire format (one message)::

    [total length: uint32][headers length: uint32][prelude CRC32: uint32]
    [headers: headers length bytes][payload][message CRC32: uint32]

"The prelude CRC is the CRC32 of the first 8 bytes; the message CRC is the CRC32 of everything
before it, prelude CRC included" (botocore's ``EventStreamBuffer`` checks it as a CRC continued from
the prelude CRC, which is the same number). Each header is ``[name length: uint8][name: UTF-8]
[type: uint8][value]``, all integers big-endian.

Where botocore is lenient this module is strict, and says so with :class:`s3lite.ResponseParseError`:
a stream that ends inside a message (botocore stops silently, so a cut connection looks like a
complete result), a header value that runs past the headers section (botocore silently truncates
it), an unknown header type or a string that is not UTF-8 (botocore raises a bare KeyError /
UnicodeDecodeError), and lengths that do not add up. Its limits are botocore's: headers up to
128 KiB, a payload up to 24 MiB.

No I/O, no httpx: :class:`EventStream` only calls the ``read1``/``close`` of the body it is given.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Awaitable
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self, overload

from . import _xml
from ._errors import EventStreamError, ResponseParseError, S3LiteError

#: What ``result["Payload"]`` reads per pull from the body: botocore iterates the urllib3 response's
#: ``stream()``, whose default amount is 2**16 (and which yields each chunk as it arrives).
CHUNK_SIZE = 65536

#: total length, headers length, prelude CRC
PRELUDE_LENGTH = 12
#: the message CRC after the payload
MESSAGE_CRC_LENGTH = 4
#: the smallest message: a prelude and a message CRC, no headers, no payload
MIN_MESSAGE_LENGTH = PRELUDE_LENGTH + MESSAGE_CRC_LENGTH
#: botocore's ``_MAX_HEADERS_LENGTH`` and ``_MAX_PAYLOAD_LENGTH``: anything longer is refused as soon
#: as the prelude arrives, before the bytes it announces are buffered.
MAX_HEADERS_LENGTH = 128 * 1024
MAX_PAYLOAD_LENGTH = 24 * 1024 * 1024

_PRELUDE = struct.Struct("!III")
_UINT32 = struct.Struct("!I")
_UINT16 = struct.Struct("!H")

#: A header's value as botocore's ``EventStreamHeaderParser`` gives it: bool, int (byte, short,
#: integer, long, and timestamp as milliseconds since the epoch), bytes (byte array, and the 16 raw
#: bytes of a uuid), str.
HeaderValue = bool | int | bytes | str

# Header value types, numbered as in the format (botocore's ``_HEADER_TYPE_MAP``).
BOOL_TRUE, BOOL_FALSE, BYTE, SHORT, INTEGER, LONG, BYTE_ARRAY, STRING, TIMESTAMP, UUID = range(10)
#: fixed-size types: their struct (the value is the one item it unpacks)
_FIXED: dict[int, struct.Struct] = {
    BYTE: struct.Struct("!b"),
    SHORT: struct.Struct("!h"),
    INTEGER: struct.Struct("!i"),
    LONG: struct.Struct("!q"),
    TIMESTAMP: struct.Struct("!q"),
}
UUID_LENGTH = 16


class Message(NamedTuple):
    """One decoded event stream message."""

    headers: dict[str, HeaderValue]
    payload: bytes


def _malformed(detail: str) -> ResponseParseError:
    return ResponseParseError(f"Malformed event stream in the response: {detail}")


def _checked_crc(data: bytes | bytearray | memoryview, expected: int, what: str, start: int = 0) -> None:
    computed = zlib.crc32(data, start) & 0xFFFFFFFF
    if computed != expected:
        raise _malformed(f"{what} checksum mismatch: expected 0x{expected:08x}, calculated 0x{computed:08x}")


def parse_headers(section: bytes) -> dict[str, HeaderValue]:
    """The headers of one message, from its headers section (botocore's ``EventStreamHeaderParser``,
    strict: a value must end inside the section, a type must be one of the ten, a name and a string
    must be UTF-8, and a name appears once - botocore's ``DuplicateHeader``)."""
    headers: dict[str, HeaderValue] = {}
    end = len(section)
    pos = 0
    while pos < end:
        name_end = pos + 1 + section[pos]
        if name_end + 1 > end:  # the name, then its type byte
            raise _malformed("a header name runs past the headers section")
        name = _utf8(section[pos + 1 : name_end], "header name")
        kind = section[name_end]
        pos = name_end + 1
        value: HeaderValue
        if kind == BOOL_TRUE:
            value = True
        elif kind == BOOL_FALSE:
            value = False
        elif kind in _FIXED:
            fixed = _FIXED[kind]
            if pos + fixed.size > end:
                raise _malformed(f"the value of header {name!r} runs past the headers section")
            (value,) = fixed.unpack_from(section, pos)
            pos += fixed.size
        elif kind in (BYTE_ARRAY, STRING):
            if pos + 2 > end:
                raise _malformed(f"the length of header {name!r} runs past the headers section")
            (length,) = _UINT16.unpack_from(section, pos)
            pos += 2
            if pos + length > end:
                raise _malformed(f"the value of header {name!r} runs past the headers section")
            raw = section[pos : pos + length]
            pos += length
            value = raw if kind == BYTE_ARRAY else _utf8(raw, f"value of header {name!r}")
        elif kind == UUID:
            if pos + UUID_LENGTH > end:
                raise _malformed(f"the value of header {name!r} runs past the headers section")
            value = section[pos : pos + UUID_LENGTH]
            pos += UUID_LENGTH
        else:
            raise _malformed(f"header {name!r} has an unknown value type {kind}")
        if name in headers:
            raise _malformed(f"duplicate header {name!r}")
        headers[name] = value
    return headers


def _utf8(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed(f"a {what} is not UTF-8") from None


class MessageDecoder:
    """Bytes in, in chunks of any size; complete messages out, in order.

    A prelude is checked (CRC, then lengths) as soon as its 12 bytes are in, so an absurd length is
    refused before the bytes it announces are waited for or buffered; a message is decoded once all
    its bytes are in, its CRC first. After a :class:`s3lite.ResponseParseError` the decoder is
    unusable: the boundary of the next message is lost.
    """

    __slots__ = ("_buffer", "_start", "_total")

    def __init__(self) -> None:
        self._buffer = bytearray()
        #: where the next message starts in ``_buffer`` (what is before it was decoded already)
        self._start = 0
        #: the total length of the next message, once its prelude has been checked
        self._total = 0

    @property
    def pending(self) -> int:
        """Bytes received that belong to no complete message yet."""
        return len(self._buffer) - self._start

    def add(self, data: bytes) -> None:
        """Buffer ``data``; :meth:`next_message` decodes from it."""
        if self._start:  # drop what was decoded: once per chunk, never once per message
            del self._buffer[: self._start]
            self._start = 0
        self._buffer += data

    def feed(self, data: bytes) -> list[Message]:
        """Buffer ``data`` and return the messages it completes."""
        self.add(data)
        messages: list[Message] = []
        while (message := self.next_message()) is not None:
            messages.append(message)
        return messages

    def next_message(self) -> Message | None:
        """The next complete message, or None until more bytes are added."""
        buffer, start = self._buffer, self._start
        if len(buffer) - start < PRELUDE_LENGTH:
            return None
        total = self._total or self._prelude(start)
        if len(buffer) - start < total:
            return None
        headers_length = _UINT32.unpack_from(buffer, start + 4)[0]
        crc_at = start + total - MESSAGE_CRC_LENGTH
        with memoryview(buffer) as view:
            _checked_crc(view[start:crc_at], _UINT32.unpack_from(buffer, crc_at)[0], "message")
        headers_at = start + PRELUDE_LENGTH
        payload_at = headers_at + headers_length
        headers = parse_headers(bytes(buffer[headers_at:payload_at]))
        payload = bytes(buffer[payload_at:crc_at])
        self._start = start + total
        self._total = 0
        return Message(headers, payload)

    def _prelude(self, start: int) -> int:
        """Check the prelude at ``start``; the message's total length."""
        buffer = self._buffer
        total: int
        headers_length: int
        total, headers_length, crc = _PRELUDE.unpack_from(buffer, start)
        _checked_crc(buffer[start : start + 8], crc, "prelude")
        if total < MIN_MESSAGE_LENGTH:
            raise _malformed(f"a message of {total} bytes is shorter than its prelude and checksum")
        if headers_length > MAX_HEADERS_LENGTH:
            raise _malformed(f"headers length of {headers_length} exceeds the maximum of {MAX_HEADERS_LENGTH}")
        payload_length = total - MIN_MESSAGE_LENGTH - headers_length
        if payload_length < 0:
            raise _malformed(f"headers of {headers_length} bytes do not fit in a message of {total}")
        if payload_length > MAX_PAYLOAD_LENGTH:
            raise _malformed(f"payload length of {payload_length} exceeds the maximum of {MAX_PAYLOAD_LENGTH}")
        self._total = total
        return total

    def finish(self) -> None:
        """The stream has ended: refuse a message cut short (botocore drops it without a word)."""
        if self.pending:
            announced = f" of the {self._total} it announced" if self._total else ""
            raise _malformed(f"the stream ended inside a message ({self.pending} bytes{announced})")


# -- S3's SelectObjectContentEventStream -----------------------------------------------------------

#: the events of the ``SelectObjectContentEventStream`` shape; any other ``:event-type`` is skipped
EVENT_TYPES = ("Records", "Stats", "Progress", "Cont", "End")
#: the members of the ``Stats`` and ``Progress`` shapes (all ``long``), in the model's order
DETAIL_MEMBERS = ("BytesScanned", "BytesProcessed", "BytesReturned")
#: the operation named in an :class:`EventStreamError`'s message
OPERATION_NAME = "SelectObjectContent"


def s3_event(message: Message, operation_name: str = OPERATION_NAME) -> dict[str, Any] | None:
    """The event dict botocore's ``EventStream`` yields for ``message``, or None where it yields none.

    botocore (``EventStreamMessage.to_response_dict`` and ``BaseEventStreamParser``): a
    ``:message-type`` of ``error`` or ``exception`` is an error (:class:`EventStreamError`); any other
    message, whatever its ``:message-type``, is an event named by ``:event-type``, parsed by that
    member's shape; an ``:event-type`` the shape lacks parses to ``{}``, which is not yielded.
    """
    headers = message.headers
    message_type = headers.get(":message-type")
    if message_type == "error" or message_type == "exception":
        raise EventStreamError(error_response(message), operation_name)
    event_type = headers.get(":event-type")
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        return None
    payload = message.payload
    if event_type == "Records":  # RecordsEvent.Payload: the blob ``eventpayload``, as it came
        return {"Records": {"Payload": payload}}
    if event_type in ("Stats", "Progress"):  # Details: the structure ``eventpayload``, as XML
        return {event_type: {"Details": _details(payload)}}
    # ContinuationEvent, EndEvent: structures with no members, whose payload botocore still parses
    # as XML when there is one (so a payload that is not XML is an error there too).
    if payload:
        _xml.parse(payload)
    return {event_type: {}}


def error_response(message: Message) -> dict[str, Any]:
    """botocore's ``BaseEventStreamParser._do_error_parse``: Code and Message from ``:error-code``
    and ``:error-message`` ('' when absent; values as they came), unless ``:exception-type`` names a
    member of the stream's shape - then the Code is that name and the Message is '' (none of S3's
    event shapes has a Message member), after the payload is parsed as XML as botocore parses it.
    The deeper walk botocore then does of that payload (where it raises bare ValueErrors of its own
    on bad numbers) is not mirrored: such a message is reported as the error it says it is."""
    headers = message.headers
    exception_type = headers.get(":exception-type")
    if isinstance(exception_type, str) and exception_type in EVENT_TYPES:
        if message.payload:
            _xml.parse(message.payload)
        return {"Error": {"Code": exception_type, "Message": ""}}
    return {"Error": {"Code": headers.get(":error-code", ""), "Message": headers.get(":error-message", "")}}


def _details(payload: bytes) -> dict[str, int]:
    """``Stats`` / ``Progress``: the children of the root element (whatever its name, as botocore
    matches members by child name only) that are members, as integers (``int(text)``, botocore's
    ``_handle_long``; no text reads as '', which is not a number). An empty payload is ``{}``."""
    if not payload:
        return {}
    nodes: dict[str, _xml.Node] = {}
    for child in _xml.parse(payload).children:
        if child.name in DETAIL_MEMBERS:
            if child.name in nodes:  # botocore fails with a bare TypeError (a list where a node goes)
                raise ResponseParseError(f"Invalid event in the response: {child.name} appears twice")
            nodes[child.name] = child
    details: dict[str, int] = {}
    for name in DETAIL_MEMBERS:
        if name in nodes:
            text = nodes[name].text or ""
            try:
                details[name] = int(text)
            except ValueError:
                raise ResponseParseError(f"Invalid integer in the response for {name}: {text[:64]!r}") from None
    return details


class SelectEvents:
    """Bytes of a SelectObjectContent response in, its event dicts out, one at a time (I/O-free).

    ``feed(chunk)`` with each chunk as it arrives and ``feed(b"")`` at the end; ``next_event()``
    returns the next event, or None when it needs more bytes (or, once :attr:`done`, never will).
    Events come out in order and the error a message causes is raised when that message's turn
    comes, after the events before it (as botocore's generator yields them); that error is then
    raised again by every later call.
    """

    __slots__ = ("_decoder", "_ended", "_error", "operation_name")

    def __init__(self, operation_name: str = OPERATION_NAME) -> None:
        self._decoder = MessageDecoder()
        self._ended = False
        self._error: S3LiteError | None = None
        self.operation_name = operation_name

    @property
    def done(self) -> bool:
        """The stream has ended and every event in it has been handed out."""
        return self._ended and not self._decoder.pending

    def feed(self, chunk: bytes) -> None:
        """The next bytes of the stream; b"" when it has ended."""
        if chunk:
            self._decoder.add(chunk)
        else:
            self._ended = True

    def next_event(self) -> dict[str, Any] | None:
        if self._error is not None:
            raise self._error
        try:
            while (message := self._decoder.next_message()) is not None:
                event = s3_event(message, self.operation_name)
                if event is not None:
                    return event
            if self._ended:
                self._decoder.finish()
        except S3LiteError as error:
            self._error = error
            raise
        return None


# -- result["Payload"]: the thin drivers -----------------------------------------------------------


class ChunkSource(Protocol):
    """What :class:`EventStream` reads from: :class:`s3lite.StreamingBody`."""

    def read1(self, amt: int | None = ...) -> bytes: ...

    def close(self) -> None: ...


class AsyncChunkSource(Protocol):
    """What :class:`AsyncEventStream` reads from: :class:`s3lite.AsyncStreamingBody`."""

    def read1(self, amt: int | None = ...) -> Awaitable[bytes]: ...

    def close(self) -> Awaitable[None]: ...


class EventStream:
    """SelectObjectContent's ``result["Payload"]``: iterate it for the event dicts, as boto3's.

    Each pull takes what the body has, up to :data:`CHUNK_SIZE`, as soon as it arrives (``read1``):
    a Records event is handed on when its bytes are in, not when 64 KiB have piled up behind it.
    The stream is an iterator: a loop left early and started again goes on where it stopped. Read
    to its end, the body gives its connection back; leaving early, ``close()`` it (or ``with``).
    Any error while iterating closes the body, then is raised (again by every later ``next``).
    """

    __slots__ = ("_body", "_events")

    def __init__(self, body: ChunkSource, operation_name: str = OPERATION_NAME) -> None:
        self._body = body
        self._events = SelectEvents(operation_name)

    def __repr__(self) -> str:
        return f"<EventStream done={self._events.done}>"

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> dict[str, Any]:
        events = self._events
        try:
            while (event := events.next_event()) is None:
                if events.done:
                    raise StopIteration
                events.feed(self._body.read1(CHUNK_SIZE))
        except S3LiteError:
            self._body.close()
            raise
        return event

    def close(self) -> None:
        """Close the body: its connection is dropped (not reused, since bytes may be left unread)."""
        self._body.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncEventStream:
    """:class:`EventStream` for :class:`s3lite.AsyncClient`: ``async for event in result["Payload"]``."""

    __slots__ = ("_body", "_events")

    def __init__(self, body: AsyncChunkSource, operation_name: str = OPERATION_NAME) -> None:
        self._body = body
        self._events = SelectEvents(operation_name)

    def __repr__(self) -> str:
        return f"<AsyncEventStream done={self._events.done}>"

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> dict[str, Any]:
        events = self._events
        try:
            while (event := events.next_event()) is None:
                if events.done:
                    raise StopAsyncIteration
                events.feed(await self._body.read1(CHUNK_SIZE))
        except S3LiteError:
            await self._body.close()
            raise
        return event

    async def close(self) -> None:
        await self._body.close()

    aclose = close

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


@overload
def event_stream_for(body: AsyncChunkSource, operation_name: str = ...) -> AsyncEventStream: ...
@overload
def event_stream_for(body: ChunkSource, operation_name: str = ...) -> EventStream: ...
def event_stream_for(
    body: ChunkSource | AsyncChunkSource, operation_name: str = OPERATION_NAME
) -> EventStream | AsyncEventStream:
    """``result["Payload"]`` for a response body: an :class:`AsyncEventStream` over an
    :class:`s3lite.AsyncStreamingBody` (whose ``read1`` is a coroutine function), else an
    :class:`EventStream`."""
    from inspect import iscoroutinefunction  # here: ``import s3lite`` does not import inspect

    if iscoroutinefunction(body.read1):
        return AsyncEventStream(body, operation_name)  # type: ignore[arg-type]
    return EventStream(body, operation_name)  # type: ignore[arg-type]
