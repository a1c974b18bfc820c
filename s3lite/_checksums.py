"""Checksums and the aws-chunked body encoder, as byte pumps: ``feed(chunk)`` then ``finish()``.

The core never reads a caller's stream; the clients pull bytes and push them through these, so the
same pumps serve the sync and the async client, and memory stays constant whatever the object size.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import zlib
from typing import Protocol

from ._errors import ChecksumMismatchError, ParamValidationError
from ._sigv4 import chunk_signature

#: Algorithms computed from the standard library. CRC32C, CRC64NVME and the XXHASH family need native
#: code (botocore takes them from awscrt); asking for one gets a clear error rather than a slow
#: pure-Python loop. "MD5 is never computed client-side" (s3-spec.md §2.4) - S3 wants Content-MD5 for that.
COMPUTABLE = ("CRC32", "SHA1", "SHA256", "SHA512")


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...


class BodyEncoder(Protocol):
    """What a streamed body's chunks are pumped through on their way out (``StreamBody.encoder``)."""

    def feed(self, data: bytes, /) -> bytes: ...

    def finish(self) -> bytes: ...


class _Crc32:
    __slots__ = ("_value",)

    def __init__(self) -> None:
        self._value = 0

    def update(self, data: bytes, /) -> None:
        self._value = zlib.crc32(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(4, "big")


def new_hasher(algorithm: str) -> Hasher:
    """An incremental hasher for one of :data:`COMPUTABLE` (case-insensitive)."""
    upper = algorithm.upper()
    if upper == "CRC32":
        return _Crc32()
    if upper in COMPUTABLE:
        return hashlib.new(upper.lower())
    raise ParamValidationError(
        f"Unsupported ChecksumAlgorithm {algorithm!r}: s3lite computes {', '.join(COMPUTABLE)}; "
        f"for another algorithm pass the precomputed value as Checksum{upper}"
    )


def checksum_b64(algorithm: str, data: bytes) -> str:
    """``x-amz-checksum-<alg>``: base64 of the big-endian digest (s3-spec.md §1.2)."""
    hasher = new_hasher(algorithm)
    hasher.update(data)
    return base64.b64encode(hasher.digest()).decode()


class ChecksumVerifier:
    """Checks a downloaded body against the ``x-amz-checksum-*`` value the server sent with it."""

    __slots__ = ("_expected", "_hasher", "algorithm")

    def __init__(self, algorithm: str, expected_b64: str) -> None:
        self.algorithm = algorithm
        self._expected = expected_b64
        self._hasher = new_hasher(algorithm)

    def feed(self, chunk: bytes) -> None:
        self._hasher.update(chunk)

    def finish(self) -> None:
        actual = base64.b64encode(self._hasher.digest()).decode()
        # bytes: the expected value came from a header decoded as Latin-1, and may not be ASCII
        if not hmac.compare_digest(actual.encode(), self._expected.encode("latin-1", "replace")):
            raise ChecksumMismatchError(
                f"Expected checksum {self._expected} did not match calculated checksum: {actual}"
            )


#: Verification order when several checksum headers come back: botocore's priority, restricted to the
#: algorithms we compute (s3-spec.md §2.6, response side).
VERIFY_PRIORITY = ("crc32", "sha1", "sha256", "sha512")


def response_verifier(headers: dict[str, str]) -> ChecksumVerifier | None:
    """The verifier for a GetObject response, or None when no full-object checksum came with it.
    Composite multipart checksums (``abc==-3``) are not a checksum of the bytes, so they are skipped."""
    for name in VERIFY_PRIORITY:
        value = headers.get(f"x-amz-checksum-{name}")
        if value and "-" not in value:
            return ChecksumVerifier(name.upper(), value)
    return None


def aws_chunked_length(length: int, chunk_size: int) -> int:
    """The encoded length of ``length`` raw bytes framed as signed aws-chunked chunks, so the request
    can carry a Content-Length (S3 wants one) instead of a second, chunked, transfer coding."""
    signature_part = len(";chunk-signature=") + 64 + 2  # + CRLF after the chunk header
    full, rest = divmod(length, chunk_size)
    total = full * (len(f"{chunk_size:x}") + signature_part + chunk_size + 2)
    if rest:
        total += len(f"{rest:x}") + signature_part + rest + 2
    return total + 1 + signature_part + 2  # the final zero-length chunk and its CRLF


def _counted(seen: int, expected: int) -> int:
    """``seen``, once checked against the length the request announced: a stream that yields more
    would send a corrupt object (or bytes the server takes for the next request)."""
    if seen > expected:
        raise ParamValidationError(
            f"Invalid value for parameter Body: it yielded more than ContentLength={expected} bytes"
        )
    return seen


def _check_total(seen: int, expected: int) -> None:
    if seen != expected:
        raise ParamValidationError(
            f"Invalid value for parameter Body: it yielded {seen} bytes, but ContentLength is {expected}"
        )


class PlainEncoder:
    """The encoder of a streamed body sent as it is (its SHA-256 signed, or ``UNSIGNED-PAYLOAD``):
    chunks pass through unchanged, held to the ``Content-Length`` the request announced."""

    __slots__ = ("_expected", "_seen")

    def __init__(self, *, length: int) -> None:
        self._expected = length
        self._seen = 0

    def __repr__(self) -> str:
        return f"<PlainEncoder {self._seen}/{self._expected} bytes>"

    def feed(self, data: bytes) -> bytes:
        self._seen = _counted(self._seen + len(data), self._expected)
        return data

    def finish(self) -> bytes:
        _check_total(self._seen, self._expected)
        return b""


class AwsChunkedEncoder:
    """Frames a body as aws-chunked with a signature per chunk (``STREAMING-AWS4-HMAC-SHA256-PAYLOAD``).

    Each chunk is ``<hex size>;chunk-signature=<sig>\\r\\n<data>\\r\\n`` and the body ends with a
    zero-length chunk; every chunk but the last has exactly ``chunk_size`` bytes, which is what makes
    the encoded length known in advance.
    """

    __slots__ = ("_date_time", "_expected", "_key", "_pending", "_previous", "_scope", "_seen", "chunk_size")

    def __init__(
        self, *, signing_key: bytes, date_time: str, scope: str, seed_signature: str, chunk_size: int, length: int
    ) -> None:
        self._key = signing_key
        self._date_time = date_time
        self._scope = scope
        self._previous = seed_signature
        self._pending = bytearray()
        self.chunk_size = chunk_size
        self._expected = length
        self._seen = 0

    def __repr__(self) -> str:
        return f"<AwsChunkedEncoder {self._seen}/{self._expected} bytes>"

    def _frame(self, data: bytes | bytearray | memoryview) -> bytes:
        signature = chunk_signature(
            signing_key=self._key,
            date_time=self._date_time,
            scope=self._scope,
            previous=self._previous,
            chunk_sha256=hashlib.sha256(data).hexdigest(),
        )
        self._previous = signature
        return b"".join((f"{len(data):x};chunk-signature={signature}\r\n".encode(), data, b"\r\n"))

    def feed(self, data: bytes) -> bytes:
        """Encoded bytes for every whole chunk now available (possibly none)."""
        self._seen = _counted(self._seen + len(data), self._expected)
        if not self._pending and len(data) == self.chunk_size:
            return self._frame(data)  # the common case: the driver reads exactly one chunk at a time
        self._pending += data
        out = []
        view = memoryview(self._pending)
        start = 0
        while len(self._pending) - start >= self.chunk_size:
            out.append(self._frame(view[start : start + self.chunk_size]))
            start += self.chunk_size
        view.release()
        del self._pending[:start]
        return b"".join(out)

    def finish(self) -> bytes:
        """The last partial chunk and the terminating zero-length chunk."""
        _check_total(self._seen, self._expected)
        tail = self._frame(bytes(self._pending)) if self._pending else b""
        self._pending.clear()
        return tail + self._frame(b"")
