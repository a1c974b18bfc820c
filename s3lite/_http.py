"""Request and response descriptions: what the core hands to an HTTP stack and what it gets back.

Plain values with no I/O and no httpx, so another SDK can drive the core with its own HTTP stack.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple, Protocol

#: Headers whose values are secrets or carry them, shown as ``<redacted>`` in reprs and logs: the
#: signature, the session token, the SSO portal's bearer token (the credential chain's), and every header member the model marks sensitive (SSE-C keys, KMS
#: ids and encryption contexts; ``tests/test_model.py`` holds this list to the model's, so the
#: model is not loaded to know it).
REDACTED_HEADERS = frozenset(
    {
        "authorization",
        "x-amz-security-token",
        "x-amz-sso_bearer_token",
        "x-amz-server-side-encryption-customer-key",
        "x-amz-copy-source-server-side-encryption-customer-key",
        "x-amz-server-side-encryption-aws-kms-key-id",
        "x-amz-server-side-encryption-context",
        "x-amz-fwd-header-x-amz-server-side-encryption-aws-kms-key-id",
    }
)


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers fit for a log line or a repr."""
    return {k: "<redacted>" if k.lower() in REDACTED_HEADERS else v for k, v in headers.items()}


#: The most of a response body that is read whole (every body but a GetObject's). S3's results are a few
#: MiB at most (a 1,000-key ListObjectsV2 page is ~300 KiB) and its error documents a few KiB; without
#: a cap a hostile or broken server could make a client read (and parse) without end. Past the cap
#: the call fails with ResponseParseError, and the rest is never read.
MAX_RESULT_BODY = 8 * 1024 * 1024
MAX_ERROR_BODY = 256 * 1024


def body_limit(status: int) -> int:
    """How much of a response body with ``status`` may be read whole."""
    return MAX_RESULT_BODY if status < 300 else MAX_ERROR_BODY


def past_the_cap(status: int, limit: int) -> bytes:
    """What a body read whole amounts to once it passed its cap (nothing more is read, and the
    connection is closed, not reused): a result is a ResponseParseError, an error keeps its status
    with no body (so a proxy's big 503 page is still retried as a 503)."""
    if status < 300:
        from ._errors import ResponseParseError

        raise ResponseParseError(
            f"The response body is larger than the {limit // 1024} KiB s3lite reads for such a response"
        )
    return b""


class StreamBody(NamedTuple):
    """A body the core does not read: the driver pulls it from ``source`` and pumps it through ``encoder``.

    ``source`` is the caller's file, iterator or async iterator; ``start`` the file position to rewind
    to before a retry (``None`` when the source cannot be rewound); ``encoder`` turns raw chunks
    into the bytes to send (``feed(chunk)``/``finish()``, see ``_checksums``): aws-chunked framing with
    chunk signatures, or the chunks as they are for a body sent plainly. It is None until the flow
    signs the request, which gives each attempt a new one. ``sha256`` is the hex SHA-256 of the
    ``length`` bytes from ``start``, once known: a seekable body is sent plainly, signed with it
    (``serialize`` leaves it to the flow, which asks the driver for it with ``HashBody``).
    """

    source: Any
    #: number of raw bytes the source yields
    length: int
    start: int | None
    encoder: Any = None
    sha256: str | None = None


class PartBody(StreamBody):
    """A part of a managed transfer (``_transfer``): a :class:`StreamBody` that s3lite built itself,
    its length and SHA-256 already known, which the clients take as it is (a caller's ``Body`` is
    always planned and checked first, ``_body.plan_stream_body``)."""

    __slots__ = ()


class HttpRequest(NamedTuple):
    """A request ready to send: every header already set, ``path`` and ``query`` already percent-encoded.

    The path is sent exactly as given: S3 keys are opaque, so ``a/./b`` must not be normalised.
    """

    method: str
    scheme: str
    #: host as sent in the Host header, with ``:port`` when not the scheme's default
    host: str
    path: str
    #: encoded query string without the leading ``?``, "" for none
    query: str
    headers: dict[str, str]
    body: bytes | StreamBody = b""

    def __repr__(self) -> str:
        body = f"<{len(self.body)} bytes>" if isinstance(self.body, bytes) else repr(self.body)
        return f"HttpRequest(method={self.method!r}, url={self.url!r}, headers={redact(self.headers)!r}, body={body})"

    @property
    def url(self) -> str:
        tail = f"?{self.query}" if self.query else ""
        return f"{self.scheme}://{self.host}{self.path}{tail}"


class HttpResponse(NamedTuple):
    """A response as received: status, headers (lower-cased names) and the body read so far.

    ``body`` is the whole body, except for a streamed GetObject success, where it is ``b""`` and
    the driver keeps the stream open for the caller. ``names`` maps a lower-cased header name to
    its spelling as received, where they differ (None when none do): user metadata keys keep the case the server sent
    them in (``X-Amz-Meta-Color`` -> ``Metadata: {"Color": ...}``), as botocore's do.
    """

    status: int
    headers: dict[str, str]
    body: bytes = b""
    names: Mapping[str, str] | None = None


class Exchange(Protocol):
    """A response whose body is still to be read, as ``Client`` holds one (s3lite's own pool's,
    or an httpx transport's): every failure an :class:`s3lite.HTTPClientError`."""

    def chunks(self) -> Iterator[bytes]:
        """The body's bytes as they arrive, undecoded; the connection is released at the end."""
        ...

    def read_whole(self) -> bytes:
        """The whole body, within :func:`body_limit`; the exchange is closed after."""
        ...

    def close(self) -> None:
        """Stop reading: the connection is closed (never reused) unless the body was read to its end."""
        ...


class Sender(Protocol):
    """What ``Client`` sends through: ``send`` returns the response described, and the exchange
    when ``stream`` asks for its body to be left unread (None otherwise: the body is in the description)."""

    def send(
        self, request: HttpRequest, content: bytes | Iterator[bytes], deadline: float | None, stream: bool
    ) -> tuple[Exchange | None, HttpResponse]: ...

    def close(self) -> None: ...
