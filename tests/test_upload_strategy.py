"""How a file or an iterator is uploaded (issue 13, items 3, 16 and the Body parts of 11).

Per body, with ``upload_signing="auto"`` (the default): a seekable file is sent as it is, with
Content-Length and the SHA-256 of its bytes computed in a first pass (``HashBody``), or
``UNSIGNED-PAYLOAD`` over https with Content-MD5, as botocore does; only a stream that can be read
once is framed as signed aws-chunked, which Ceph RGW 16.2 and SeaweedFS would otherwise keep as the
stored object's ``Content-Encoding``. ``"aws-chunked"`` and ``"hash-first"`` force either strategy.
A file is anything with ``seek`` and ``tell`` (botocore's test), ``seekable()`` or not, whatever
``seek()`` returns. A closed file, and a list or tuple with an item that is not bytes, are refused
before anything is sent.

Checked over ``httpx.MockTransport`` (both clients, asyncio and trio; signatures recomputed by
botocore's signer), against botocore's own request for the same file (tests/oracle.py), through the
I/O-free flow, and end to end against moto (which does not keep aws-chunked itself: so what we sent
and what was stored are both checked).
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from drivers import KINDS, Driver, recording_driver
from oracle import SIGNING_EPOCH, Oracle
from test_clients_mock import (
    BUCKET,
    OPTIONS,
    PAYLOAD,
    REGION,
    STREAMING,
    Server,
    check_aws_chunked,
    check_signature,
    pieces,
)

import s3lite
from s3lite._body import plan_stream_body
from s3lite._upload import HASH_CHUNK, sha256_of

pytestmark = pytest.mark.anyio

SHA256 = hashlib.sha256(PAYLOAD).hexdigest()
HTTPS_OPTIONS = {**OPTIONS, "endpoint_url": "https://s3.test"}
#: a Content-MD5 value: over https it makes botocore (and s3lite) send UNSIGNED-PAYLOAD
MD5 = "1B2M2Y8AsgTpgAZPz8fwRA=="


@pytest.fixture(scope="module", params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server() -> Server:
    return Server()


async def driver(kind: str, server: Server, **options: Any) -> Driver:
    return Driver(kind, transport=httpx.MockTransport(server), **{**OPTIONS, **options})  # type: ignore[arg-type]


@pytest.fixture(params=KINDS)
async def s3(request: pytest.FixtureRequest, server: Server, anyio_backend: str) -> AsyncIterator[Driver]:
    made = await driver(request.param, server)
    try:
        yield made
    finally:
        await made.aclose()


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Recording(io.BytesIO):
    """A BytesIO that counts what is read from it, the largest read, and the threads that read it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0
        self.largest = 0
        self.threads: set[int] = set()

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        self.largest = max(self.largest, len(data))
        self.threads.add(threading.get_ident())
        return data


class BareFile:
    """What botocore accepts as a file and s3lite refused (Ceph s3-tests' FakeFile): read, seek and
    tell, no ``seekable()``, and a ``seek()`` that returns None."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> None:
        self._data.seek(offset, whence)

    def tell(self) -> int:
        return self._data.tell()


class NoSeekable(BareFile):
    """read, seek (returning the position, as io does) and tell, but no ``seekable()``."""

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:  # type: ignore[override]
        return self._data.seek(offset, whence)


def signed_headers(request: httpx.Request) -> set[str]:
    return set(request.headers["authorization"].split("SignedHeaders=", 1)[1].split(",", 1)[0].split(";"))


def check_plain(request: httpx.Request, payload: bytes, payload_hash: str | None = None) -> None:
    """Sent as it is: no aws-chunked coding, Content-Length the payload's (unsigned, as botocore's for a
    file), signed with its SHA-256 (or the given ``payload_hash``)."""
    assert "content-encoding" not in request.headers
    assert "x-amz-decoded-content-length" not in request.headers
    assert "transfer-encoding" not in request.headers
    assert request.headers["content-length"] == str(len(payload))
    assert request.headers["x-amz-content-sha256"] == (payload_hash or hashlib.sha256(payload).hexdigest())
    assert "content-length" not in signed_headers(request)
    assert request.content == payload
    check_signature(request)


# -- item 3: the strategy per body -------------------------------------------------------------------


async def test_file_is_sent_as_it_is_signed_with_its_sha256(s3: Driver, server: Server, tmp_path: Path) -> None:
    path = tmp_path / "body.bin"
    path.write_bytes(PAYLOAD)
    with path.open("rb") as file:
        await s3.call("put_object", Bucket=BUCKET, Key="k", Body=file)
        assert file.tell() == 0 + len(PAYLOAD), "read to the end once sent, as botocore leaves it"
    check_plain(server.last, PAYLOAD)


async def test_file_from_its_position_and_upload_part(s3: Driver, server: Server) -> None:
    body = io.BytesIO(PAYLOAD)
    body.seek(1000)
    await s3.call("upload_part", Bucket=BUCKET, Key="k", PartNumber=2, UploadId="u", Body=body)
    check_plain(server.last, PAYLOAD[1000:])


async def test_file_with_a_shorter_content_length(s3: Driver, server: Server) -> None:
    """ContentLength bytes are hashed and sent; that Content-Length is the caller's, and signed."""
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=io.BytesIO(PAYLOAD), ContentLength=5000)
    request = server.last
    assert "content-length" in signed_headers(request)
    assert request.content == PAYLOAD[:5000]
    assert request.headers["x-amz-content-sha256"] == hashlib.sha256(PAYLOAD[:5000]).hexdigest()
    check_signature(request)


async def test_first_pass_reads_in_bounded_pieces_and_retries_resend_the_same_bytes(s3: Driver, server: Server) -> None:
    """One first pass per call (not per attempt), at most HASH_CHUNK at a time; a retry rewinds and
    sends the same bytes with the same payload hash."""
    answers = iter([httpx.Response(500), httpx.Response(200)])
    server.respond = lambda _: next(answers)
    body = Recording(PAYLOAD * 8)  # several first-pass reads
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=body)
    first, second = server.requests
    check_plain(first, PAYLOAD * 8)
    check_plain(second, PAYLOAD * 8)
    assert body.bytes_read == 3 * len(PAYLOAD) * 8, "hashed once, sent twice"
    assert body.largest <= HASH_CHUNK


async def test_https_with_content_md5_is_unsigned_payload_without_a_first_pass(
    kind: str, server: Server, anyio_backend: str
) -> None:
    """botocore's rule (S3SigV4Auth._should_sha256_sign_payload): https + Content-MD5 + streaming input."""
    s3 = await driver(kind, server, **HTTPS_OPTIONS)
    body = Recording(PAYLOAD)
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=body, ContentMD5=MD5)
    assert body.bytes_read == len(PAYLOAD), "sent without being hashed first"
    request = server.last
    assert request.url.scheme == "https"
    assert request.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"
    assert "content-encoding" not in request.headers and request.content == PAYLOAD
    # an iterator too: nothing needs hashing, so nothing needs aws-chunked
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=pieces(PAYLOAD, 7000), ContentLength=len(PAYLOAD),
                  ContentMD5=MD5)  # fmt: skip
    assert server.last.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"
    assert "content-encoding" not in server.last.headers and server.last.content == PAYLOAD
    # without Content-MD5 over https, botocore hashes a file: so does s3lite
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=io.BytesIO(PAYLOAD))
    assert server.last.headers["x-amz-content-sha256"] == SHA256
    await s3.aclose()


async def test_iterator_is_aws_chunked(s3: Driver, server: Server) -> None:
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=pieces(PAYLOAD, 9000), ContentLength=len(PAYLOAD))
    check_aws_chunked(server.last, PAYLOAD)


async def test_forced_aws_chunked_frames_a_file(kind: str, server: Server, anyio_backend: str) -> None:
    s3 = await driver(kind, server, upload_signing="aws-chunked")
    body = Recording(PAYLOAD)
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=body)
    assert body.bytes_read == len(PAYLOAD), "one pass"
    check_aws_chunked(server.last, PAYLOAD)
    # forced even where the rule gives UNSIGNED-PAYLOAD
    https = await driver(kind, server, upload_signing="aws-chunked", **HTTPS_OPTIONS)
    await https.call("put_object", Bucket=BUCKET, Key="k", Body=io.BytesIO(PAYLOAD), ContentMD5=MD5)
    assert server.last.headers["x-amz-content-sha256"] == STREAMING
    await s3.aclose()
    await https.aclose()


async def test_forced_hash_first_refuses_a_stream_before_sending(kind: str, server: Server, anyio_backend: str) -> None:
    s3 = await driver(kind, server, upload_signing="hash-first")
    with pytest.raises(s3lite.ParamValidationError, match="hash-first"):
        await s3.call("put_object", Bucket=BUCKET, Key="k", Body=pieces(b"abc", 1), ContentLength=3)
    assert server.requests == []
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=io.BytesIO(PAYLOAD))
    check_plain(server.last, PAYLOAD)
    await s3.aclose()


@pytest.mark.parametrize("value", ["chunked", "AUTO", "", None, 1, ["auto"]])
def test_upload_signing_is_checked_at_construction(value: Any) -> None:
    for client in (s3lite.Client, s3lite.AsyncClient):
        with pytest.raises(s3lite.ParamValidationError, match="upload_signing: one of 'auto', 'aws-chunked'"):
            client(upload_signing=value, **OPTIONS)


async def test_async_client_hashes_and_reads_off_the_event_loop(server: Server, anyio_backend: str) -> None:
    s3 = await driver("async", server)
    body = Recording(PAYLOAD * 8)
    loop_thread = threading.get_ident()
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=body)
    assert body.threads and loop_thread not in body.threads
    await s3.aclose()


async def test_a_file_shorter_than_it_claims_fails_before_sending(s3: Driver, server: Server) -> None:
    class Shrunk(io.BytesIO):
        """Its seek/tell say 10 bytes, it reads none: a file truncated after it was planned."""

        def read(self, size: int | None = -1, /) -> bytes:
            return b""

    with pytest.raises(s3lite.ParamValidationError, match="10 bytes short"):
        await s3.call("put_object", Bucket=BUCKET, Key="k", Body=Shrunk(b"0123456789"))
    assert server.requests == []


async def test_a_file_that_fails_to_read_is_an_s3lite_error(s3: Driver, server: Server) -> None:
    class Broken(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            raise OSError(5, "Input/output error")

    with pytest.raises(s3lite.ParamValidationError, match="reading it failed"):
        await s3.call("put_object", Bucket=BUCKET, Key="k", Body=Broken(PAYLOAD))
    assert server.requests == []


# -- the flow: HashBody, once per call -----------------------------------------------------------------


def _context(endpoint: s3lite.Endpoint, **options: Any) -> s3lite.CallContext:
    return s3lite.CallContext(
        s3lite.Credentials(OPTIONS["aws_access_key_id"], OPTIONS["aws_secret_access_key"]),
        REGION,
        endpoint,
        clock=lambda: SIGNING_EPOCH,
        rand=lambda: 0.0,
        **options,
    )


def _run(context: s3lite.CallContext, operation: str, params: dict[str, Any], responses: list[Any]) -> list[Any]:
    effects: list[Any] = []
    answers = iter(responses)

    def respond(effect: Any) -> Any:
        effects.append(effect)
        if isinstance(effect, s3lite.HashBody):
            return sha256_of(effect.body)
        if isinstance(effect, s3lite.Send):
            return next(answers)
        return None

    s3lite.run_to_completion(s3lite.operation_flow(context, operation, params), respond)
    return effects


def test_flow_asks_for_the_hash_once_across_retries_and_a_redirect() -> None:
    context = _context(s3lite.Endpoint.for_region(REGION))
    body = plan_stream_body(io.BytesIO(PAYLOAD), None, allow_async=False)
    redirect = b"<Error><Code>PermanentRedirect</Code></Error>"
    moved = s3lite.HttpResponse(301, {"x-amz-bucket-region": "eu-west-1"}, redirect)
    answers = [moved, s3lite.HttpResponse(503, {}, b""), s3lite.HttpResponse(200, {})]
    effects = _run(context, "PutObject", {"Bucket": "mybucket", "Key": "k", "Body": body}, answers)
    assert [type(e).__name__ for e in effects] == ["HashBody", "Send", "Send", "Sleep", "Send"]
    sent = [e.request for e in effects if isinstance(e, s3lite.Send)]
    assert [r.headers["X-Amz-Content-SHA256"] for r in sent] == [SHA256] * 3
    assert [r.headers["Content-Length"] for r in sent] == [str(len(PAYLOAD))] * 3
    assert all(r.body.sha256 == SHA256 and "Content-Encoding" not in r.headers for r in sent)


def test_flow_checks_the_answer_to_hash_body() -> None:
    context = _context(s3lite.Endpoint.from_url("http://127.0.0.1:9000"))
    body = plan_stream_body(io.BytesIO(b"data"), None, allow_async=False)
    for bad in (None, "", SHA256.upper(), SHA256 + "0", b"0" * 64):
        with pytest.raises(s3lite.ParamValidationError, match="HashBody"):
            s3lite.run_to_completion(
                s3lite.operation_flow(context, "PutObject", {"Bucket": "b", "Key": "k", "Body": body}),
                lambda effect, bad=bad: bad,
            )


def test_no_credentials_is_raised_before_the_first_pass() -> None:
    context = _context(s3lite.Endpoint.from_url("http://127.0.0.1:9000"))
    context.credentials = None
    body = plan_stream_body(io.BytesIO(b"data"), None, allow_async=False)
    with pytest.raises(s3lite.NoCredentialsError):
        s3lite.run_to_completion(
            s3lite.operation_flow(context, "PutObject", {"Bucket": "b", "Key": "k", "Body": body}),
            lambda effect: pytest.fail(f"no effect expected, got {effect!r}"),
        )


def test_an_embedder_that_gives_the_sha256_is_not_asked_for_it() -> None:
    """A StreamBody with ``sha256`` set is sent as it is even if it cannot be rewound."""
    context = _context(s3lite.Endpoint.from_url("http://127.0.0.1:9000"))
    body = s3lite.StreamBody(iter([PAYLOAD]), len(PAYLOAD), None, sha256=SHA256)
    effects = _run(context, "PutObject", {"Bucket": "b", "Key": "k", "Body": body}, [s3lite.HttpResponse(200, {})])
    assert [type(e).__name__ for e in effects] == ["Send"]
    assert effects[0].request.headers["X-Amz-Content-SHA256"] == SHA256


# -- differential: the same request as botocore's for the same file ------------------------------------

#: botocore's unsigned extras (tests/test_differential_requests.py's module docstring)
IGNORED = frozenset({"user-agent", "expect", "amz-sdk-invocation-id", "amz-sdk-request"})
#: stands for "the bytes left in the file" in the parameters below
REST = -1


def _lower(pairs: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in pairs if name.lower() not in IGNORED}


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("http://127.0.0.1:9000", {}),
        ("http://127.0.0.1:9000", {"RequestPayer": "requester", "ExpectedBucketOwner": "123456789012"}),
        ("http://127.0.0.1:9000", {"ContentLength": REST}),
        ("https://minio.example.com:8443/store", {}),
        ("https://minio.example.com:8443/store", {"ContentMD5": MD5}),
    ],
    ids=["http", "http-headers", "http-content-length", "https", "https-md5"],
)
@pytest.mark.parametrize("operation", ["PutObject", "UploadPart"])
@pytest.mark.parametrize("offset", [0, 777])
def test_file_request_equals_botocore(url: str, extra: dict[str, Any], operation: str, offset: int) -> None:
    """botocore hashes a file in a first pass over http (UNSIGNED-PAYLOAD over https with Content-MD5)
    and sends it with an unsigned Content-Length: every header, the signature included, must match."""
    params: dict[str, Any] = {"Bucket": "bkt", "Key": "dir/a b+c", **extra}
    if params.get("ContentLength") == REST:
        params["ContentLength"] = len(PAYLOAD) - offset  # then both sign Content-Length
    if operation == "UploadPart":
        params.update(PartNumber=3, UploadId="up/1")
    file = io.BytesIO(PAYLOAD)
    file.seek(offset)
    theirs = Oracle(region=REGION, endpoint_url=url).request(operation, {**params, "Body": file})

    file.seek(offset)
    context = _context(s3lite.Endpoint.from_url(url))
    context.credentials = s3lite.Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    body = plan_stream_body(file, params.get("ContentLength"), allow_async=False)
    effects = _run(context, operation, {**params, "Body": body}, [s3lite.HttpResponse(200, {})])
    ours = effects[-1].request
    assert (ours.method, ours.scheme, ours.host, ours.path, ours.query) == (
        theirs.method,
        theirs.scheme,
        theirs.host,
        theirs.path,
        theirs.query,
    )
    assert _lower(ours.headers.items()) == _lower(theirs.headers)
    assert theirs.body == PAYLOAD[offset:]


# -- item 16: file-like bodies botocore accepts ----------------------------------------------------------


@pytest.mark.parametrize("make", [BareFile, NoSeekable], ids=["seek-returns-None", "no-seekable"])
async def test_file_like_with_seek_and_tell_only(s3: Driver, server: Server, make: Any) -> None:
    body = make(PAYLOAD)
    body.seek(10)
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=body)
    check_plain(server.last, PAYLOAD[10:])


def test_file_like_with_seek_and_tell_only_is_rewindable() -> None:
    for make in (BareFile, NoSeekable):
        planned = plan_stream_body(make(b"0123456789"), None, allow_async=False)
        assert (planned.start, planned.length) == (0, 10)


def test_a_file_like_whose_tell_is_not_an_offset_is_left_where_it_was() -> None:
    """Read as a stream (it cannot be rewound), from where it stood: not from its end."""

    class NoOffset(io.BytesIO):
        def tell(self) -> Any:
            return None

    body = NoOffset(b"0123456789")
    planned = plan_stream_body(body, 10, allow_async=False)
    assert planned.start is None and planned.length == 10
    assert body.read() == b"0123456789"


async def test_a_pipe_is_a_stream_not_a_file(s3: Driver, server: Server) -> None:
    """A pipe has seek and tell, but says seekable() False (its tell() raises): it is read once."""
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as writer:
        writer.write(b"through a pipe")
    with os.fdopen(read_end, "rb") as reader:
        with pytest.raises(s3lite.ParamValidationError, match="ContentLength"):
            await s3.call("put_object", Bucket=BUCKET, Key="k", Body=reader)
        await s3.call("put_object", Bucket=BUCKET, Key="k", Body=reader, ContentLength=14)
    check_aws_chunked(server.last, b"through a pipe")


# -- item 11: bodies refused before a byte is sent ----------------------------------------------------


@pytest.mark.parametrize("content_length", [None, 100])
async def test_closed_file_is_refused_up_front(
    s3: Driver, server: Server, tmp_path: Path, content_length: int | None
) -> None:
    path = tmp_path / "body.bin"
    path.write_bytes(b"x" * 100)
    with path.open("rb") as file:
        pass
    extra = {} if content_length is None else {"ContentLength": content_length}
    with pytest.raises(s3lite.ParamValidationError, match="parameter Body: the file is closed"):
        await s3.call("put_object", Bucket=BUCKET, Key="k", Body=file, **extra)
    closed = io.BytesIO(b"abc")
    closed.close()
    with pytest.raises(s3lite.ParamValidationError, match="parameter Body: the file is closed"):
        await s3.call("upload_part", Bucket=BUCKET, Key="k", PartNumber=1, UploadId="u", Body=closed, **extra)
    assert server.requests == []


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ([b"ab", "cd"], r"Body\[1\], type: str"),
        ((b"ab", bytearray(b"c"), 7), r"Body\[2\], type: int"),
        ([b"ab", [b"cd"]], r"Body\[1\], type: list"),
        ([b"ab", b"cd"], r"ContentLength: 3, but Body has 4 bytes"),
    ],
)
async def test_list_or_tuple_body_is_checked_up_front(s3: Driver, server: Server, body: Any, match: str) -> None:
    with pytest.raises(s3lite.ParamValidationError, match=match):
        plan_stream_body(body, 3, allow_async=False)
    with pytest.raises(s3lite.ParamValidationError, match=match):
        await s3.call("put_object", Bucket=BUCKET, Key="k", Body=body, ContentLength=3)
    assert server.requests == []


async def test_list_of_bytes_like_is_sent(s3: Driver, server: Server) -> None:
    chunks = [PAYLOAD[:10], bytearray(PAYLOAD[10:300_000]), memoryview(PAYLOAD[300_000:])]
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=chunks, ContentLength=len(PAYLOAD))
    check_aws_chunked(server.last, PAYLOAD)


# -- end to end, moto ---------------------------------------------------------------------------------


@pytest.mark.e2e
async def test_e2e_file_upload_is_stored_without_aws_chunked(
    kind: str, anyio_backend: str, client_options: dict[str, Any], bucket: str, tmp_path: Path
) -> None:
    """moto strips aws-chunked itself, so both what was sent and what was stored are checked."""
    data = os.urandom(600_001)
    path = tmp_path / "body.bin"
    path.write_bytes(data)
    s3, sent = recording_driver(kind, **client_options)  # type: ignore[arg-type]
    with path.open("rb") as file:
        put = await s3.call("put_object", Bucket=bucket, Key="file", Body=file, ContentType="application/x-test")
    assert sent[-1]["x-amz-content-sha256"] == hashlib.sha256(data).hexdigest()
    assert "content-encoding" not in sent[-1] and sent[-1]["content-length"] == str(len(data))
    assert put["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    got, stored = await s3.download(Bucket=bucket, Key="file")
    assert stored == data and "ContentEncoding" not in got and got["ContentType"] == "application/x-test"
    # an iterator is still aws-chunked, and stored as the same bytes
    await s3.call("put_object", Bucket=bucket, Key="gen", Body=pieces(data, 100_000), ContentLength=len(data))
    assert sent[-1]["content-encoding"] == "aws-chunked"
    got, stored = await s3.download(Bucket=bucket, Key="gen")
    assert stored == data and "ContentEncoding" not in got
    await s3.aclose()
