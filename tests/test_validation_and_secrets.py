"""Bad input is refused before any byte is sent, naming what was wrong; secrets never leak."""

from __future__ import annotations

import base64
import io
import logging
import traceback
from typing import Any

import httpx
import pytest

import s3lite
from s3lite import Endpoint, serialize

ENDPOINT = Endpoint.from_url("http://127.0.0.1:9000")
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN"
SSE_KEY = "0123456789abcdef0123456789abcdef"
SSE_KEY_B64 = base64.b64encode(SSE_KEY.encode()).decode()


def _refused(operation: str, params: dict[str, Any]) -> str:
    with pytest.raises(s3lite.ParamValidationError) as caught:
        serialize(operation, params, endpoint=ENDPOINT)
    return str(caught.value)


def test_unknown_parameter_names_the_closest_valid_one() -> None:
    message = _refused("PutObject", {"Bukcet": "b", "Key": "k"})
    assert 'Unknown parameter in input: "Bukcet" (did you mean "Bucket"?)' in message
    assert 'Missing required parameter in input: "Bucket"' in message


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("GetObject", {"Bucket": "b"}, 'Missing required parameter in input: "Key"'),
        ("GetObject", {"Bucket": "b", "Key": 5}, "Invalid type for parameter Key, type: int"),
        ("GetObject", {"Bucket": "b", "Key": ""}, "Invalid length for parameter Key"),
        ("GetObject", {"Bucket": "b", "Key": "k", "Range": None}, "Invalid type for parameter Range, type: NoneType"),
        (
            "UploadPart",
            {"Bucket": "b", "Key": "k", "UploadId": "u", "PartNumber": "1"},
            "parameter PartNumber, type: str",
        ),
        (
            "UploadPart",
            {"Bucket": "b", "Key": "k", "UploadId": "u", "PartNumber": True},
            "parameter PartNumber, type: bool",
        ),
        ("UploadPart", {"Bucket": "b", "Key": "k", "UploadId": "u", "PartNumber": 0}, "PartNumber: must be 1 to 10000"),
        (
            "UploadPartCopy",
            {"Bucket": "b", "Key": "k", "UploadId": "u", "PartNumber": 10001, "CopySource": "a/b"},
            "must be 1 to 10000",
        ),
        ("PutObject", {"Bucket": "b", "Key": "k", "BucketKeyEnabled": "true"}, "parameter BucketKeyEnabled, type: str"),
        ("PutObject", {"Bucket": "b", "Key": "k", "Expires": "not a date"}, "Invalid timestamp for parameter Expires"),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "Metadata": {"k": "vé"}},
            "Non ascii characters found in S3 metadata",
        ),
        ("PutObject", {"Bucket": "b", "Key": "k", "Metadata": {"bad key": "v"}}, "cannot be part of a header name"),
        ("PutObject", {"Bucket": "b", "Key": "k", "Metadata": {"k": "a\r\nX-Evil: 1"}}, "no CR, LF"),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "ContentType": "text/plain\r\nX-Evil: 1"},
            "parameter ContentType: header values",
        ),
        ("PutObject", {"Bucket": "b", "Key": "k", "CacheControl": "max-age=1\x00"}, "parameter CacheControl"),
        ("PutObject", {"Bucket": "b", "Key": "k", "ContentDisposition": "é"}, "no non-ASCII text"),
        ("PutObject", {"Bucket": "bad/bucket", "Key": "k"}, 'Invalid bucket name "bad/bucket"'),
        ("PutObject", {"Bucket": "", "Key": "k"}, "Invalid bucket name"),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "ChecksumAlgorithm": "CRC64NVME", "Body": b"x"},
            "Unsupported ChecksumAlgorithm",
        ),
        (
            "CopyObject",
            {"Bucket": "b", "Key": "k", "CopySource": {"Bucket": "a"}},
            'Missing required parameter in CopySource: "Key"',
        ),
        ("CopyObject", {"Bucket": "b", "Key": "k", "CopySource": 3}, "parameter CopySource, type: int"),
        (
            "CompleteMultipartUpload",
            {
                "Bucket": "b",
                "Key": "k",
                "UploadId": "u",
                "MultipartUpload": {"Parts": [{"ETag": None, "PartNumber": 1}]},
            },
            "Invalid type for parameter MultipartUpload.Parts[0].ETag, type: NoneType",
        ),
        (
            "CompleteMultipartUpload",
            {"Bucket": "b", "Key": "k", "UploadId": "u", "MultipartUpload": {"Parts": [{"PartNumber": 0}]}},
            "MultipartUpload.Parts[0].PartNumber: must be 1 to 10000",
        ),
        (
            "CompleteMultipartUpload",
            {"Bucket": "b", "Key": "k", "UploadId": "u", "MultipartUpload": {"Parts": [{"Etag": "x"}]}},
            'Unknown parameter in MultipartUpload.Parts[0]: "Etag"',
        ),
    ],
)
def test_bad_parameters_are_reported_by_name(operation: str, params: dict[str, Any], expected: str) -> None:
    assert expected in _refused(operation, params)


BUCKET_RULE = 'Bucket name must match the regex "^[a-zA-Z0-9.\\-_]{1,255}$"'
HEADER_TEXT = "header values must be printable ASCII (no CR, LF or other control characters, no non-ASCII text)"
CPU = {"Bucket": "b", "Key": "k", "UploadId": "u"}


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("PutObject", {"Bucket": "a" * 256, "Key": "k"}, f'Invalid bucket name "{"a" * 256}": {BUCKET_RULE}'),
        ("PutObject", {"Bucket": "b\n", "Key": "k"}, f'Invalid bucket name "b\n": {BUCKET_RULE}'),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "CacheControl": "a\x7fb"},
            f"Invalid value for parameter CacheControl: {HEADER_TEXT}",
        ),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "Metadata": {"a:b": "v"}},
            "Invalid key in parameter Metadata: 'a:b' cannot be part of a header name",
        ),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "Metadata": [("a", "b")]},
            "Invalid type for parameter Metadata, type: list, valid types: dict",
        ),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "Metadata": {"a": 1}},
            "Invalid type for parameter Metadata: keys and values must be str",
        ),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "Metadata": {"ké": "v"}},
            (
                "Non ascii characters found in S3 metadata for key 'k?', value: <hidden>. "
                "S3 metadata can only contain ASCII characters."
            ),
        ),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "ObjectLockEventHoldDurationDays": 2**63},
            "Invalid value for parameter ObjectLockEventHoldDurationDays: out of range for a 64-bit integer",
        ),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "ObjectLockEventHoldDurationDays": -(2**63) - 1},
            "Invalid value for parameter ObjectLockEventHoldDurationDays: out of range for a 64-bit integer",
        ),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "WriteOffsetBytes": -1},
            "Invalid value for parameter WriteOffsetBytes: must not be negative",
        ),
        (
            "CompleteMultipartUpload",
            {**CPU, "MpuObjectSize": -1},
            "Invalid value for parameter MpuObjectSize: must not be negative",
        ),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "Expires": True},
            "Invalid type for parameter Expires, type: bool, valid types: datetime, int, float, str",
        ),
        (
            "PutObject",
            {"Bucket": "b", "Key": "k", "Expires": [1]},
            "Invalid type for parameter Expires, type: list, valid types: datetime, int, float, str",
        ),
        (
            "CopyObject",
            {"Bucket": "b", "Key": "k", "CopySource": ""},
            "Invalid value for parameter CopySource: must not be empty",
        ),
        (
            "CopyObject",
            {"Bucket": "b", "Key": "k", "CopySource": "a/\ud800"},
            "Invalid value for parameter CopySource: not encodable as UTF-8",
        ),
        (
            "CopyObject",
            {"Bucket": "b", "Key": "k", "CopySource": {"Bucket": "a", "Key": "k", "Region": "x"}},
            'Unknown parameter in CopySource: "Region", must be one of: Bucket, Key, VersionId',
        ),
        (
            "CopyObject",
            {"Bucket": "b", "Key": "k", "CopySource": {"Bucket": "", "Key": "k"}},
            "Invalid value for parameter CopySource.Bucket: expected a non-empty str",
        ),
        (
            "CopyObject",
            {"Bucket": "b", "Key": "k", "CopySource": {"Bucket": 1, "Key": "k"}},
            "Invalid value for parameter CopySource.Bucket: expected a non-empty str",
        ),
        (
            "CopyObject",
            {"Bucket": "b", "Key": "k", "CopySource": {"Bucket": "a", "Key": "\ud800"}},
            "Invalid value for parameter CopySource.Key: expected a non-empty str",
        ),
        (
            "CompleteMultipartUpload",
            {**CPU, "MultipartUpload": []},
            "Invalid type for parameter MultipartUpload, type: list, valid types: dict",
        ),
        (
            "CompleteMultipartUpload",
            {**CPU, "MultipartUpload": {"Parts": [], "Other": 1}},
            'Unknown parameter in MultipartUpload: "Other", must be one of: Parts',
        ),
        (
            "CompleteMultipartUpload",
            {**CPU, "MultipartUpload": {"Parts": "x"}},
            "Invalid type for parameter MultipartUpload.Parts, type: str, valid types: list",
        ),
        (
            "CompleteMultipartUpload",
            {**CPU, "MultipartUpload": {"Parts": [5]}},
            "Invalid type for parameter MultipartUpload.Parts[0], type: int, valid types: dict",
        ),
        (
            "CompleteMultipartUpload",
            {**CPU, "MultipartUpload": {"Parts": [{"ETag": "e", "PartNumber": 10001}]}},
            "Invalid value for parameter MultipartUpload.Parts[0].PartNumber: must be 1 to 10000",
        ),
    ],
    ids=[
        "bucket-256",
        "bucket-final-newline",
        "header-del",
        "metadata-colon-key",
        "metadata-not-dict",
        "metadata-int-value",
        "metadata-non-ascii-key",
        "int-above-64-bit",
        "int-below-64-bit",
        "negative-write-offset",
        "negative-mpu-size",
        "timestamp-bool",
        "timestamp-list",
        "copy-source-empty",
        "copy-source-surrogate",
        "copy-source-unknown-key",
        "copy-source-empty-bucket",
        "copy-source-int-bucket",
        "copy-source-surrogate-key",
        "upload-not-dict",
        "upload-unknown-key",
        "parts-not-list",
        "part-not-dict",
        "part-number-10001",
    ],
)
def test_each_check_reports_exactly_its_problem(operation: str, params: dict[str, Any], expected: str) -> None:
    """One problem, one line: the whole report is compared, so a check that is dropped (and a later one,
    or a crash, takes its place) fails."""
    assert _refused(operation, params) == f"Parameter validation failed:\n{expected}"


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("PutObject", {"Bucket": "a" * 255, "Key": "k"}),
        ("PutObject", {"Bucket": "my.bucket_name-1", "Key": "k"}),
        ("PutObject", {"Bucket": "b", "Key": "k", "CacheControl": "a\tb c"}),  # RFC 9110: tab and space are field text
        ("PutObject", {"Bucket": "b", "Key": "k", "ObjectLockEventHoldDurationDays": 2**63 - 1}),
        ("PutObject", {"Bucket": "b", "Key": "k", "ObjectLockEventHoldDurationYears": -(2**63)}),
        ("PutObject", {"Bucket": "b", "Key": "k", "WriteOffsetBytes": 0}),
        ("UploadPart", {**CPU, "PartNumber": 10000}),
        ("UploadPart", {**CPU, "PartNumber": 1}),
        ("CompleteMultipartUpload", {**CPU, "MultipartUpload": {"Parts": [{"ETag": "e", "PartNumber": 10000}]}}),
        ("CompleteMultipartUpload", {**CPU, "MultipartUpload": {"Parts": [{"ETag": "e", "PartNumber": 1}]}}),
    ],
    ids=[
        "bucket-255",
        "bucket-charset",
        "header-tab",
        "int-max",
        "int-min",
        "zero-offset",
        "part-10000",
        "part-1",
        "parts-10000",
        "parts-1",
    ],
)
def test_values_at_the_limits_are_accepted(operation: str, params: dict[str, Any]) -> None:
    serialize(operation, params, endpoint=ENDPOINT)


def test_all_problems_are_reported_at_once() -> None:
    message = _refused("PutObject", {"Bucket": "b/", "Key": 1, "ContentLength": "3", "Nope": 1})
    assert message.count("\n") >= 4


class _AsyncFile:
    """What anyio.open_file and aiofiles give: async read, async iteration."""

    async def read(self, size: int = -1) -> bytes:
        return b""

    def __aiter__(self) -> Any:
        return self

    async def __anext__(self) -> bytes:
        raise StopAsyncIteration


def _counting_client(calls: list[httpx.Request]) -> s3lite.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200)

    return s3lite.Client(
        endpoint_url="http://127.0.0.1:9000",
        region_name="us-east-1",
        aws_access_key_id="AKID",
        aws_secret_access_key=SECRET_KEY,
        transport=httpx.MockTransport(handler),
    )


@pytest.mark.parametrize(
    "params",
    [
        {"Bucket": "b", "Key": "k", "Body": open(__file__, encoding="utf-8")},  # noqa: SIM115 - text mode on purpose
        {"Bucket": "b", "Key": "k", "Body": iter([b"x"])},
        {"Bucket": "b", "Key": "k", "Body": 42},
        {"Bucket": "b", "Key": "k", "Metadata": {"a": "b\nc"}},
        {"Bucket": "b", "Key": "k", "ContentLength": "1", "Body": iter([b"x"])},
        {"Bucket": "b", "Key": "k", "ContentLength": -1, "Body": iter([b"x"])},
        {"Bucket": "b", "Key": "k", "ContentLength": 10, "Body": b"abc"},
        {"Bucket": "b", "Key": "k", "Body": _AsyncFile()},
    ],
    ids=[
        "text-file",
        "no-length",
        "int-body",
        "metadata-lf",
        "str-length",
        "negative-length",
        "wrong-length",
        "async-file",
    ],
)
def test_nothing_is_sent_for_bad_input(params: dict[str, Any]) -> None:
    calls: list[httpx.Request] = []
    with _counting_client(calls) as client, pytest.raises(s3lite.ParamValidationError):
        client.put_object(**params)
    assert calls == []
    body = params.get("Body")
    if hasattr(body, "close"):
        body.close()


class _TextModeReader:
    """A file-like object that is not an io.TextIOBase but says it is open in text mode."""

    mode = "r"

    def read(self, size: int = -1) -> str:
        return ""


class _AsyncReaderIterable:
    """aiofiles' shape: async read and async iteration, no async context manager."""

    async def read(self, size: int = -1) -> bytes:
        return b""

    def __aiter__(self) -> Any:
        return self

    async def __anext__(self) -> bytes:
        raise StopAsyncIteration


class _AsyncReaderContext:
    """The other shape (an anyio-style async file used as a context manager), no async iteration."""

    async def read(self, size: int = -1) -> bytes:
        return b""

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


def _at(data: bytes, offset: int) -> io.BytesIO:
    body = io.BytesIO(data)
    body.seek(offset)
    return body


TEXT_FILE = "Invalid value for parameter Body: a text-mode file; open it in binary mode ('rb')"
ASYNC_FILE = (
    "Invalid type for parameter Body: an async file object (anyio, aiofiles); pass a binary file, "
    "whose reads AsyncClient runs in a worker thread, or an async iterator of bytes with ContentLength"
)
BODY_TYPES = "valid types: bytes, bytearray, memoryview, str, binary file, iterator of bytes"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"Body": io.StringIO("abc")}, TEXT_FILE),
        ({"Body": _TextModeReader()}, TEXT_FILE),
        ({"Body": _AsyncReaderIterable()}, ASYNC_FILE),
        ({"Body": _AsyncReaderContext()}, ASYNC_FILE),
        (
            {"Body": io.BytesIO(b"abc"), "ContentLength": 4},
            "Invalid value for parameter ContentLength: 4 is more than the 3 bytes left in Body",
        ),
        (
            {"Body": _at(b"abc", 1), "ContentLength": 3},
            "Invalid value for parameter ContentLength: 3 is more than the 2 bytes left in Body",
        ),
        (
            {"Body": io.BytesIO(b"abc"), "ContentLength": -1},
            "Invalid value for parameter ContentLength: must not be negative",
        ),
        ({"Body": {"a": 1}, "ContentLength": 1}, f"Invalid type for parameter Body, type: dict, {BODY_TYPES}"),
        ({"Body": {b"a"}, "ContentLength": 1}, f"Invalid type for parameter Body, type: set, {BODY_TYPES}"),
        (
            {"Body": iter([b"x"]), "ContentLength": 1, "ChecksumAlgorithm": "CRC32"},
            (
                "Invalid parameter combination: ChecksumAlgorithm with a streamed Body is not supported; "
                "pass the body as bytes, or the precomputed Checksum<ALG> value"
            ),
        ),
    ],
    ids=[
        "string-io",
        "text-mode-object",
        "async-iterable-file",
        "async-context-file",
        "length-past-the-end",
        "length-past-the-end-from-an-offset",
        "file-negative-length",
        "dict",
        "set",
        "checksum-on-a-stream",
    ],
)
def test_bad_bodies_are_refused_by_name_before_sending(params: dict[str, Any], expected: str) -> None:
    calls: list[httpx.Request] = []
    with _counting_client(calls) as client, pytest.raises(s3lite.ParamValidationError) as caught:
        client.put_object(Bucket="b", Key="k", **params)
    assert calls == []
    assert str(caught.value) == f"Parameter validation failed:\n{expected}"


@pytest.mark.e2e
def test_a_file_body_sends_what_is_left_of_it_up_to_its_content_length(
    client_options: dict[str, Any], bucket: str
) -> None:
    """From the file's position, ContentLength bytes (or all that is left); a file read past its end is an
    empty object. Checked on a real server, whatever the upload strategy."""
    with s3lite.Client(**client_options) as client:
        client.put_object(Bucket=bucket, Key="part", Body=_at(b"0123456789", 2), ContentLength=3)
        client.put_object(Bucket=bucket, Key="rest", Body=_at(b"0123456789", 2))
        client.put_object(Bucket=bucket, Key="past", Body=_at(b"abc", 10))
        stored = {}
        for key in ("part", "rest", "past"):
            with client.get_object(Bucket=bucket, Key=key)["Body"] as body:
                stored[key] = body.read()
    assert stored == {"part": b"234", "rest": b"23456789", "past": b""}


def test_no_credentials_is_a_library_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    client = s3lite.Client(
        endpoint_url="http://127.0.0.1:9000", transport=httpx.MockTransport(lambda r: httpx.Response(200))
    )
    with pytest.raises(s3lite.NoCredentialsError):
        client.head_object(Bucket="b", Key="k")


def _secrets() -> list[str]:
    return [SECRET_KEY, SESSION_TOKEN, SSE_KEY, SSE_KEY_B64]


def test_secrets_stay_out_of_reprs() -> None:
    credentials = s3lite.Credentials("AKID", SECRET_KEY, SESSION_TOKEN)
    client = s3lite.Client(
        endpoint_url="http://127.0.0.1:9000",
        aws_access_key_id="AKID",
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=SESSION_TOKEN,
        transport=httpx.MockTransport(lambda r: httpx.Response(200)),
    )
    for text in (repr(credentials), str(credentials), repr(client), repr(client._context)):
        for secret in _secrets():
            assert secret not in text


def test_secrets_stay_out_of_the_reprs_of_requests() -> None:
    """What an embedder is most likely to log: the prepared and the signed request, and the flow's Send."""
    prepared = serialize(
        "CopyObject",
        {
            "Bucket": "b",
            "Key": "k",
            "CopySource": "s/k",
            "SSECustomerAlgorithm": "AES256",
            "SSECustomerKey": SSE_KEY,
            "CopySourceSSECustomerAlgorithm": "AES256",
            "CopySourceSSECustomerKey": SSE_KEY,
        },
        endpoint=ENDPOINT,
    )
    signed = s3lite.sign(
        prepared.request,
        credentials=s3lite.Credentials("AKID", SECRET_KEY, SESSION_TOKEN),
        region="us-east-1",
        now=0,
        payload_hash=prepared.payload_hash,
        keys=s3lite.SigningKeyCache(),
    )
    texts = [repr(prepared), repr(signed), repr(signed.request), repr(s3lite.Send(signed.request))]
    for text in texts:
        assert "<redacted>" in text
        for secret in [*_secrets(), signed.signing_key.hex(), repr(signed.signing_key)]:
            assert secret not in text


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"endpoint_url": "http://user:hunter2@127.0.0.1:9000"}, "credentials in the URL"),
        ({"endpoint_url": "http://user:hunter2@h:badport"}, "while parsing it"),
        ({"endpoint_url": "http://bücher.example:9000"}, "printable ASCII"),
        ({"endpoint_url": "http://127.0.0.1:9000/pre fix"}, "printable ASCII"),
        ({"region_name": "us-east-1/x"}, "Invalid region_name"),
        ({"aws_access_key_id": 123, "aws_secret_access_key": "s"}, "aws_access_key_id: int"),
        ({"aws_access_key_id": "a", "aws_secret_access_key": b"s"}, "aws_secret_access_key: bytes"),
    ],
    ids=["userinfo", "unparseable", "non-ascii-host", "space-in-path", "region", "int-key", "bytes-secret"],
)
def test_bad_client_options_are_refused_without_echoing_them(options: dict[str, Any], expected: str) -> None:
    settings: dict[str, Any] = {"endpoint_url": "http://127.0.0.1:9000", "region_name": "us-east-1"}
    settings.update(aws_access_key_id="AKID", aws_secret_access_key=SECRET_KEY)
    settings.update(options)
    with pytest.raises(s3lite.ParamValidationError, match=expected) as caught:
        s3lite.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200)), **settings)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"Params": [("Bucket", "b")]}, "Invalid type for Params"),
        ({"Params": {"Bucket": "b", "Key": "k"}, "HttpMethod": "GET\r\nX: y"}, "Invalid HttpMethod"),
    ],
)
def test_bad_presign_arguments_are_refused(arguments: dict[str, Any], expected: str) -> None:
    calls: list[httpx.Request] = []
    with _counting_client(calls) as client, pytest.raises(s3lite.ParamValidationError, match=expected):
        client.generate_presigned_url("get_object", **arguments)


def test_parse_of_an_unknown_operation_is_a_library_error() -> None:
    with pytest.raises(s3lite.ParamValidationError, match="Unknown operation"):
        s3lite.parse("Nope", s3lite.HttpResponse(200, {}))


def test_secrets_stay_out_of_errors_logs_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, content=b"<Error><Code>NoSuchKey</Code><Message>m</Message></Error>")

    client = s3lite.Client(
        endpoint_url="http://127.0.0.1:9000",
        region_name="us-east-1",
        aws_access_key_id="AKID",
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=SESSION_TOKEN,
        transport=httpx.MockTransport(handler),
    )
    texts = []
    with caplog.at_level(logging.DEBUG, logger="s3lite"):
        with pytest.raises(s3lite.NoSuchKey) as caught:
            client.get_object(Bucket="b", Key="k", SSECustomerAlgorithm="AES256", SSECustomerKey=SSE_KEY)
        texts += [str(caught.value), repr(caught.value), "".join(traceback.format_exception(caught.value))]
        with pytest.raises(s3lite.ParamValidationError) as bad:
            client.get_object(Bucket="b", Key="k", SSECustomerKey=SSE_KEY, SSECustomerKeyMD5=123)  # type: ignore[typeddict-item]
        texts += [str(bad.value)]
        with pytest.raises(s3lite.ParamValidationError) as bad_kms:
            client.put_object(Bucket="b", Key="k", SSEKMSEncryptionContext="secret\ncontext")
        texts += [str(bad_kms.value)]
    assert caplog.records, "the request was logged at DEBUG"
    texts += [record.getMessage() for record in caplog.records]
    assert any("<redacted>" in text for text in texts)
    for text in texts:
        for secret in [*_secrets(), "secret\ncontext"]:
            assert secret not in text


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        (
            "UpdateObjectEncryption",
            {"Bucket": "b", "Key": "k", "ObjectEncryption": {}},
            "Must set one of the following keys for tagged unionstructure ObjectEncryption: SSEKMS.",
        ),
        (
            "PutBucketPolicy",
            {"Bucket": "b", "Policy": b"{}"},
            "Invalid type for parameter Policy, type: bytes, valid types: str",
        ),
        (
            "PutBucketTagging",
            {"Bucket": "b", "Tagging": {"TagSet": [{"Key": "k", "Value": None}]}},
            "Invalid type for parameter Tagging.TagSet[0].Value, type: NoneType",
        ),
        (
            "PutBucketTagging",
            {"Bucket": "b", "Tagging": {"TagSet": [{"Key": "k"}]}},
            'Missing required parameter in Tagging.TagSet[0]: "Value"',
        ),
        (
            "DeleteObjects",
            {"Bucket": "b", "Delete": {"Objects": [{"Key": "k", "Size": "1"}]}},
            "Invalid type for parameter Delete.Objects[0].Size, type: str, valid types: int",
        ),
    ],
    ids=["union-empty", "string-payload-bytes", "nested-none", "nested-required", "nested-type"],
)
def test_nested_and_payload_checks_report_as_botocore(operation: str, params: dict[str, Any], expected: str) -> None:
    """botocore's ParamValidator rules at every depth, tagged unions and string payloads included."""
    assert _refused(operation, params) == f"Parameter validation failed:\n{expected}"


@pytest.mark.parametrize("params", [None, [("Bucket", "b")], "Bucket=b"])
def test_parameters_that_are_not_a_mapping_are_refused(params: Any) -> None:
    with pytest.raises(s3lite.ParamValidationError, match="Invalid type for the parameters"):
        serialize("ListObjectsV2", params, endpoint=ENDPOINT)


@pytest.mark.parametrize("name", [["PutObject"], None, 3, "put_object"])
def test_an_operation_name_that_is_not_one_is_refused(name: Any) -> None:
    with pytest.raises(s3lite.ParamValidationError, match="Unknown operation"):
        serialize(name, {}, endpoint=ENDPOINT)
    with pytest.raises(s3lite.ParamValidationError, match="Unknown operation"):
        s3lite.parse(name, s3lite.HttpResponse(200, {}, b""))
