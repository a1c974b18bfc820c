"""Client and AsyncClient over ``httpx.MockTransport``: one behavioural suite, run against both.

Every test body is written once and takes the ``s3`` driver (tests/drivers.py), parametrized over the
two clients and run on asyncio and trio. What the transport receives is checked exactly (method, raw
path, the full set of headers, body) and its SigV4 signature is recomputed by botocore's own signer;
aws-chunked chunk signatures are recomputed from AWS's documented formula. Expected result dicts
come from reference/s3-spec.md; streaming-body semantics from botocore's ``StreamingBody``.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import io
import re
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.auth import S3SigV4Auth  # type: ignore[import-untyped]
from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
from botocore.credentials import Credentials as BotocoreCredentials  # type: ignore[import-untyped]
from botocore.response import StreamingBody as BotocoreStreamingBody  # type: ignore[import-untyped]
from drivers import KINDS, Chunks, Driver, async_chunks

import s3lite

pytestmark = pytest.mark.anyio

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
HOST = "s3.test:9000"
OPTIONS = {
    "endpoint_url": f"http://{HOST}",
    "region_name": REGION,
    "aws_access_key_id": ACCESS_KEY,
    "aws_secret_access_key": SECRET_KEY,
}
BUCKET = "bkt"
#: dot segments, "+", a literal "%2B", a space and a non-ASCII letter: all must reach the wire unchanged
KEY = "a/./b/../c+d %2B é"
#: §1.1: keep A-Z a-z 0-9 - . _ ~ and /, everything else %XX of the UTF-8 bytes
RAW_KEY_PATH = "/bkt/a/./b/../c%2Bd%20%252B%20%C3%A9"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
STREAMING = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
UTC = datetime.UTC
#: s3-spec.md §2.2 example: the SSE-C key and the two headers botocore derives from it
SSE_C_KEY = "0123456789abcdef0123456789abcdef"
SSE_C_KEY_B64 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
SSE_C_KEY_MD5 = "hRasmdxgYDKV3nvbahU1MA=="
#: headers every signed request carries besides the operation's own (content-length only with a body)
BASE_HEADERS = {"host", "user-agent", "x-amz-date", "x-amz-content-sha256", "authorization"}
#: bigger than one aws-chunked chunk of any sensible size, not a multiple of a power of two
PAYLOAD = bytes(range(251)) * 2611


@pytest.fixture(scope="module", params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Server:
    """The MockTransport handler: records every request and answers with ``respond``."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.responses: list[httpx.Response] = []
        self.respond: Callable[[httpx.Request], httpx.Response] = lambda _: httpx.Response(200)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self.respond(request)
        self.responses.append(response)
        return response

    def reply(self, status: int = 200, headers: dict[str, str] | None = None, content: bytes = b"") -> None:
        self.respond = lambda _: httpx.Response(status, headers=headers, content=content)

    def stream(self, stream: Chunks, headers: dict[str, str] | None = None) -> None:
        """Answer with ``stream`` as the body (Content-Length: what it will yield, unless given)."""
        all_headers = {"content-length": str(len(b"".join(stream.chunks))), **(headers or {})}
        self.respond = lambda _: httpx.Response(200, headers=all_headers, stream=stream)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture(params=KINDS)
async def s3(request: pytest.FixtureRequest, server: Server, anyio_backend: str) -> AsyncIterator[Driver]:
    driver = Driver(request.param, transport=httpx.MockTransport(server), **OPTIONS)
    try:
        yield driver
    finally:
        await driver.aclose()


# -- independent oracles ----------------------------------------------------------------------------

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<akid>[^/]+)/(?P<scope>\d{8}/[^/]+/s3/aws4_request), "
    r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})"
)


def check_signature(request: httpx.Request) -> str:
    """The request's SigV4 signature equals the one botocore's S3 signer computes from what arrived
    at the transport (raw path, raw query, the signed headers); returns it (the chunk-signature seed)."""
    match = _AUTHORIZATION.fullmatch(request.headers["authorization"])
    assert match, request.headers["authorization"]
    date_time = request.headers["x-amz-date"]
    assert match["akid"] == ACCESS_KEY
    assert match["scope"] == f"{date_time[:8]}/{REGION}/s3/aws4_request"
    signed = match["signed"].split(";")
    assert set(request.headers) - set(signed) <= {"authorization", "user-agent", "content-length"}
    url = f"http://{request.headers['host']}{request.url.raw_path.decode('ascii')}"
    aws = AWSRequest(method=request.method, url=url, headers={name: request.headers[name] for name in signed})
    aws.context["timestamp"] = date_time
    signer = S3SigV4Auth(BotocoreCredentials(ACCESS_KEY, SECRET_KEY), "s3", REGION)
    expected: str = signer.signature(signer.string_to_sign(aws, signer.canonical_request(aws)), aws)
    assert match["signature"] == expected
    return expected


def decode_aws_chunked(body: bytes) -> list[tuple[bytes, str]]:
    """``<hex>;chunk-signature=<sig>\\r\\n<data>\\r\\n`` ... ending with a zero-length chunk."""
    chunks: list[tuple[bytes, str]] = []
    rest = body
    while True:
        header, sep, rest = rest.partition(b"\r\n")
        assert sep, "truncated chunk header"
        match = re.fullmatch(rb"([0-9a-f]+);chunk-signature=([0-9a-f]{64})", header)
        assert match, header
        size = int(match[1], 16)
        data, crlf, rest = rest[:size], rest[size : size + 2], rest[size + 2 :]
        assert crlf == b"\r\n" and len(data) == size
        chunks.append((data, match[2].decode()))
        if size == 0:
            assert rest == b"", "bytes after the final chunk"
            return chunks


def check_chunk_signatures(request: httpx.Request, seed: str) -> bytes:
    """Every chunk signature, chained from the request's, as AWS documents it
    (``AWS4-HMAC-SHA256-PAYLOAD``, date, scope, previous signature, hash of "", hash of the chunk);
    returns the decoded payload."""
    date_time = request.headers["x-amz-date"]
    scope = f"{date_time[:8]}/{REGION}/s3/aws4_request"
    key = f"AWS4{SECRET_KEY}".encode()
    for part in (date_time[:8], REGION, "s3", "aws4_request"):
        key = hmac.digest(key, part.encode(), "sha256")
    previous = seed
    chunks = decode_aws_chunked(request.content)
    for data, signature in chunks:
        text = f"AWS4-HMAC-SHA256-PAYLOAD\n{date_time}\n{scope}\n{previous}\n{EMPTY_SHA256}\n"
        text += hashlib.sha256(data).hexdigest()
        assert signature == hmac.new(key, text.encode(), "sha256").hexdigest()
        previous = signature
    assert all(data for data, _ in chunks[:-1]), "only the last chunk may be empty"
    return b"".join(data for data, _ in chunks)


def metadata_of(response: httpx.Response) -> dict[str, Any]:
    """``ResponseMetadata`` of a first-attempt response carrying x-amz-request-id and x-amz-id-2
    (§2.11: HTTPHeaders is the lower-cased header dict, as received)."""
    headers = response.headers
    return {
        "RequestId": headers["x-amz-request-id"],
        "HostId": headers["x-amz-id-2"],
        "HTTPStatusCode": response.status_code,
        "HTTPHeaders": dict(headers.items()),
        "RetryAttempts": 0,
    }


def crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


# -- the eight operations: the request on the wire and the result dict ------------------------------


@dataclass
class Case:
    """One call: what goes in, what the transport must see, what the server says, what comes back."""

    method: str
    params: dict[str, Any]
    http_method: str
    raw_path: str
    headers: dict[str, str]
    body: bytes = b""
    status: int = 200
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    result: dict[str, Any] = field(default_factory=dict)


IDS = {"x-amz-request-id": "REQ1", "x-amz-id-2": "HOST1"}
COMPLETE_XML = (
    b'<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    b'<Part><ETag>"e1"</ETag><PartNumber>1</PartNumber></Part>'
    b'<Part><PartNumber>2</PartNumber><ETag>"e&amp;2"</ETag></Part></CompleteMultipartUpload>'
)
CASES = [
    Case(
        "put_object",
        {
            "Bucket": BUCKET,
            "Key": KEY,
            "Body": b"hello world",
            "ContentType": "text/plain",
            "CacheControl": "no-cache",
            "Metadata": {"Color": "blue"},
            "ServerSideEncryption": "aws:kms",
            "SSEKMSKeyId": "key-1",
        },
        "PUT",
        RAW_KEY_PATH,
        {
            "content-type": "text/plain",
            "cache-control": "no-cache",
            "x-amz-meta-color": "blue",
            "x-amz-server-side-encryption": "aws:kms",
            "x-amz-server-side-encryption-aws-kms-key-id": "key-1",
        },
        b"hello world",
        response_headers={
            **IDS,
            "ETag": '"5eb63bbbe01eeed093cb22bb8f5acdc3"',
            "x-amz-server-side-encryption": "aws:kms",
            "x-amz-server-side-encryption-aws-kms-key-id": "key-1",
            "x-amz-version-id": "v1",
        },
        result={
            "ETag": '"5eb63bbbe01eeed093cb22bb8f5acdc3"',
            "ServerSideEncryption": "aws:kms",
            "SSEKMSKeyId": "key-1",
            "VersionId": "v1",
        },
    ),
    Case(
        "get_object",
        {
            "Bucket": BUCKET,
            "Key": KEY,
            "Range": "bytes=0-4",
            "IfNoneMatch": '"x"',
            "ResponseContentType": "text/html",
            "VersionId": "v 1/+",
            "SSECustomerAlgorithm": "AES256",
            "SSECustomerKey": SSE_C_KEY,
        },
        "GET",
        RAW_KEY_PATH + "?response-content-type=text%2Fhtml&versionId=v%201%2F%2B",
        {
            "range": "bytes=0-4",
            "if-none-match": '"x"',
            "x-amz-server-side-encryption-customer-algorithm": "AES256",
            "x-amz-server-side-encryption-customer-key": SSE_C_KEY_B64,
            "x-amz-server-side-encryption-customer-key-md5": SSE_C_KEY_MD5,
        },
        status=206,
        response_headers={
            **IDS,
            "Content-Range": "bytes 0-4/11",
            "Content-Type": "text/html",
            "Last-Modified": "Wed, 01 Jan 2020 00:00:00 GMT",
            "ETag": '"5eb63bbbe01eeed093cb22bb8f5acdc3"',
            "Accept-Ranges": "bytes",
            "Expires": "Thu, 01 Dec 1994 16:00:00 GMT",
            "x-amz-meta-color": "blue",
            "x-amz-server-side-encryption-customer-algorithm": "AES256",
            "x-amz-server-side-encryption-customer-key-MD5": SSE_C_KEY_MD5,
        },
        response_body=b"hello",
        result={
            "ContentRange": "bytes 0-4/11",
            "ContentType": "text/html",
            "ContentLength": 5,
            "LastModified": datetime.datetime(2020, 1, 1, tzinfo=UTC),
            "ETag": '"5eb63bbbe01eeed093cb22bb8f5acdc3"',
            "AcceptRanges": "bytes",
            "Expires": datetime.datetime(1994, 12, 1, 16, tzinfo=UTC),
            "ExpiresString": "Thu, 01 Dec 1994 16:00:00 GMT",
            "Metadata": {"color": "blue"},
            "SSECustomerAlgorithm": "AES256",
            "SSECustomerKeyMD5": SSE_C_KEY_MD5,
            "Body": b"hello",
        },
    ),
    Case(
        "head_object",
        {"Bucket": BUCKET, "Key": KEY, "IfMatch": '"e"', "ChecksumMode": "ENABLED", "PartNumber": 2},
        "HEAD",
        RAW_KEY_PATH + "?partNumber=2",
        {"if-match": '"e"', "x-amz-checksum-mode": "ENABLED"},
        response_headers={
            **IDS,
            "Content-Length": "11",
            "ETag": '"e-2"',
            "Last-Modified": "Wed, 01 Jan 2020 00:00:00 GMT",
            "x-amz-checksum-crc32": "DUoRhQ==",
            "x-amz-mp-parts-count": "2",
            "x-amz-missing-meta": "1",
            "x-amz-delete-marker": "false",
        },
        result={
            "ContentLength": 11,
            "ETag": '"e-2"',
            "LastModified": datetime.datetime(2020, 1, 1, tzinfo=UTC),
            "ChecksumCRC32": "DUoRhQ==",
            "PartsCount": 2,
            "MissingMeta": 1,
            "DeleteMarker": False,
            "Metadata": {},
        },
    ),
    Case(
        "copy_object",
        {
            "Bucket": BUCKET,
            "Key": KEY,
            "CopySource": {"Bucket": "src", "Key": "k y+1/é", "VersionId": "v 1+"},
            "CopySourceIfMatch": '"e"',
            "MetadataDirective": "REPLACE",
            "Metadata": {"a": "1"},
        },
        "PUT",
        RAW_KEY_PATH,
        {
            # §2.3: bucket/key percent-encoded with "/" safe, ?versionId= appended raw
            "x-amz-copy-source": "src/k%20y%2B1/%C3%A9?versionId=v 1+",
            "x-amz-copy-source-if-match": '"e"',
            "x-amz-metadata-directive": "REPLACE",
            "x-amz-meta-a": "1",
        },
        response_headers={**IDS, "x-amz-version-id": "v2", "x-amz-copy-source-version-id": "v 1+"},
        response_body=b'<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><LastModified>'
        b'2009-10-12T17:50:30.000Z</LastModified><ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyObjectResult>',
        result={
            "CopyObjectResult": {
                "LastModified": datetime.datetime(2009, 10, 12, 17, 50, 30, tzinfo=UTC),
                "ETag": '"9b2cf535f27731c974343645a3985328"',
            },
            "VersionId": "v2",
            "CopySourceVersionId": "v 1+",
        },
    ),
    Case(
        "create_multipart_upload",
        {
            "Bucket": BUCKET,
            "Key": KEY,
            "ContentType": "application/octet-stream",
            "Metadata": {"m": "v"},
            "ChecksumAlgorithm": "SHA256",
        },
        "POST",
        RAW_KEY_PATH + "?uploads",
        {"content-type": "application/octet-stream", "x-amz-meta-m": "v", "x-amz-checksum-algorithm": "SHA256"},
        response_headers={**IDS, "x-amz-checksum-algorithm": "SHA256"},
        response_body=b'<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        b"<Bucket>bkt</Bucket><Key>a/./b/../c+d %2B \xc3\xa9</Key><UploadId>VXBsb2FkIElE+/=</UploadId>"
        b"</InitiateMultipartUploadResult>",
        result={"Bucket": "bkt", "Key": KEY, "UploadId": "VXBsb2FkIElE+/=", "ChecksumAlgorithm": "SHA256"},
    ),
    Case(
        "upload_part",
        {
            "Bucket": BUCKET,
            "Key": KEY,
            "PartNumber": 2,
            "UploadId": "VXBsb2FkIElE+/=",
            "Body": b"part two",
            "ContentMD5": base64.b64encode(hashlib.md5(b"part two").digest()).decode(),
        },
        "PUT",
        RAW_KEY_PATH + "?partNumber=2&uploadId=VXBsb2FkIElE%2B%2F%3D",
        {"content-md5": base64.b64encode(hashlib.md5(b"part two").digest()).decode()},
        b"part two",
        response_headers={**IDS, "ETag": '"e2"'},
        result={"ETag": '"e2"'},
    ),
    Case(
        "upload_part_copy",
        {
            "Bucket": BUCKET,
            "Key": KEY,
            "PartNumber": 3,
            "UploadId": "VXBsb2FkIElE+/=",
            "CopySource": "src/k?versionId=v1",
            "CopySourceRange": "bytes=0-9",
        },
        "PUT",
        RAW_KEY_PATH + "?partNumber=3&uploadId=VXBsb2FkIElE%2B%2F%3D",
        {"x-amz-copy-source": "src/k?versionId=v1", "x-amz-copy-source-range": "bytes=0-9"},
        response_headers={**IDS, "x-amz-copy-source-version-id": "v1"},
        response_body=b'<CopyPartResult><ETag>"e3"</ETag><LastModified>2024-01-02T03:04:05.000Z</LastModified>'
        b"</CopyPartResult>",
        result={
            "CopyPartResult": {"ETag": '"e3"', "LastModified": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)},
            "CopySourceVersionId": "v1",
        },
    ),
    Case(
        "complete_multipart_upload",
        {
            "Bucket": BUCKET,
            "Key": KEY,
            "UploadId": "abc",
            "MultipartUpload": {"Parts": [{"ETag": '"e1"', "PartNumber": 1}, {"PartNumber": 2, "ETag": '"e&2"'}]},
        },
        "POST",
        RAW_KEY_PATH + "?uploadId=abc",
        {},
        COMPLETE_XML,
        response_headers={**IDS, "x-amz-version-id": "v3"},
        response_body=b"<CompleteMultipartUploadResult><Location>http://bkt.s3.test/k</Location><Bucket>bkt</Bucket>"
        b'<Key>k</Key><ETag>"abc-2"</ETag></CompleteMultipartUploadResult>',
        result={
            "Location": "http://bkt.s3.test/k",
            "Bucket": "bkt",
            "Key": "k",
            "ETag": '"abc-2"',
            "VersionId": "v3",
        },
    ),
]


def test_cases_cover_the_eight_operations() -> None:
    assert sorted(case.method for case in CASES) == sorted(
        ["put_object", "get_object", "head_object", "copy_object", "create_multipart_upload", "upload_part"]
        + ["upload_part_copy", "complete_multipart_upload"]
    )


@pytest.mark.parametrize("case", CASES, ids=[case.method for case in CASES])
async def test_request_on_the_wire_and_result(s3: Driver, server: Server, case: Case) -> None:
    server.reply(case.status, case.response_headers, case.response_body)
    result = await s3.call(case.method, **case.params)

    request = server.last
    assert len(server.requests) == 1
    assert request.method == case.http_method
    assert request.url.raw_path.decode("ascii") == case.raw_path
    with_body = case.http_method in ("PUT", "POST")
    expected_names = BASE_HEADERS | set(case.headers) | ({"content-length"} if with_body else set())
    assert set(request.headers) == expected_names
    for name, value in case.headers.items():
        assert request.headers[name] == value, name
    assert request.headers["host"] == HOST
    assert request.content == case.body
    if with_body:
        assert request.headers["content-length"] == str(len(case.body))
    assert request.headers["x-amz-content-sha256"] == hashlib.sha256(case.body).hexdigest()
    check_signature(request)

    if "Body" in result:
        result["Body"] = await s3.read(result["Body"])
    metadata = result.pop("ResponseMetadata")
    assert result == case.result
    assert metadata == metadata_of(server.responses[-1])


async def test_metadata_names_keep_their_case_on_the_wire(s3: Driver, server: Server) -> None:
    """§1.1: "each entry k->v becomes header x-amz-meta-<k> with k's case preserved (signed lowercased)"."""
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=b"", Metadata={"CamelCase": "v"})
    assert (b"x-amz-meta-CamelCase", b"v") in server.last.headers.raw
    check_signature(server.last)


async def test_metadata_keys_come_back_as_received(s3: Driver, server: Server) -> None:
    server.reply(200, {"x-amz-meta-CamelCase": "v"})
    assert (await s3.call("head_object", Bucket=BUCKET, Key="k"))["Metadata"] == {"CamelCase": "v"}


# -- GetObject's body: streamed, lazily ------------------------------------------------------------


async def test_body_is_pulled_lazily(s3: Driver, server: Server) -> None:
    stream = Chunks(b"abc", b"def", b"ghi")
    server.stream(stream)
    result = await s3.call("get_object", Bucket=BUCKET, Key="k")
    assert stream.pulled == 0, "GetObject returned after reading the body"
    body = result["Body"]
    assert await s3.read(body, 2) == b"ab"
    assert stream.pulled == 1
    assert await s3.read(body, 2) == b"cd"
    assert stream.pulled == 2
    assert not stream.closed
    assert await s3.read(body) == b"efghi"
    assert stream.closed, "the response is released once the body is exhausted"
    assert await s3.read(body) == b""
    assert await s3.read(body, 5) == b""


CHUNKED = (b"on", b"e\ntw", b"o\r", b"\n\nthr", b"ee\rfour\n", b"", b"x" * 3000, b"\n\n")


@pytest.mark.parametrize("chunk_size", [1, 4, 1024])
async def test_iter_chunks_as_botocore(s3: Driver, server: Server, chunk_size: int) -> None:
    server.stream(Chunks(*CHUNKED))
    body = (await s3.call("get_object", Bucket=BUCKET, Key="k"))["Body"]
    oracle = BotocoreStreamingBody(io.BytesIO(b"".join(CHUNKED)), len(b"".join(CHUNKED)))
    assert await s3.collect(body, "iter_chunks", chunk_size=chunk_size) == list(oracle.iter_chunks(chunk_size))


@pytest.mark.parametrize("keepends", [False, True])
@pytest.mark.parametrize("chunk_size", [1, 3, 1024])
async def test_iter_lines_as_botocore(s3: Driver, server: Server, chunk_size: int, keepends: bool) -> None:
    server.stream(Chunks(*CHUNKED))
    body = (await s3.call("get_object", Bucket=BUCKET, Key="k"))["Body"]
    oracle = BotocoreStreamingBody(io.BytesIO(b"".join(CHUNKED)), len(b"".join(CHUNKED)))
    expected = list(oracle.iter_lines(chunk_size, keepends))
    assert await s3.collect(body, "iter_lines", chunk_size=chunk_size, keepends=keepends) == expected


async def test_close_releases_the_response(s3: Driver, server: Server) -> None:
    stream = Chunks(b"abc", b"def")
    server.stream(stream)
    body = (await s3.call("get_object", Bucket=BUCKET, Key="k"))["Body"]
    assert await s3.read(body, 1) == b"a"
    await s3.close_body(body)
    assert stream.closed
    assert stream.pulled == 1


async def test_context_manager_closes(s3: Driver, server: Server) -> None:
    stream = Chunks(b"abc", b"def")
    server.stream(stream)
    result = await s3.call("get_object", Bucket=BUCKET, Key="k")
    async with s3.opened(result["Body"]) as body:
        assert body is result["Body"]
        assert await s3.read(body, 4) == b"abcd"
        assert not stream.closed
    assert stream.closed


async def test_short_body_is_an_incomplete_read(s3: Driver, server: Server) -> None:
    server.stream(Chunks(b"abc", b"def"), {"content-length": "10"})
    body = (await s3.call("get_object", Bucket=BUCKET, Key="k"))["Body"]
    assert await s3.read(body, 4) == b"abcd", "nothing is wrong until the end is reached"
    with pytest.raises(s3lite.IncompleteReadError) as caught:
        await s3.read(body)
    assert (caught.value.actual_bytes, caught.value.expected_bytes) == (6, 10)
    assert isinstance(caught.value, s3lite.S3LiteError)


async def test_short_body_through_iter_chunks(s3: Driver, server: Server) -> None:
    server.stream(Chunks(b"abc"), {"content-length": "4"})
    body = (await s3.call("get_object", Bucket=BUCKET, Key="k"))["Body"]
    with pytest.raises(s3lite.IncompleteReadError):
        await s3.collect(body, "iter_chunks", chunk_size=2)


async def test_a_failed_body_stays_failed(s3: Driver, server: Server) -> None:
    """What was buffered before a failure is never handed out later as if the body had ended well."""
    server.stream(Chunks(b"abc", b"def"), {"content-length": "10"})
    body = (await s3.call("get_object", Bucket=BUCKET, Key="k"))["Body"]
    for _ in range(3):
        with pytest.raises(s3lite.IncompleteReadError):
            await s3.read(body, 8)


async def test_negative_amount_reads_everything(s3: Driver, server: Server) -> None:
    server.stream(Chunks(b"hello", b" world"))
    body = (await s3.call("get_object", Bucket=BUCKET, Key="k"))["Body"]
    assert await s3.read(body, 3) == b"hel"
    assert await s3.read(body, -1) == b"lo world"
    assert await s3.read(body) == b""


async def test_reading_a_closed_body_is_an_error(s3: Driver, server: Server) -> None:
    server.stream(Chunks(b"abc", b"def"))
    body = (await s3.call("get_object", Bucket=BUCKET, Key="k"))["Body"]
    assert await s3.read(body, 1) == b"a"
    await s3.close_body(body)
    assert body.closed
    with pytest.raises(s3lite.BodyClosedError):
        await s3.read(body)


async def test_readlines_keeps_line_endings(s3: Driver, server: Server) -> None:
    server.stream(Chunks(b"one\ntw", b"o\r\nthree"))
    body = (await s3.call("get_object", Bucket=BUCKET, Key="k"))["Body"]
    assert body.readable()
    lines = await s3._run(body.readlines)
    assert lines == [b"one\n", b"two\r\n", b"three"]


async def test_a_non_ascii_checksum_header_is_a_mismatch(s3: Driver, server: Server) -> None:
    server.stream(Chunks(b"data"), {"x-amz-checksum-crc32": "\xe9\xe9\xe9\xe9".encode("latin-1")})
    body = (await s3.call("get_object", Bucket=BUCKET, Key="k", ChecksumMode="ENABLED"))["Body"]
    with pytest.raises(s3lite.ChecksumMismatchError):
        await s3.read(body)


DATA = b"checksummed body\n" * 100


async def test_checksum_mode_enabled_matching(s3: Driver, server: Server) -> None:
    server.stream(Chunks(DATA[:700], DATA[700:]), {"x-amz-checksum-crc32": crc32_b64(DATA)})
    result = await s3.call("get_object", Bucket=BUCKET, Key="k", ChecksumMode="ENABLED")
    assert server.last.headers["x-amz-checksum-mode"] == "ENABLED"
    assert result["ChecksumCRC32"] == crc32_b64(DATA)
    assert b"".join(await s3.collect(result["Body"], "iter_chunks", chunk_size=256)) == DATA


async def test_checksum_mode_enabled_mismatch(s3: Driver, server: Server) -> None:
    server.stream(Chunks(DATA[:700], DATA[700:]), {"x-amz-checksum-crc32": crc32_b64(DATA + b"!")})
    body = (await s3.call("get_object", Bucket=BUCKET, Key="k", ChecksumMode="ENABLED"))["Body"]
    assert await s3.read(body, 10) == DATA[:10], "checked when the stream ends, not at call time"
    with pytest.raises(s3lite.ChecksumMismatchError):
        await s3.read(body)


async def test_checksum_not_checked_unless_asked(s3: Driver, server: Server) -> None:
    """With ``when_required`` (s3lite's only mode) botocore validates only when ChecksumMode=ENABLED."""
    server.stream(Chunks(DATA), {"x-amz-checksum-crc32": crc32_b64(b"something else")})
    body = (await s3.call("get_object", Bucket=BUCKET, Key="k"))["Body"]
    assert "x-amz-checksum-mode" not in server.last.headers
    assert await s3.read(body) == DATA


# -- streaming uploads: signed aws-chunked ----------------------------------------------------------


def check_aws_chunked(request: httpx.Request, payload: bytes) -> None:
    assert request.headers["content-encoding"] == "aws-chunked"
    assert request.headers["x-amz-content-sha256"] == STREAMING
    assert request.headers["x-amz-decoded-content-length"] == str(len(payload))
    assert request.headers["content-length"] == str(len(request.content))
    assert "transfer-encoding" not in request.headers
    seed = check_signature(request)
    assert check_chunk_signatures(request, seed) == payload


@pytest.fixture
def payload_file(tmp_path: Path) -> Path:
    path = tmp_path / "payload.bin"
    path.write_bytes(PAYLOAD)
    return path


@pytest.fixture(params=KINDS)
async def chunked(request: pytest.FixtureRequest, server: Server, anyio_backend: str) -> AsyncIterator[Driver]:
    """A client that frames files as aws-chunked too (by default a file is sent as it is, signed with its
    SHA-256: tests/test_upload_strategy.py)."""
    driver = Driver(request.param, transport=httpx.MockTransport(server), upload_signing="aws-chunked", **OPTIONS)
    try:
        yield driver
    finally:
        await driver.aclose()


def pieces(data: bytes, size: int) -> Iterator[bytes]:
    """``data`` in ``size``-byte pieces, as a generator (one pass, length unknown to the client)."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_streamed_upload_from_file(chunked: Driver, server: Server, payload_file: Path) -> None:
    with payload_file.open("rb") as file:
        await chunked.call("put_object", Bucket=BUCKET, Key=KEY, Body=file, ContentType="application/x-test")
    assert server.last.url.raw_path.decode() == RAW_KEY_PATH
    assert server.last.headers["content-type"] == "application/x-test"
    check_aws_chunked(server.last, PAYLOAD)


async def test_streamed_upload_from_file_position(chunked: Driver, server: Server, payload_file: Path) -> None:
    """A file is sent from where it stands (as botocore, which reads from the current position)."""
    with payload_file.open("rb") as file:
        file.seek(1000)
        await chunked.call("put_object", Bucket=BUCKET, Key="k", Body=file)
    check_aws_chunked(server.last, PAYLOAD[1000:])


async def test_streamed_upload_from_bytesio(chunked: Driver, server: Server) -> None:
    await chunked.call("put_object", Bucket=BUCKET, Key="k", Body=io.BytesIO(PAYLOAD))
    check_aws_chunked(server.last, PAYLOAD)


@pytest.mark.parametrize("size", [1, 7919, 300_000])
async def test_streamed_upload_from_iterator(s3: Driver, server: Server, size: int) -> None:
    data = PAYLOAD if size > 1 else PAYLOAD[:5000]
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=pieces(data, size), ContentLength=len(data))
    check_aws_chunked(server.last, data)


async def test_streamed_upload_part(chunked: Driver, server: Server) -> None:
    await chunked.call("upload_part", Bucket=BUCKET, Key=KEY, PartNumber=1, UploadId="u+1", Body=io.BytesIO(PAYLOAD))
    assert server.last.url.raw_path.decode() == RAW_KEY_PATH + "?partNumber=1&uploadId=u%2B1"
    check_aws_chunked(server.last, PAYLOAD)


async def test_streamed_upload_from_async_iterator(server: Server, anyio_backend: str) -> None:
    """AsyncClient only: the sync client refuses async iterators (below)."""
    driver = Driver("async", transport=httpx.MockTransport(server), **OPTIONS)
    await driver.call(
        "put_object", Bucket=BUCKET, Key="k", Body=async_chunks(pieces(PAYLOAD, 65536)), ContentLength=len(PAYLOAD)
    )
    await driver.aclose()
    check_aws_chunked(server.last, PAYLOAD)


async def test_empty_stream_is_an_empty_body(s3: Driver, server: Server) -> None:
    await s3.call("put_object", Bucket=BUCKET, Key="k", Body=io.BytesIO(b""))
    assert server.last.content == b""
    assert server.last.headers["content-length"] == "0"
    assert server.last.headers["x-amz-content-sha256"] == EMPTY_SHA256
    check_signature(server.last)


# -- bodies that cannot be sent: refused before anything goes out -----------------------------------


async def test_text_mode_file_is_refused(s3: Driver, server: Server, payload_file: Path) -> None:
    with payload_file.open("r", encoding="latin-1") as file, pytest.raises(s3lite.ParamValidationError, match="binary"):
        await s3.call("put_object", Bucket=BUCKET, Key="k", Body=file)
    with pytest.raises(s3lite.ParamValidationError):
        await s3.call("upload_part", Bucket=BUCKET, Key="k", PartNumber=1, UploadId="u", Body=io.StringIO("text"))
    assert server.requests == []


async def test_iterator_of_unknown_length_is_refused(s3: Driver, server: Server) -> None:
    with pytest.raises(s3lite.ParamValidationError, match="ContentLength"):
        await s3.call("put_object", Bucket=BUCKET, Key="k", Body=pieces(b"abc", 1))
    assert server.requests == []


async def test_body_of_the_wrong_type_is_refused(s3: Driver, server: Server) -> None:
    with pytest.raises(s3lite.ParamValidationError):
        await s3.call("put_object", Bucket=BUCKET, Key="k", Body=12345)
    assert server.requests == []


async def test_sync_client_refuses_async_iterator(server: Server, anyio_backend: str) -> None:
    driver = Driver("sync", transport=httpx.MockTransport(server), **OPTIONS)
    with pytest.raises(s3lite.ParamValidationError, match="AsyncClient"):
        await driver.call("put_object", Bucket=BUCKET, Key="k", Body=async_chunks([b"abc"]), ContentLength=3)
    await driver.aclose()
    assert server.requests == []


@pytest.mark.parametrize("sent", [b"ab", b"abcd"])
async def test_iterator_length_must_match_content_length(s3: Driver, server: Server, sent: bytes) -> None:
    """A stream that yields fewer or more bytes than ContentLength would send a corrupt object."""
    with pytest.raises(s3lite.ParamValidationError, match="ContentLength"):
        await s3.call("put_object", Bucket=BUCKET, Key="k", Body=pieces(sent, 1), ContentLength=3)


# -- errors -----------------------------------------------------------------------------------------

NO_SUCH_KEY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
    b"<Message>The specified key does not exist.</Message><Key>k</Key>"
    b"<RequestId>BODYREQ</RequestId><HostId>BODYHOST</HostId></Error>"
)


async def test_no_such_key(s3: Driver, server: Server) -> None:
    headers = {**IDS, "Content-Type": "application/xml"}
    server.reply(404, headers, NO_SUCH_KEY)
    with pytest.raises(s3lite.NoSuchKey) as caught:
        await s3.call("get_object", Bucket=BUCKET, Key="k")
    error = caught.value
    assert isinstance(error, s3lite.ClientError) and isinstance(error, s3lite.S3LiteError)
    assert error.operation_name == "GetObject"
    # §2.11: RequestId/HostId elements of the body are dropped; the metadata comes from the headers
    assert error.response == {
        "Error": {"Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": "k"},
        "ResponseMetadata": metadata_of(server.responses[-1]),
    }
    assert str(error) == (
        "An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist."
    )
    assert len(server.requests) == 1, "a 404 is not retried"


async def test_head_404_has_the_status_as_its_code(s3: Driver, server: Server) -> None:
    server.reply(404, {"content-length": "0"})
    with pytest.raises(s3lite.ClientError) as caught:
        await s3.call("head_object", Bucket=BUCKET, Key="k")
    assert type(caught.value) is s3lite.ClientError
    assert caught.value.response == {
        "Error": {"Code": "404", "Message": "Not Found"},
        "ResponseMetadata": {
            "RequestId": "",
            "HostId": "",
            "HTTPStatusCode": 404,
            "HTTPHeaders": {"content-length": "0"},
            "RetryAttempts": 0,
        },
    }


@pytest.mark.parametrize(
    ("status", "content", "code", "message"),
    [
        (304, b"", "304", "Not Modified"),
        (
            412,
            (
                b"<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified "
                b"did not hold</Message><Condition>If-Match</Condition></Error>"
            ),
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold",
        ),
    ],
)
async def test_conditional_get_errors(
    s3: Driver, server: Server, status: int, content: bytes, code: str, message: str
) -> None:
    server.reply(status, IDS, content)
    with pytest.raises(s3lite.ClientError) as caught:
        await s3.call("get_object", Bucket=BUCKET, Key="k", IfMatch='"e"')
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["Error"]["Message"] == message
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert len(server.requests) == 1
