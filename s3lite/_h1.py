"""HTTP/1.1 as bytes, with no I/O: the request head s3lite sends and the response it reads back.

Used by s3lite's own connection pool (:mod:`s3lite._wire`); the header rules (which fields, in which
order, how repeated response fields are joined) are also what the httpx path applies
(:mod:`s3lite._transport`), so a request and a response look the same through either. Only what
S3 needs: no pipelining, no upgrades, no trailers kept; a response is framed by RFC 9112 §6.3.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from ._http import HttpRequest, HttpResponse

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: optional whitespace around a field value (RFC 9110 §5.6.3)
_SPACE = " \t"

#: the longest response head read (status line and fields): S3's heads are a few KiB (2 KiB of user
#: metadata at most); h11, under httpx, allows 16 KiB per event
MAX_HEAD = 64 * 1024
#: the blank line that ends a head, its line ends CRLF or a bare LF
_HEAD_END = re.compile(rb"\r?\n\r?\n")


class ProtocolError(Exception):
    """The server's bytes are not a response s3lite can read (the transport maps it to
    EndpointConnectionError, as httpx's RemoteProtocolError is mapped)."""


class Refused(Exception):
    """A request HTTP/1.1 cannot carry (a CR or LF inside a field): never sent, never retried."""


def request_fields(request: HttpRequest, content: bytes | object) -> list[tuple[str, str]]:
    """The request's header fields in the order sent: Host first, then the signed headers, with
    Content-Length where httpx would add it (after ours for a body, before them for an empty
    POST/PUT/PATCH, none for an empty GET). ``content`` is the body's bytes, or its stream.

    A field value's surrounding spaces and tabs are not part of it (RFC 9110 §5.5: "a field value
    does not include leading or trailing whitespace"), and SigV4 trims them too; h11 refuses to send
    them. So they are left out here, on the wire only: what was signed (and what botocore sends, with
    the spaces, to a server that drops them) is the same value.
    """
    fields = [("Host", request.host)]
    ours = [(name, value.strip(_SPACE)) for name, value in request.headers.items()]
    if not isinstance(content, bytes) or "Content-Length" in request.headers:
        fields += ours  # a streamed body's Content-Length is among ours
    elif content:
        fields += ours
        fields.append(("Content-Length", str(len(content))))
    else:
        if request.method in _BODY_METHODS:
            fields.append(("Content-Length", "0"))
        fields += ours
    return fields


def request_head(request: HttpRequest, fields: list[tuple[str, str]]) -> bytes:
    """The request line and fields, ready to send; :class:`Refused` when a CR, LF or NUL would
    split or end a line (values are checked as printable ASCII before signing, credentials are not),
    or when something is not ASCII."""
    target = f"{request.path}?{request.query}" if request.query else request.path
    lines = [f"{request.method} {target} HTTP/1.1\r\n"]
    lines += [f"{name}: {value}\r\n" for name, value in fields]
    lines.append("\r\n")
    head = "".join(lines)
    if head.count("\n") != len(lines) or head.count("\r") != len(lines) or "\0" in head:
        raise Refused
    try:
        return head.encode("ascii")
    except UnicodeEncodeError:
        raise Refused from None


def response_of(status: int, fields: Iterable[tuple[str, str]], body: bytes = b"") -> HttpResponse:
    """Field names lower-cased, repeated ones joined with ``, `` under the first spelling (as urllib3
    does for botocore); user metadata names also kept as received."""
    headers: dict[str, str] = {}
    names: dict[str, str] = {}
    for name, value in fields:
        lower = name.lower()
        if lower in headers:
            headers[lower] = f"{headers[lower]}, {value}"
            continue
        headers[lower] = value
        if name != lower and lower.startswith("x-amz-meta-"):
            names[lower] = name
    if names:
        return HttpResponse(status, headers, body, names)
    return HttpResponse(status, headers, body)


# -- reading a response -----------------------------------------------------------------------

#: How a response body ends (RFC 9112 §6.3)
NO_BODY = -1
UNTIL_CLOSE = -2
CHUNKED = -3


class Head(NamedTuple):
    """A parsed response head. ``length`` is the Content-Length, or one of the framings above."""

    status: int
    fields: list[tuple[str, str]]
    length: int
    #: whether the connection may carry another request once this response is read
    reusable: bool


def head_end(data: bytes) -> int:
    """Where the head that ``data`` starts with ends (past its blank line), or -1 if not yet.
    RFC 9112 §2.2: a recipient may take a bare LF for a line's end, as h11 does."""
    match = _HEAD_END.search(data)
    return match.end() if match else -1


def parse_head(data: bytes, method: str) -> Head:
    """Parse ``data``, a head up to and including its blank line (latin-1: any byte is a character,
    so a malformed field never raises here).

    RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304; Transfer-Encoding before Content-Length (and
    a connection that then must close); a Content-Length that is not one number is an error; else
    the body runs to the connection's close. §9.3: HTTP/1.1 keeps a connection unless either side
    says ``close``; an HTTP/1.0 response is read and the connection closed.
    """
    text = data.decode("latin-1")
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    status_line = lines[0]
    version, _, rest = status_line.partition(" ")
    code = rest.partition(" ")[0]  # RFC 9112 §4: status-code = 3DIGIT, then SP and the reason (h11: optional)
    if version not in ("HTTP/1.1", "HTTP/1.0") or len(code) != 3 or not _digits(code):
        raise ProtocolError("the response does not start with an HTTP/1.x status line")
    status = int(code)
    fields: list[tuple[str, str]] = []
    for line in lines[1:-2]:
        if line[:1] in (" ", "\t"):  # obs-fold (RFC 9112 §5.2): a continuation of the field before
            if not fields:
                raise ProtocolError("the response's first field line is a continuation")
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip(_SPACE)}")
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip(_SPACE):
            raise ProtocolError("a response field line is not name: value")
        fields.append((name, value.strip(_SPACE)))
    reusable = version == "HTTP/1.1"
    length: int | None = None
    chunked = False
    coded = False
    for name, value in fields:
        lower = name.lower()
        if lower == "content-length":
            values = {item.strip() for item in value.split(",")}
            number = values.pop() if len(values) == 1 else ""
            if not _digits(number) or (length is not None and int(number) != length):
                raise ProtocolError("the response's Content-Length is not one number")
            length = int(number)
        elif lower == "transfer-encoding":
            coded = True
            chunked = value.rsplit(",", 1)[-1].strip().lower() == "chunked"
        elif lower == "connection" and "close" in (token.strip().lower() for token in value.split(",")):
            reusable = False
    if method == "HEAD" or status < 200 or status in (204, 304):
        return Head(status, fields, NO_BODY, reusable)
    if coded:
        if length is not None:
            reusable = False  # §6.3: a response with both may have been smuggled; close after it
        return Head(status, fields, CHUNKED if chunked else UNTIL_CLOSE, reusable and chunked)
    if length is not None:
        return Head(status, fields, length, reusable)
    return Head(status, fields, UNTIL_CLOSE, False)


def _digits(text: str) -> bool:
    """Whether ``text`` is ``1*DIGIT`` (RFC 5234: ASCII 0-9). ``str.isdigit`` alone also takes the
    latin-1 superscripts ``¹²³``, on which ``int`` raises ValueError - out of the pool as is."""
    return text.isascii() and text.isdigit()


class ChunkedDecoder:
    """The chunked transfer coding (RFC 9112 §7.1), decoded from whatever pieces arrive.

    ``feed`` returns the data chunks complete in what was fed so far; ``done`` once the last chunk
    and its trailer section have been read (trailers are read and dropped: S3 puts nothing in them
    that a result needs). ``leftover`` is what arrived past the end.
    """

    __slots__ = ("_buffer", "_left", "_state", "done", "leftover")

    _SIZE, _DATA, _DATA_END, _TRAILER = range(4)

    def __init__(self) -> None:
        self._buffer = b""
        self._state = self._SIZE
        self._left = 0
        self.done = False
        self.leftover = b""

    def feed(self, data: bytes) -> Iterator[bytes]:
        buffer = self._buffer + data if self._buffer else data
        position = 0
        while not self.done:
            if self._state == self._DATA:
                available = len(buffer) - position
                if not available:
                    break
                take = min(available, self._left)
                yield buffer[position : position + take]
                position += take
                self._left -= take
                if not self._left:
                    self._state = self._DATA_END
                continue
            end = buffer.find(b"\r\n", position)
            if end < 0:
                if len(buffer) - position > MAX_HEAD:
                    raise ProtocolError("a chunk size or trailer line is too long")
                break
            line = buffer[position:end]
            position = end + 2
            if self._state == self._SIZE:
                size = line.split(b";", 1)[0].strip(b" \t")
                if not size or size.strip(b"0123456789abcdefABCDEF"):
                    raise ProtocolError("a chunk size is not a hexadecimal number")
                self._left = int(size, 16)
                self._state = self._DATA if self._left else self._TRAILER
            elif self._state == self._DATA_END:
                if line:
                    raise ProtocolError("a chunk's data is not followed by CRLF")
                self._state = self._SIZE
            elif not line:  # the blank line that ends the trailer section
                self.done = True
        if self.done:
            self.leftover = buffer[position:]
            self._buffer = b""
        else:
            self._buffer = buffer[position:]


#: the most a socket read asks for (httpcore asks for 64 KiB). Each read of a large body costs a fixed
#: overhead in Python: a 256 MiB download_file in ten ranges took 1.01-1.06 s in 64 KiB reads and
#: 0.57-0.58 s in 1 MiB reads through httpcore (README, Performance). A read of 1 MiB also costs the
#: allocation of 1 MiB (~15 us: glibc maps it), too much for a small response: the size asked for
#: grows only while reads come back full (:class:`ReadSize`).
READ_SIZE = 1024 * 1024
#: the first read of a response, and the size to fall back to: httpcore's
FIRST_READ = 64 * 1024


class ReadSize:
    """What the next read of one connection asks for: ``base`` (httpcore's own size), four times
    more after each read that came back full (a body is streaming in), back to ``base`` after one
    that gave less (a small response; a TLS record, never more than 16 KiB)."""

    __slots__ = ("_size",)

    def __init__(self) -> None:
        self._size = 0

    def asked(self, base: int) -> int:
        return max(base, self._size)

    def got(self, asked: int, received: int, base: int) -> None:
        if received >= asked:
            self._size = min(asked * 4, READ_SIZE)
        elif received < base:
            self._size = base
