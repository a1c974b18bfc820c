"""SelectObjectContent's event stream (s3lite/_eventstream.py) against botocore's decoder and parser.

botocore has no encoder, so :func:`encode` below writes messages from the format's definition; the
bytes it makes are decoded by both sides and must give the same messages (botocore's
``EventStreamBuffer``) and the same S3 event dicts and errors (botocore's ``EventStream`` with the S3
model's ``SelectObjectContentEventStream`` shape and ``EventStreamXMLParser``), split into chunks
anywhere. Where botocore is lenient (a stream cut inside a message, a header overrunning its
section) or fails with a bare exception, s3lite must raise an ``S3LiteError``. Last, the sync and
async streams over real ``StreamingBody`` / ``AsyncStreamingBody`` objects built on httpx responses,
on asyncio and trio.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import httpx
import pytest
from botocore import eventstream as boto_eventstream  # type: ignore[import-untyped]
from botocore.exceptions import EventStreamError as BotocoreEventStreamError  # type: ignore[import-untyped]
from botocore.parsers import EventStreamXMLParser  # type: ignore[import-untyped]
from botocore.session import get_session  # type: ignore[import-untyped]
from drivers import Chunks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import s3lite
from s3lite import _eventstream as es
from s3lite._async_streaming import AsyncStreamingBody
from s3lite._errors import EventStreamError
from s3lite._streaming import BodyState, StreamingBody
from s3lite._transport import HttpxExchange

# -- a test encoder, written from the format ---------------------------------------------------------

#: header value type -> how its value is written
_FIXED = {2: "!b", 3: "!h", 4: "!i", 5: "!q", 8: "!q"}


def encode_header(name: str, kind: int, value: Any) -> bytes:
    raw_name = name.encode()
    out = bytes([len(raw_name)]) + raw_name + bytes([kind])
    if kind in (0, 1):
        return out
    if kind in _FIXED:
        return out + struct.pack(_FIXED[kind], value)
    if kind in (6, 7):
        data = value if kind == 6 else value.encode()
        return out + struct.pack("!H", len(data)) + data
    assert kind == 9 and len(value) == 16
    return out + value


def frame(header_bytes: bytes, payload: bytes, *, total: int | None = None) -> bytes:
    """A message around already encoded headers, both CRCs right (for the lengths given)."""
    total = len(header_bytes) + len(payload) + 16 if total is None else total
    prelude = struct.pack("!II", total, len(header_bytes))
    prelude += struct.pack("!I", zlib.crc32(prelude))
    body = prelude + header_bytes + payload
    return body + struct.pack("!I", zlib.crc32(body))


def encode(headers: list[tuple[str, int, Any]], payload: bytes = b"") -> bytes:
    return frame(b"".join(encode_header(*h) for h in headers), payload)


def event(event_type: str, payload: bytes = b"", **extra: str) -> bytes:
    headers = [(":message-type", 7, "event"), (":event-type", 7, event_type)]
    headers += [(name, 7, value) for name, value in extra.items()]
    return encode(headers, payload)


def error(code: str, message: str) -> bytes:
    return encode([(":message-type", 7, "error"), (":error-code", 7, code), (":error-message", 7, message)])


def stats_xml(tag: str, scanned: object, processed: object, returned: object) -> bytes:
    return (
        f"<{tag}><BytesScanned>{scanned}</BytesScanned><BytesProcessed>{processed}</BytesProcessed>"
        f"<BytesReturned>{returned}</BytesReturned></{tag}>"
    ).encode()


# -- the oracle ------------------------------------------------------------------------------------

STREAM_SHAPE = (
    get_session().get_service_model("s3").operation_model("SelectObjectContent").output_shape.members["Payload"]
)


class RawStream:
    """What botocore's ``EventStream`` reads: the urllib3 response's ``stream()``."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = False

    def stream(self) -> Iterator[bytes]:
        yield from self.chunks

    def close(self) -> None:
        self.closed = True


def botocore_outcome(chunks: list[bytes]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The events botocore yields, and the ``response`` of the EventStreamError that ended them."""
    stream = boto_eventstream.EventStream(
        RawStream(chunks), STREAM_SHAPE, EventStreamXMLParser(), "SelectObjectContent"
    )
    events: list[dict[str, Any]] = []
    try:
        events.extend(stream)
    except BotocoreEventStreamError as exc:
        assert str(exc).startswith("An error occurred")
        return events, exc.response
    return events, None


def s3lite_outcome(chunks: list[bytes]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    decoder = es.SelectEvents()
    events: list[dict[str, Any]] = []
    try:
        for chunk in [*chunks, b""]:
            decoder.feed(chunk)
            while (item := decoder.next_event()) is not None:
                events.append(item)
    except EventStreamError as exc:
        return events, exc.response
    assert decoder.done
    return events, None


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in pairwise(edges) if b > a]


def decode_all(data: bytes, cuts: list[int] = []) -> list[es.Message]:  # noqa: B006 - never mutated
    decoder = es.MessageDecoder()
    messages: list[es.Message] = []
    for chunk in split(data, cuts):
        messages += decoder.feed(chunk)
    decoder.finish()
    return messages


# -- messages: any headers, any payload, any chunking -------------------------------------------------

header_values = st.one_of(
    st.tuples(st.just(0), st.just(True)),
    st.tuples(st.just(1), st.just(False)),
    st.tuples(st.just(2), st.integers(-(2**7), 2**7 - 1)),
    st.tuples(st.just(3), st.integers(-(2**15), 2**15 - 1)),
    st.tuples(st.just(4), st.integers(-(2**31), 2**31 - 1)),
    st.tuples(st.just(5), st.integers(-(2**63), 2**63 - 1)),
    st.tuples(st.just(6), st.binary(max_size=300)),
    st.tuples(st.just(7), st.text(max_size=100)),
    st.tuples(st.just(8), st.integers(-(2**63), 2**63 - 1)),
    st.tuples(st.just(9), st.binary(min_size=16, max_size=16)),
)
header_names = st.text(max_size=20).filter(lambda n: len(n.encode()) < 256)
header_maps = st.dictionaries(header_names, header_values, max_size=6)
messages = st.tuples(header_maps, st.binary(max_size=2000))
HYPOTHESIS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def encode_message(headers: dict[str, tuple[int, Any]], payload: bytes) -> bytes:
    return encode([(name, kind, value) for name, (kind, value) in headers.items()], payload)


@HYPOTHESIS
@given(st.lists(messages, max_size=5), st.lists(st.integers(0, 10**6), max_size=8))
def test_messages_equal_botocores_at_any_chunking(generated: list[Any], cuts: list[int]) -> None:
    data = b"".join(encode_message(h, p) for h, p in generated)
    ours = decode_all(data, cuts)
    assert [(m.headers, m.payload) for m in ours] == [({n: v for n, (_, v) in h.items()}, p) for h, p in generated]
    buffer = boto_eventstream.EventStreamBuffer()
    theirs = []
    for chunk in split(data, cuts):
        buffer.add_data(chunk)
        theirs += [(m.headers, m.payload) for m in buffer]
    assert [(m.headers, m.payload) for m in ours] == theirs
    for message in ours:  # the types botocore gives: a timestamp is an int, a uuid its 16 bytes
        for name, (kind, _) in generated[ours.index(message)][0].items():
            expected_type = {0: bool, 1: bool, 6: bytes, 7: str, 9: bytes}.get(kind, int)
            assert type(message.headers[name]) is expected_type


@HYPOTHESIS
@given(messages, st.data())
def test_any_corrupted_byte_is_refused(message: Any, data: st.DataObject) -> None:
    """A CRC32 catches every single-byte change: in a length (the prelude CRC), or anywhere else."""
    raw = bytearray(encode_message(*message))
    at = data.draw(st.integers(0, len(raw) - 1))
    raw[at] ^= data.draw(st.integers(1, 255))
    with pytest.raises(s3lite.ResponseParseError, match="Malformed event stream"):
        decode_all(bytes(raw))


@HYPOTHESIS
@given(st.lists(messages, min_size=1, max_size=3), st.data())
def test_a_stream_cut_inside_a_message_is_refused(generated: list[Any], data: st.DataObject) -> None:
    raw = b"".join(encode_message(h, p) for h, p in generated)
    cut = data.draw(st.integers(1, len(raw) - 1))
    boundaries = set()
    position = 0
    for headers, payload in generated:
        position += len(encode_message(headers, payload))
        boundaries.add(position)
    if cut in boundaries:
        assert len(decode_all(raw[:cut])) < len(generated)
        return
    with pytest.raises(s3lite.ResponseParseError, match="ended inside a message"):
        decode_all(raw[:cut])
    # botocore: the messages before the cut, and not a word about the rest
    buffer = boto_eventstream.EventStreamBuffer()
    buffer.add_data(raw[:cut])
    assert len(list(buffer)) < len(generated)


def test_each_value_type_decodes() -> None:
    uuid = bytes(range(16))
    raw = encode(
        [("t", 0, True), ("f", 1, False), ("b", 2, -128), ("s", 3, -2), ("i", 4, 2**31 - 1), ("l", 5, -(2**63)),
         ("a", 6, b"\x00\xff"), ("str", 7, "é"), ("ts", 8, 1_700_000_000_123), ("u", 9, uuid)],
        b"payload",
    )  # fmt: skip
    (message,) = decode_all(raw)
    assert message.headers == {
        "t": True, "f": False, "b": -128, "s": -2, "i": 2**31 - 1, "l": -(2**63), "a": b"\x00\xff", "str": "é",
        "ts": 1_700_000_000_123, "u": uuid,
    }  # fmt: skip
    assert message.payload == b"payload"
    assert decode_all(encode([])) == [es.Message({}, b"")]


def test_a_byte_at_a_time() -> None:
    raw = event("Records", b"abc") + event("End")
    ends = [len(event("Records", b"abc")), len(raw)]
    decoder = es.MessageDecoder()
    out = []
    for i in range(len(raw)):
        out += decoder.feed(raw[i : i + 1])
        assert len(out) == sum(end <= i + 1 for end in ends)
        assert decoder.pending == i + 1 - max([end for end in ends if end <= i + 1], default=0)
    assert [m.payload for m in out] == [b"abc", b""]
    decoder.finish()


# -- lengths and headers that do not add up (CRCs right, so the checks behind them are reached) -------


def prelude(total: int, headers_length: int) -> bytes:
    head = struct.pack("!II", total, headers_length)
    return head + struct.pack("!I", zlib.crc32(head))


@pytest.mark.parametrize(
    ("total", "headers_length", "message"),
    [
        (0, 0, "shorter than its prelude"),
        (15, 0, "shorter than its prelude"),
        (16, 1, "do not fit"),
        (2**32 - 1, 128 * 1024 + 1, "headers length of 131073 exceeds"),
        (16 + 24 * 1024 * 1024 + 1, 0, "payload length of 25165825 exceeds"),
        (2**32 - 1, 0, "exceeds the maximum"),
    ],
)
def test_absurd_lengths_are_refused_from_the_prelude_alone(total: int, headers_length: int, message: str) -> None:
    decoder = es.MessageDecoder()
    with pytest.raises(s3lite.ResponseParseError, match=message):
        decoder.feed(prelude(total, headers_length))


def test_the_largest_payload_botocore_takes_is_taken() -> None:
    payload = b"x" * (24 * 1024 * 1024)
    assert decode_all(frame(b"", payload), [5, 1 << 20, 3 << 20])[0].payload == payload


@pytest.mark.parametrize(
    ("header_bytes", "message"),
    [
        (b"\x05ab", "name runs past"),
        (b"\x01a", "name runs past"),
        (b"\x01a\x0a", "unknown value type 10"),
        (b"\x01a\xff", "unknown value type 255"),
        (b"\x01a\x04\x00\x00", "value of header 'a' runs past"),
        (b"\x01a\x07\x00", "length of header 'a' runs past"),
        (b"\x01a\x07\x00\x05abc", "value of header 'a' runs past"),
        (b"\x01a\x06\x00\x05abc", "value of header 'a' runs past"),
        (b"\x01a\x09" + b"u" * 15, "value of header 'a' runs past"),
        (b"\x01a\x07\x00\x02\xff\xfe", "not UTF-8"),
        (b"\x02\xc3\x28\x00", "header name is not UTF-8"),
        (b"\x01a\x00\x01a\x01", "duplicate header 'a'"),
    ],
)
def test_bad_headers_are_refused(header_bytes: bytes, message: str) -> None:
    with pytest.raises(s3lite.ResponseParseError, match=message):
        decode_all(frame(header_bytes, b"payload"))


def test_an_error_stays_raised_and_the_messages_before_it_come_out_first() -> None:
    events = es.SelectEvents()
    events.feed(event("Records", b"one") + event("Records", b"two") + b"\x00" * 16)
    assert events.next_event() == {"Records": {"Payload": b"one"}}
    assert events.next_event() == {"Records": {"Payload": b"two"}}
    with pytest.raises(s3lite.ResponseParseError) as first:
        events.next_event()
    with pytest.raises(s3lite.ResponseParseError) as again:
        events.next_event()
    assert again.value is first.value


# -- S3's events: the same dicts as botocore's EventStream ---------------------------------------------

numbers = st.one_of(st.integers(0, 2**63), st.sampled_from(["0", " 7 ", "+5", "1_000", "00012"]))
detail_xml = st.one_of(
    st.just(b""),
    st.builds(stats_xml, st.sampled_from(["Stats", "Progress", "Details", "x"]), numbers, numbers, numbers),
    st.sampled_from(
        [
            b"<Stats/>",
            b'<?xml version="1.0" encoding="UTF-8"?><Stats><BytesScanned>1</BytesScanned></Stats>',
            b'<Stats xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BytesReturned>3</BytesReturned></Stats>',
            b"<Stats><Other>x</Other><BytesProcessed>9</BytesProcessed></Stats>",
            b"<Stats><BytesScanned>4<Nested/></BytesScanned></Stats>",
        ]
    ),
)
s3_events = st.one_of(
    st.builds(lambda p: event("Records", p), st.binary(max_size=500)),
    st.builds(lambda kind, p: event(kind, p), st.sampled_from(["Stats", "Progress"]), detail_xml),
    st.builds(lambda kind, p: event(kind, p), st.sampled_from(["Cont", "End"]), st.sampled_from([b"", b"<End/>"])),
    st.builds(lambda kind: event(kind), st.sampled_from(["Unknown", "records", "", "initial-response"])),
    st.builds(lambda: encode([(":event-type", 7, "Records")], b"no message type")),
    st.builds(lambda: encode([(":message-type", 7, "event"), (":event-type", 6, b"Records")], b"bytes type")),
    st.builds(lambda: encode([(":message-type", 7, "other"), (":event-type", 7, "Cont")])),
    st.builds(lambda: encode([(":message-type", 6, b"error"), (":event-type", 7, "End")])),
    st.builds(lambda: encode([(":message-type", 7, "event")])),
)
s3_errors = st.one_of(
    st.builds(error, st.text(max_size=30), st.text(max_size=60)),
    st.builds(lambda: encode([(":message-type", 7, "error")])),
    st.builds(lambda: encode([(":message-type", 7, "exception")], b"<x/>")),
    st.builds(lambda: encode([(":message-type", 7, "exception"), (":error-code", 7, "C"), (":error-message", 7, "M")])),
    st.builds(
        lambda kind: encode([(":message-type", 7, "exception"), (":exception-type", 7, kind)], b"<Message>m</Message>"),
        st.sampled_from(["Cont", "End", "Other"]),
    ),
    st.builds(lambda: encode([(":message-type", 7, "error"), (":exception-type", 7, "End"), (":error-code", 7, "C")])),
)


@HYPOTHESIS
@given(
    st.lists(s3_events, max_size=6),
    st.one_of(st.none(), s3_errors),
    st.lists(s3_events, max_size=2),
    st.lists(st.integers(0, 10**5), max_size=6),
)
def test_s3_events_equal_botocores(
    before: list[bytes], failure: bytes | None, after: list[bytes], cuts: list[int]
) -> None:
    raw = b"".join(before) + (failure + b"".join(after) if failure is not None else b"")
    chunks = split(raw, cuts)
    assert s3lite_outcome(chunks) == botocore_outcome(chunks)


def test_a_select_stream_as_s3_sends_it() -> None:
    raw = (
        event("Records", b"a,b\n", **{":content-type": "application/octet-stream"})
        + event("Cont")
        + event("Records", b"c,d\n")
        + event("Progress", stats_xml("Progress", 10, 10, 4), **{":content-type": "text/xml"})
        + event("Stats", stats_xml("Stats", 20, 20, 8), **{":content-type": "text/xml"})
        + event("End")
    )
    expected = [
        {"Records": {"Payload": b"a,b\n"}},
        {"Cont": {}},
        {"Records": {"Payload": b"c,d\n"}},
        {"Progress": {"Details": {"BytesScanned": 10, "BytesProcessed": 10, "BytesReturned": 4}}},
        {"Stats": {"Details": {"BytesScanned": 20, "BytesProcessed": 20, "BytesReturned": 8}}},
        {"End": {}},
    ]
    assert s3lite_outcome([raw]) == botocore_outcome([raw]) == (expected, None)


def test_an_error_event_is_a_client_error_as_botocores() -> None:
    raw = event("Records", b"x") + error("InternalError", "We encountered an internal error.") + event("End")
    events, response = s3lite_outcome([raw])
    assert (events, response) == botocore_outcome([raw])
    assert response == {"Error": {"Code": "InternalError", "Message": "We encountered an internal error."}}
    decoder = es.SelectEvents()
    decoder.feed(raw)
    decoder.next_event()
    with pytest.raises(s3lite.ClientError) as caught:
        decoder.next_event()
    assert type(caught.value) is EventStreamError
    assert str(caught.value) == (
        "An error occurred (InternalError) when calling the SelectObjectContent operation: "
        "We encountered an internal error."
    )
    assert caught.value.operation_name == "SelectObjectContent"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (event("Stats", stats_xml("Stats", "x", 1, 1)), "Invalid integer in the response for BytesScanned: 'x'"),
        (event("Stats", stats_xml("Stats", "", 1, 1)), "Invalid integer"),
        (event("Progress", stats_xml("Progress", "1.5", 1, 1)), "Invalid integer"),
        (event("Progress", stats_xml("Progress", "9" * 5000, 1, 1)), "Invalid integer"),
        (event("Stats", b"<Stats><BytesScanned><a/>1</BytesScanned></Stats>"), "Invalid integer"),
        (event("Stats", b"<Stats><BytesScanned>1</BytesScanned><BytesScanned>2</BytesScanned></Stats>"), "twice"),
        (event("Stats", b"not xml"), "Unable to parse"),
        (event("Stats", b'<!DOCTYPE r [<!ENTITY e "x">]><Stats/>'), "Refused unsafe XML"),
        (event("Cont", b"\x00\x01"), "Unable to parse"),
        (event("End", b"<End>"), "Unable to parse"),
        (encode([(":message-type", 7, "exception"), (":exception-type", 7, "End")], b"junk"), "Unable to parse"),
    ],
)
def test_bad_event_payloads_are_response_parse_errors(raw: bytes, message: str) -> None:
    with pytest.raises(s3lite.ResponseParseError, match=message):
        s3lite_outcome([raw])


def test_bad_payloads_botocore_also_refuses() -> None:
    """Where s3lite raises ResponseParseError, botocore raises too (its own, or a bare exception)."""
    for raw in (event("Stats", b"not xml"), event("Cont", b"\x00"), event("Stats", stats_xml("Stats", "x", 1, 1))):
        with pytest.raises(Exception) as caught:  # botocore's exceptions vary
            botocore_outcome([raw])
        assert not isinstance(caught.value, s3lite.S3LiteError)


# -- EventStream / AsyncEventStream over real bodies -------------------------------------------------


def sync_body(stream: Chunks) -> StreamingBody:
    return StreamingBody(HttpxExchange(httpx.Response(200, stream=stream)), BodyState(None, None))


def async_body(stream: Chunks) -> AsyncStreamingBody:
    return AsyncStreamingBody(httpx.Response(200, stream=stream), BodyState(None, None))


SELECT = [
    event("Records", b"1,2\n"),
    event("Records", b"3,4\n" * 5000),
    event("Stats", stats_xml("Stats", 1, 2, 3)) + event("End"),
]
SELECT_EVENTS = [
    {"Records": {"Payload": b"1,2\n"}},
    {"Records": {"Payload": b"3,4\n" * 5000}},
    {"Stats": {"Details": {"BytesScanned": 1, "BytesProcessed": 2, "BytesReturned": 3}}},
    {"End": {}},
]


def test_event_stream_over_a_streaming_body() -> None:
    stream = Chunks(*SELECT)
    payload = es.event_stream_for(sync_body(stream))
    assert isinstance(payload, es.EventStream)
    first = next(payload)
    assert first == SELECT_EVENTS[0]
    assert stream.pulled == 1, "an event is handed on as soon as its bytes are in"
    assert [first, *payload] == SELECT_EVENTS == botocore_outcome(list(SELECT))[0]
    assert stream.closed, "read to its end, the body gave its response back"
    assert list(payload) == []


def test_event_stream_left_early_and_resumed_then_closed() -> None:
    stream = Chunks(*SELECT)
    with es.EventStream(sync_body(stream)) as payload:
        for item in payload:
            assert item == SELECT_EVENTS[0]
            break
        assert next(iter(payload)) == SELECT_EVENTS[1]
        assert not stream.closed
    assert stream.closed
    with pytest.raises(s3lite.BodyClosedError):
        next(payload)


@pytest.mark.parametrize(
    ("chunks", "raised"),
    [
        ((event("Records", b"x"), error("Bad", "no")), EventStreamError),
        ((event("Records", b"x"), event("End")[:-3]), s3lite.ResponseParseError),
        ((event("Records", b"x"), b"\x00" * 20), s3lite.ResponseParseError),
    ],
)
def test_event_stream_errors_close_the_body(chunks: tuple[bytes, ...], raised: type[Exception]) -> None:
    stream = Chunks(*chunks, event("End"))
    body = sync_body(stream)
    payload = es.EventStream(body)
    assert next(payload) == {"Records": {"Payload": b"x"}}
    with pytest.raises(raised) as first:
        next(payload)
    assert body.closed and stream.closed
    with pytest.raises(raised) as again:
        next(payload)
    assert again.value is first.value


def test_event_stream_cut_inside_a_message() -> None:
    """botocore ends the iteration without a word; s3lite says the result is incomplete."""
    chunks = [event("Records", b"x"), event("End")[:-3]]
    assert botocore_outcome(chunks) == ([{"Records": {"Payload": b"x"}}], None)
    stream = Chunks(*chunks)
    payload = es.EventStream(sync_body(stream))
    assert next(payload) == {"Records": {"Payload": b"x"}}
    with pytest.raises(s3lite.ResponseParseError, match=r"ended inside a message \(53 bytes of the 56 it announced"):
        next(payload)
    assert stream.closed


def test_a_short_body_is_the_bodys_error() -> None:
    """The body's own checks (Content-Length) come through the stream unchanged."""
    raw = event("Records", b"x") + event("End")
    body = StreamingBody(HttpxExchange(httpx.Response(200, stream=Chunks(raw))), BodyState(len(raw) + 5, None))
    with pytest.raises(s3lite.IncompleteReadError):
        list(es.EventStream(body))


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.anyio
async def test_async_event_stream_over_an_async_streaming_body(anyio_backend: str) -> None:
    stream = Chunks(*SELECT)
    payload = es.event_stream_for(async_body(stream))
    assert isinstance(payload, es.AsyncEventStream)
    first = await payload.__anext__()
    assert stream.pulled == 1
    assert [first, *[item async for item in payload]] == SELECT_EVENTS
    assert stream.closed


@pytest.mark.anyio
async def test_async_event_stream_closed_early_and_on_error(anyio_backend: str) -> None:
    stream = Chunks(*SELECT)
    async with es.AsyncEventStream(async_body(stream)) as payload:
        async for item in payload:
            assert item == SELECT_EVENTS[0]
            break
        assert not stream.closed
    assert stream.closed
    assert es.AsyncEventStream.aclose is es.AsyncEventStream.close

    stream = Chunks(event("Records", b"x"), error("InternalError", "boom"), event("End"))
    payload = es.AsyncEventStream(async_body(stream))
    with pytest.raises(EventStreamError) as caught:
        async for _ in payload:
            pass
    assert caught.value.response == {"Error": {"Code": "InternalError", "Message": "boom"}}
    assert stream.closed


def test_read1_returns_what_has_arrived() -> None:
    stream = Chunks(b"ab", b"", b"cdef")
    body = sync_body(stream)
    assert body.read1(1) == b"a"
    assert body.read1() == b"b"
    assert stream.pulled == 1
    assert body.read1(65536) == b"cdef"
    assert body.read1() == b""


@pytest.mark.anyio
async def test_async_read1_returns_what_has_arrived(anyio_backend: str) -> None:
    stream = Chunks(b"ab", b"", b"cdef")
    body = async_body(stream)
    assert await body.read1(1) == b"a"
    assert await body.read1() == b"b"
    assert stream.pulled == 1
    assert await body.read1(65536) == b"cdef"
    assert await body.read1() == b""
