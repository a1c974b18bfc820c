"""Bad input is refused before any byte is sent, naming what was wrong; secrets never leak."""

from __future__ import annotations

import base64
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
