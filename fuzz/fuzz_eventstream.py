"""Fuzz the event stream decoder: any SelectObjectContent response body -> event dicts or an S3LiteError.

Each input becomes a stream of one to six messages, mostly near-valid: S3's own headers
(``:message-type``, ``:event-type``, ``:error-code``, ...) with values of every type of the format,
Records / Stats / Progress / Cont / End / error / exception messages and unknown ones, Stats and
Progress XML with odd numbers. Then each message may be mutated: a byte changed, lengths lied
about, a header section of random bytes, bytes inserted or the message cut - and its CRCs
recomputed afterwards or not, so that the mutation either meets the checksums or gets past them to
the length and header checks behind. Raw bytes may be added anywhere and the stream cut. The bytes
are then split into chunks at arbitrary points.

Checked, for every input: decoding raises nothing but an S3LiteError (a ResponseParseError or
an EventStreamError, which is a ClientError with an ``Error`` dict); the chunking does not change
the outcome (the same events, then the same error, as the bytes fed whole); ``EventStream`` and
``AsyncEventStream`` over a body that hands out those chunks yield the same and close the body on
an error; every event is one of S3's five, shaped as botocore's. And against botocore: when
s3lite decodes every message, botocore's ``EventStreamBuffer`` decodes the same messages; when
both s3lite and botocore's ``EventStream`` (S3's shape, ``EventStreamXMLParser``) finish without
a parse error, their events and error responses are equal (botocore is laxer and sometimes fails
with bare exceptions, so only the inputs both take are compared).

Run: ``python fuzz/fuzz_eventstream.py fuzz/corpus-eventstream -max_total_time=600`` or ``--hypothesis``.
"""

from __future__ import annotations

import struct
import sys
import zlib
from collections.abc import Coroutine
from itertools import pairwise
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz._driver import Input, check, instrumented, main, stages

with instrumented():
    import s3lite
    from s3lite import _eventstream

from botocore import eventstream as boto_eventstream
from botocore.exceptions import EventStreamError as BotocoreEventStreamError
from botocore.parsers import EventStreamXMLParser
from botocore.session import get_session

STREAM_SHAPE = (
    get_session().get_service_model("s3").operation_model("SelectObjectContent").output_shape.members["Payload"]
)
BOTO_PARSER = EventStreamXMLParser()

HEADER_NAMES = (
    ":message-type",
    ":event-type",
    ":content-type",
    ":error-code",
    ":error-message",
    ":exception-type",
    ":date",
    "",
    "x",
    "\u00e9",
)
STRINGS = (
    "event",
    "error",
    "exception",
    "Records",
    "Stats",
    "Progress",
    "Cont",
    "End",
    "records",
    "initial-response",
    "InternalError",
    "text/xml",
    "application/octet-stream",
    "",
    "\u00e9",
)
NUMBERS = ("0", "1", "-1", " 7 ", "+5", "1_000", "\u0663", "1.5", "1e3", "", "x", "9" * 5000, "18446744073709551616")
DETAILS = ("BytesScanned", "BytesProcessed", "BytesReturned", "Other")
XML_EXTRAS = (
    "",
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE r [<!ENTITY e "x">]>',
    "<!-- c -->",
    "\ufeff",
)
EVENTS = ("Records", "Stats", "Progress", "Cont", "End")
#: messages that end the stream (an error) or are mostly noise
KINDS_RARE = ("error", "exception", "random", "bare")
#: value type -> struct format of its fixed-size value
FIXED = {2: "!b", 3: "!h", 4: "!i", 5: "!q", 8: "!q"}
BITS = {2: 8, 3: 16, 4: 32, 5: 64, 8: 64}
UUID_TYPE = 9


def header_value(inp: Input, name: str) -> bytes:
    """A header's type byte and value: mostly a string for S3's names, any type otherwise; now and
    then cut short (the next header, or the end of the section, comes inside it)."""
    value = _header_value(inp, name)
    return value[: inp.int_in(1, len(value))] if inp.rarely(10) else value


def _header_value(inp: Input, name: str) -> bytes:
    kind = 7 if name.startswith(":") and inp.flag(2) else inp.int_in(0, 9)
    if inp.rarely(16):
        kind = inp.int_in(10, 255)  # no such type
    out = bytes([kind])
    if kind in FIXED:
        bits = BITS[kind]
        return out + struct.pack(FIXED[kind], inp.int_in(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1))
    if kind == 6:
        data = inp.bytes(40)
        return out + struct.pack("!H", len(data)) + data
    if kind == 7:
        data = (inp.pick(STRINGS) if inp.flag(2) else inp.text(20)).encode("utf-8", "surrogatepass")[:65535]
        if inp.rarely(8):
            data += b"\xff"
        return out + struct.pack("!H", len(data)) + data
    if kind == UUID_TYPE:
        return out + (inp.bytes(15) if inp.rarely(10) else inp.bytes(16).ljust(16, b"\x00"))  # rarely short
    if kind > UUID_TYPE:
        return out + inp.bytes(4)
    return out  # booleans


def headers(inp: Input, kind: str) -> bytes:
    pairs: list[tuple[str, bytes]] = []
    if kind in EVENTS or kind == "unknown":
        pairs += [(":message-type", b"\x07\x00\x05event"), (":event-type", _string(kind))]
    elif kind == "error":
        pairs += [(":message-type", b"\x07\x00\x05error"), (":error-code", _string(inp.pick(STRINGS)))]
        pairs += [(":error-message", _string(inp.text(30)))]
    elif kind == "exception":
        pairs += [(":message-type", b"\x07\x00\x09exception"), (":exception-type", _string(inp.pick(STRINGS)))]
    for _ in range(inp.int_in(0, 4)):
        name = inp.pick(HEADER_NAMES) if inp.flag(2) else inp.text(10)
        if name not in {n for n, _ in pairs} or inp.rarely(8):  # a duplicate only now and then
            pairs.append((name, header_value(inp, name)))
    if inp.rarely(4):
        pairs.reverse()  # S3's own headers need not come first
    if pairs and inp.rarely(30):
        pairs.append(inp.pick(pairs))  # a duplicate
    out = b""
    for name, value in pairs:
        raw = name.encode("utf-8", "surrogatepass")[:255]
        out += bytes([len(raw)]) + raw + value
    return out


def _string(text: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")[:65535]
    return b"\x07" + struct.pack("!H", len(data)) + data


def details_xml(inp: Input, root: str) -> bytes:
    if inp.rarely(10):
        return b""
    names = [name for name in DETAILS if not inp.rarely(4)]  # "Other" included: not a member, ignored
    if inp.rarely(3):
        names.reverse()  # the result keeps the model's order
    if inp.rarely(6):
        names.append(inp.pick(DETAILS))  # a repeated element
    children = []
    for name in names:
        number = inp.pick(NUMBERS) if inp.rarely(5) else str(inp.int_in(0, 2**63))
        close = inp.pick(DETAILS) if inp.rarely(20) else name  # a mismatched tag
        children.append(f"<{name}>{number}</{close}>")
    namespace = ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"' if inp.flag(4) else ""
    extra = inp.pick(XML_EXTRAS) if inp.rarely(3) else ""
    text = f"{extra}<{root}{namespace}>{''.join(children)}</{root}>"
    data = text.encode("utf-8", "surrogatepass")
    return data[: inp.int_in(0, len(data))] if inp.rarely(8) else data


def payload(inp: Input, kind: str) -> bytes:
    if kind in ("Stats", "Progress"):
        return details_xml(inp, inp.pick((kind, "Stats", "x")))
    if kind in ("Cont", "End", "exception"):
        if not inp.rarely(3):
            return b""
        return inp.pick((b"<End/>", b"<Message>m</Message>", b"junk", inp.bytes(8)))
    return inp.bytes(200)


def frame(header_bytes: bytes, body: bytes, total: int | None = None, headers_length: int | None = None) -> bytes:
    """A message, both CRCs right for the lengths it states (its own unless told)."""
    total = len(header_bytes) + len(body) + 16 if total is None else total
    headers_length = len(header_bytes) if headers_length is None else headers_length
    prelude = struct.pack("!II", total & 0xFFFFFFFF, headers_length & 0xFFFFFFFF)
    prelude += struct.pack("!I", zlib.crc32(prelude))
    data = prelude + header_bytes + body
    return data + struct.pack("!I", zlib.crc32(data))


def message(inp: Input) -> bytes:
    kind = inp.pick((*EVENTS, *EVENTS, "Records", "unknown")) if not inp.rarely(4) else inp.pick(KINDS_RARE)
    header_bytes = inp.bytes(60) if kind == "random" else headers(inp, kind)
    body = payload(inp, kind)
    mutation = inp.int_in(1, 7) if inp.rarely(5) else 0
    if mutation == 1:  # lengths that lie, CRCs right: the checks behind the prelude CRC
        size = len(header_bytes) + len(body) + 16
        total = inp.pick((0, 15, 16, size - 1, size + 1, 2**32 - 1, 16 + 24 * 2**20 + 1, inp.int_in(0, 2**32 - 1)))
        return frame(header_bytes, body, total=total)
    if mutation == 2:
        headers_length = inp.pick((len(header_bytes) + 1, len(header_bytes) - 1, 128 * 1024 + 1, inp.int_in(0, 300)))
        return frame(header_bytes, body, headers_length=headers_length)
    raw = bytearray(frame(header_bytes, body))
    if mutation == 3:  # a byte changed, CRCs left: the checksums must catch it
        raw[inp.int_in(0, len(raw) - 1)] ^= inp.int_in(1, 255)
    elif mutation == 4:  # a byte changed in the headers, CRCs recomputed: the header checks behind
        if header_bytes:
            changed = bytearray(header_bytes)
            changed[inp.int_in(0, len(changed) - 1)] ^= inp.int_in(1, 255)
            return frame(bytes(changed), body)
    elif mutation == 5:
        return frame(header_bytes[: inp.int_in(0, len(header_bytes))], body)
    elif mutation == 6:
        return bytes(raw[: inp.int_in(0, len(raw))])
    elif mutation == 7:
        at = inp.int_in(0, len(raw))
        raw[at:at] = inp.bytes(8)
    return bytes(raw)


def stream(inp: Input) -> bytes:
    parts = [message(inp) for _ in range(inp.int_in(1, 6))]
    if inp.rarely(6):
        parts.insert(inp.int_in(0, len(parts)), inp.bytes(32))
    data = b"".join(parts)
    return data[: inp.int_in(0, len(data))] if inp.rarely(8) else data


def chunks_of(inp: Input, data: bytes) -> list[bytes]:
    cuts = sorted({inp.int_in(0, len(data)) for _ in range(inp.int_in(0, 8))})
    edges = [0, *cuts, len(data)]
    return [data[a:b] for a, b in pairwise(edges)]  # empty chunks included


Outcome = tuple[list[dict[str, Any]], str | None, Any]


def decode(chunks: list[bytes]) -> Outcome:
    """The events s3lite yields, then how it stopped: None (the end), or the error and its details."""
    events = _eventstream.SelectEvents()
    out: list[dict[str, Any]] = []
    try:
        for chunk in [*(c for c in chunks if c), b""]:
            events.feed(chunk)
            while (item := events.next_event()) is not None:
                out.append(item)
    except s3lite.ClientError as error:
        check(isinstance(error, s3lite.EventStreamError), "not-event-stream-error", repr(error)[:200])
        check(isinstance(error.response.get("Error"), dict), "error-shape", repr(error.response)[:200])
        str(error)
        return out, "ClientError", error.response
    except s3lite.S3LiteError as error:
        check(isinstance(error, s3lite.ResponseParseError), "not-parse-error", repr(error)[:200])
        return out, type(error).__name__, str(error)
    check(events.done, "not-done-at-end")
    return out, None, None


def _check_events(events: list[dict[str, Any]]) -> None:
    for event in events:
        check(len(event) == 1 and next(iter(event)) in EVENTS, "unknown-event", repr(event)[:200])
        name, value = next(iter(event.items()))
        if name == "Records":
            check(isinstance(value.get("Payload"), bytes) and len(value) == 1, "records-shape", repr(value)[:200])
        elif name in ("Stats", "Progress"):
            details = value.get("Details")
            ok = isinstance(details, dict) and all(
                key in _eventstream.DETAIL_MEMBERS and type(number) is int for key, number in details.items()
            )
            check(ok and len(value) == 1, "details-shape", repr(value)[:200])
        else:
            check(value == {}, "empty-event-shape", repr(value)[:200])


class Body:
    """A StreamingBody stand-in handing out ``chunks`` (read1) and recording close()."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = [c for c in chunks if c]
        self.closed = False

    def read1(self, amt: int | None = None) -> bytes:
        check(amt == _eventstream.CHUNK_SIZE, "chunk-size", repr(amt))
        check(not self.closed, "read-after-close")
        return self.chunks.pop(0) if self.chunks else b""

    def close(self) -> None:
        self.closed = True


class AsyncBody(Body):
    async def read1(self, amt: int | None = None) -> bytes:  # type: ignore[override]
        return Body.read1(self, amt)

    async def close(self) -> None:  # type: ignore[override]
        Body.close(self)


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that never suspends (the async body never waits) without an event loop."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    coroutine.close()
    check(False, "coroutine-suspended")


def _outcome_of(step: Any, body: Body) -> Outcome:
    out: list[dict[str, Any]] = []
    try:
        while True:
            out.append(step())
    except (StopIteration, StopAsyncIteration):
        return out, None, None
    except s3lite.ClientError as error:
        check(body.closed, "open-after-error")
        return out, "ClientError", error.response
    except s3lite.S3LiteError as error:
        check(body.closed, "open-after-error")
        return out, type(error).__name__, str(error)


def run_streams(chunks: list[bytes], expected: Outcome) -> None:
    body = Body(chunks)
    payload = _eventstream.event_stream_for(body)
    check(_outcome_of(lambda: next(payload), body) == expected, "sync-stream-differs")
    abody = AsyncBody(chunks)
    apayload = _eventstream.event_stream_for(abody)
    check(isinstance(apayload, _eventstream.AsyncEventStream), "async-dispatch")
    check(_outcome_of(lambda: _run(apayload.__anext__()), abody) == expected, "async-stream-differs")


def against_botocore(data: bytes, chunks: list[bytes], ours: Outcome) -> None:
    decoder = _eventstream.MessageDecoder()
    try:
        messages = decoder.feed(data)
        decoder.finish()
    except s3lite.ResponseParseError:
        messages = None
    if messages is not None:
        buffer = boto_eventstream.EventStreamBuffer()
        buffer.add_data(data)
        theirs = [(m.headers, m.payload) for m in buffer]
        check(theirs == [(m.headers, m.payload) for m in messages], "messages-differ-from-botocore")
    if ours[1] not in (None, "ClientError"):
        return
    raw = _RawStream([c for c in chunks if c])
    events: list[dict[str, Any]] = []
    try:
        events.extend(boto_eventstream.EventStream(raw, STREAM_SHAPE, BOTO_PARSER, "SelectObjectContent"))
    except BotocoreEventStreamError as error:
        theirs_outcome: Outcome = (events, "ClientError", error.response)
    except Exception:  # noqa: BLE001 - botocore's own failures (bare ValueError, binascii.Error ...)
        return
    else:
        theirs_outcome = (events, None, None)
    check(ours == theirs_outcome, "events-differ-from-botocore", lambda: f"{ours!r:.300} != {theirs_outcome!r:.300}")


class _RawStream:
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def stream(self) -> Any:
        return iter(self.chunks)

    def close(self) -> None:
        pass


def target(data: bytes) -> None:
    inp = Input(data)
    raw = stream(inp)
    chunks = chunks_of(inp, raw)
    ours = decode(chunks)
    stages(
        lambda: _check_events(ours[0]),
        lambda: check(decode([raw]) == ours, "chunking-changes-outcome"),
        lambda: run_streams(chunks, ours),
        lambda: against_botocore(raw, chunks, ours),
    )


if __name__ == "__main__":
    main(target, "eventstream")
