"""s3lite._h1, the HTTP/1.1 codec of Client's own pool, on bytes alone: the request head sent, and how a
response head and a chunked body are read (RFC 9112). The pool around it, on real sockets: test_wire.py."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from s3lite import HttpRequest
from s3lite._h1 import (
    CHUNKED,
    MAX_HEAD,
    NO_BODY,
    UNTIL_CLOSE,
    ChunkedDecoder,
    ProtocolError,
    Refused,
    parse_head,
    request_fields,
    request_head,
    response_of,
)


def _request(
    method: str = "GET", headers: dict[str, str] | None = None, path: str = "/b/k", query: str = ""
) -> HttpRequest:
    return HttpRequest(method, "http", "127.0.0.1:9000", path, query, headers or {}, b"")


def _head(*lines: str, status: str = "HTTP/1.1 200 OK") -> bytes:
    return "".join(f"{line}\r\n" for line in (status, *lines)).encode("latin-1") + b"\r\n"


# -- the request ------------------------------------------------------------------------------


def test_host_first_then_the_headers_with_content_length_where_httpx_puts_it() -> None:
    signed = {"X-Amz-Date": "20240101T000000Z", "Authorization": "AWS4 x"}
    signed_fields = list(signed.items())
    assert request_fields(_request("GET", signed), b"") == [("Host", "127.0.0.1:9000"), *signed_fields]
    assert request_fields(_request("PUT", signed), b"abc") == [
        ("Host", "127.0.0.1:9000"),
        *signed_fields,
        ("Content-Length", "3"),
    ]
    # an empty body of a method that has one: Content-Length: 0, before ours (as httpx sends it)
    for method in ("PUT", "POST", "PATCH"):
        assert request_fields(_request(method, signed), b"") == [
            ("Host", "127.0.0.1:9000"),
            ("Content-Length", "0"),
            *signed_fields,
        ]
    for method in ("GET", "HEAD", "DELETE"):
        assert ("Content-Length", "0") not in request_fields(_request(method, signed), b"")


def test_a_streamed_or_declared_length_is_never_added_twice() -> None:
    declared = {"Content-Length": "5", "X-Amz-Date": "d"}
    expected = [("Host", "127.0.0.1:9000"), ("Content-Length", "5"), ("X-Amz-Date", "d")]
    assert request_fields(_request("PUT", declared), iter([b"12345"])) == expected
    assert request_fields(_request("PUT", declared), b"12345") == expected


def test_values_are_sent_without_surrounding_spaces_and_tabs() -> None:
    fields = request_fields(_request("GET", {"X-Amz-Meta-A": " \tv a l\t ", "X-Amz-Meta-B": ""}), b"")
    assert fields[1:] == [("X-Amz-Meta-A", "v a l"), ("X-Amz-Meta-B", "")]


def test_request_head_bytes() -> None:
    request = _request("GET", path="/b/a%20b", query="versionId=1&uploads")
    head = request_head(request, [("Host", "h"), ("X-A", "1")])
    assert head == b"GET /b/a%20b?versionId=1&uploads HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\n"
    assert request_head(_request("HEAD"), []) == b"HEAD /b/k HTTP/1.1\r\n\r\n"


@pytest.mark.parametrize("bad", ["\r", "\n", "\r\n", "\0", "v\r\nX-Injected: 1", "é", "\u2028"])
def test_a_line_break_nul_or_non_ascii_anywhere_is_refused(bad: str) -> None:
    with pytest.raises(Refused):
        request_head(_request(), [("Host", "h"), ("X-Amz-Security-Token", f"tok{bad}en")])
    with pytest.raises(Refused):
        request_head(_request(), [("Host", "h"), (f"X-{bad}", "v")])
    with pytest.raises(Refused):
        request_head(_request(path=f"/b/{bad}"), [("Host", "h")])
    with pytest.raises(Refused):
        request_head(_request(query=f"a={bad}"), [("Host", "h")])


@settings(deadline=None)  # a loaded 2-core CI machine, not a slow parser
@given(
    st.lists(st.tuples(st.from_regex(r"[A-Za-z0-9-]{1,20}", fullmatch=True), st.from_regex(r"[ -~]*", fullmatch=True)))
)
def test_printable_fields_always_make_a_head_of_one_line_each(fields: list[tuple[str, str]]) -> None:
    head = request_head(_request(), fields)
    lines = head.split(b"\r\n")
    assert lines[0] == b"GET /b/k HTTP/1.1" and lines[-2:] == [b"", b""]
    assert lines[1:-2] == [f"{name}: {value}".encode() for name, value in fields]


# -- the response head --------------------------------------------------------------------------


def test_content_length_frames_the_body_and_keeps_the_connection() -> None:
    head = parse_head(_head('ETag: "e"', "Content-Length: 12"), "GET")
    assert head == (200, [("ETag", '"e"'), ("Content-Length", "12")], 12, True)


@pytest.mark.parametrize("value", ["12, 12", "12,12", " 12 "])
def test_a_list_of_one_repeated_length_is_that_length(value: str) -> None:
    assert parse_head(_head(f"Content-Length: {value}"), "GET").length == 12  # RFC 9110 §8.6


def test_duplicate_equal_content_lengths_are_one_length() -> None:
    assert parse_head(_head("Content-Length: 7", "content-length: 7"), "GET").length == 7


@pytest.mark.parametrize(
    "fields",
    [
        ("Content-Length: 7", "Content-Length: 8"),
        ("Content-Length: 7, 8",),
        ("Content-Length: -1",),
        ("Content-Length: +7",),
        ("Content-Length: 0x10",),
        ("Content-Length: ",),
        ("Content-Length: 7 8",),
        ("Content-Length: 1e3",),
        # latin-1 digits that str.isdigit() takes but int() does not (superscripts two, three, one)
        ("Content-Length: \xb2",),
        ("Content-Length: 1\xb3",),
        ("Content-Length: \xb9",),
    ],
)
def test_a_content_length_that_is_not_one_number_is_refused(fields: tuple[str, ...]) -> None:
    with pytest.raises(ProtocolError):
        parse_head(_head(*fields), "GET")


def test_transfer_encoding_wins_over_content_length_and_the_connection_then_closes() -> None:
    """RFC 9112 §6.3 (3): Transfer-Encoding overrides Content-Length; such a message may be an attempt at
    request smuggling, so the connection is closed after it."""
    for fields in (
        ("Content-Length: 5", "Transfer-Encoding: chunked"),
        ("Transfer-Encoding: chunked", "Content-Length: 5"),
    ):
        head = parse_head(_head(*fields), "GET")
        assert (head.length, head.reusable) == (CHUNKED, False)
    assert parse_head(_head("Transfer-Encoding: chunked"), "GET")[2:] == (CHUNKED, True)
    assert parse_head(_head("Transfer-Encoding: Chunked"), "GET")[2:] == (CHUNKED, True)


@pytest.mark.parametrize(
    ("fields", "length"),
    [
        (("Transfer-Encoding: gzip, chunked",), CHUNKED),
        (("Transfer-Encoding: gzip", "Transfer-Encoding: chunked"), CHUNKED),
        (("Transfer-Encoding: chunked, gzip",), UNTIL_CLOSE),
        (("Transfer-Encoding: chunked", "Transfer-Encoding: gzip"), UNTIL_CLOSE),
        (("Transfer-Encoding: gzip",), UNTIL_CLOSE),
    ],
)
def test_only_chunked_as_the_final_coding_frames_the_body(fields: tuple[str, ...], length: int) -> None:
    """§6.3 (4): chunked not last -> the body runs to the close, and the connection cannot be reused."""
    head = parse_head(_head(*fields), "GET")
    assert head.length == length
    assert head.reusable is (length == CHUNKED)


def test_without_framing_the_body_runs_until_close() -> None:
    assert parse_head(_head("ETag: x"), "GET")[2:] == (UNTIL_CLOSE, False)


@pytest.mark.parametrize(
    ("status", "method"),
    [
        ("HTTP/1.1 200 OK", "HEAD"),
        ("HTTP/1.1 204 No Content", "GET"),
        ("HTTP/1.1 304 Not Modified", "GET"),
        ("HTTP/1.1 100 Continue", "PUT"),
        ("HTTP/1.1 103 Early Hints", "GET"),
    ],
)
def test_no_body_for_head_1xx_204_and_304_whatever_the_fields_say(status: str, method: str) -> None:
    for fields in ((), ("Content-Length: 42",), ("Transfer-Encoding: chunked",)):
        head = parse_head(_head(*fields, status=status), method)
        assert head.length == NO_BODY
        assert head.reusable  # nothing to read: the connection is free at once


@pytest.mark.parametrize("value", ["close", "Close", "keep-alive, close", " CLOSE ,x"])
def test_connection_close_is_not_reusable(value: str) -> None:
    assert not parse_head(_head("Content-Length: 0", f"Connection: {value}"), "GET").reusable
    assert not parse_head(_head(f"Connection: {value}", status="HTTP/1.1 204 No Content"), "GET").reusable


def test_a_connection_token_that_merely_contains_close_keeps_it() -> None:
    assert parse_head(_head("Content-Length: 0", "Connection: closed, enclosed"), "GET").reusable


def test_http_1_0_is_read_then_closed() -> None:
    """§9.3: HTTP/1.0 persistence needs keep-alive negotiation, which s3lite never offers."""
    head = parse_head(_head("Content-Length: 3", "Connection: keep-alive", status="HTTP/1.0 200 OK"), "GET")
    assert (head.length, head.reusable) == (3, False)


@pytest.mark.parametrize(
    "status_line",
    [
        "HTTP/2 200 OK",
        "HTTP/1.2 200 OK",
        "http/1.1 200 OK",
        "HTTP/1.1 20 OK",
        "HTTP/1.1 abc OK",
        "ICY 200 OK",
        "",
        "HTTP/1.1 \xb200 OK",
        "HTTP/1.1 2000 OK",
        "HTTP/1.1 200OK",
    ],
)
def test_a_bad_status_line_is_refused(status_line: str) -> None:
    with pytest.raises(ProtocolError):
        parse_head(_head("Content-Length: 0", status=status_line), "GET")


def test_a_status_line_without_reason_phrase_is_read() -> None:
    assert parse_head(_head("Content-Length: 0", status="HTTP/1.1 404"), "GET").status == 404
    assert parse_head(_head("Content-Length: 0", status="HTTP/1.1 404 "), "GET").status == 404


def test_obs_fold_continues_the_field_before_with_one_space() -> None:
    """RFC 9112 §5.2: each obs-fold is replaced with SP before the value is interpreted."""
    head = parse_head(_head("X-Amz-Meta-A: one", " \t two", "\tthree", "Content-Length: 0"), "GET")
    assert head.fields == [("X-Amz-Meta-A", "one two three"), ("Content-Length", "0")]
    with pytest.raises(ProtocolError):
        parse_head(_head(" folded: first", "Content-Length: 0"), "GET")


@pytest.mark.parametrize("line", ["no colon", ": empty name", "Name : x", "Name\t: x"])
def test_a_field_line_that_is_not_name_colon_value_is_refused(line: str) -> None:
    """RFC 9112 §5.1: no whitespace between the field name and the colon (and a name at all)."""
    with pytest.raises(ProtocolError):
        parse_head(_head(line), "GET")


def test_values_lose_surrounding_whitespace_and_keep_any_byte() -> None:
    head = parse_head(_head("X-A:\t v \t", "X-B:", "X-C: caf\xe9 \x01", "Content-Length: 0"), "GET")
    assert head.fields[:3] == [("X-A", "v"), ("X-B", ""), ("X-C", "caf\xe9 \x01")]


@settings(deadline=None)  # a loaded 2-core CI machine, not a slow parser
@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,15}", fullmatch=True).filter(
                lambda name: name.lower() not in ("content-length", "transfer-encoding", "connection")
            ),
            st.from_regex(r"[!-~]([ -~]*[!-~])?", fullmatch=True) | st.just(""),
        ),
        max_size=12,
    ),
    st.integers(0, 2**40),
)
def test_parse_head_round_trips_the_fields_sent(fields: list[tuple[str, str]], length: int) -> None:
    sent = [*fields, ("Content-Length", str(length))]
    head = parse_head(_head(*(f"{name}: {value}" for name, value in sent)), "GET")
    assert head == (200, sent, length, True)


def test_response_of_lowers_names_joins_repeats_and_keeps_metadata_spelling() -> None:
    response = response_of(
        200, [("ETag", "e"), ("X-Amz-Meta-Color", "red"), ("x-amz-meta-COLOR", "blue"), ("x-amz-meta-low", "l")], b"x"
    )
    assert response.headers == {"etag": "e", "x-amz-meta-color": "red, blue", "x-amz-meta-low": "l"}
    assert response.names == {"x-amz-meta-color": "X-Amz-Meta-Color"}
    assert response.body == b"x"
    assert response_of(204, [("ETag", "e")]).names is None


# -- the chunked body -------------------------------------------------------------------------


def _decode(pieces: list[bytes]) -> tuple[bytes, ChunkedDecoder]:
    decoder = ChunkedDecoder()
    out = b""
    for piece in pieces:
        assert not decoder.done
        out += b"".join(decoder.feed(piece))
    return out, decoder


def test_chunks_with_extensions_and_trailers() -> None:
    wire = (
        b'5;name=value\r\nhello\r\n6 ; a="b;c"\r\n world\r\nA\r\n0123456789\r\n0;last\r\nX-Trailer: t\r\nY: u\r\n\r\n'
    )
    data, decoder = _decode([wire + b"extra"])
    assert data == b"hello world0123456789"
    assert decoder.done and decoder.leftover == b"extra"


def test_chunks_fed_a_byte_at_a_time() -> None:
    wire = b"3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n"
    data, decoder = _decode([wire[i : i + 1] for i in range(len(wire))])
    assert data == b"abcd" and decoder.done and decoder.leftover == b""


def test_nothing_past_the_end_is_decoded() -> None:
    decoder = ChunkedDecoder()
    assert list(decoder.feed(b"0\r\n\r\n3\r\nabc\r\n")) == []
    assert decoder.done and decoder.leftover == b"3\r\nabc\r\n"


@pytest.mark.parametrize(
    "wire",
    [
        b"\r\n",  # no size
        b"g\r\n",
        b"-1\r\n",
        b"0x5\r\nhello\r\n",
        b"+5\r\nhello\r\n",
        b";ext\r\n",
        b"5 5\r\nhello\r\n",
        b"5\r\nhelloX\r\n",  # data not followed by CRLF
        b"5\r\nhello\r\r\n",
    ],
)
def test_a_bad_chunk_size_or_data_end_is_refused(wire: bytes) -> None:
    with pytest.raises(ProtocolError):
        _decode([wire + b"0\r\n\r\n"])


def test_a_size_line_or_trailer_that_never_ends_is_refused() -> None:
    with pytest.raises(ProtocolError):
        _decode([b"1" + b"0" * MAX_HEAD + b"0"])
    with pytest.raises(ProtocolError):
        _decode([b"0\r\nX-Long: " + b"v" * MAX_HEAD])
    _, decoder = _decode([b"0\r\nX-Long: " + b"v" * (MAX_HEAD - 20)])  # long, but within the limit: waits
    assert not decoder.done


def _encode(chunks: list[bytes], extensions: list[str], trailers: list[str]) -> bytes:
    wire = b""
    for index, chunk in enumerate(chunks):
        extension = extensions[index % len(extensions)] if extensions else ""
        wire += f"{len(chunk):x}{extension}\r\n".encode() + chunk + b"\r\n"
    return wire + b"0\r\n" + "".join(f"{t}\r\n" for t in trailers).encode() + b"\r\n"


@settings(deadline=None)  # a loaded 2-core CI machine, not a slow parser
@given(
    st.lists(st.binary(min_size=1, max_size=300), max_size=8),
    st.lists(st.sampled_from([";a", ";a=b", ' ; a="x;y"', ";q=1;r"]), max_size=3),
    st.lists(st.from_regex(r"[A-Za-z-]{1,8}: [ -~]{0,20}", fullmatch=True), max_size=3),
    st.binary(max_size=20),
    st.data(),
)
def test_chunked_round_trip_split_anywhere(
    chunks: list[bytes], extensions: list[str], trailers: list[str], extra: bytes, data: st.DataObject
) -> None:
    wire = _encode(chunks, extensions, trailers) + extra
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=10)))
    pieces = [wire[a:b] for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True)]
    decoder = ChunkedDecoder()
    out = b""
    for piece in pieces:
        if decoder.done:
            break
        out += b"".join(decoder.feed(piece))
    assert out == b"".join(chunks)
    assert decoder.done
    # what arrived past the end: the rest of the piece that ended the body, and no more
    assert decoder.leftover == extra[: len(decoder.leftover)]
