"""The I/O-free layer as an embedder uses it (the README's example): no httpx, no clock, no I/O."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import s3lite

EXPORTED = sorted(s3lite.__all__)


def test_public_names_are_pinned() -> None:
    assert s3lite.__all__ == EXPORTED, "__all__ stays sorted"
    assert set(EXPORTED) == {
        "AccessDenied", "AnnotationLimitExceeded", "BodyClosedError", "AnnotationNameTooLong", "IdempotencyParameterMismatch",
        "InvalidAnnotationName", "InvalidPrefix", "NoSuchAnnotation", "UnsupportedMediaType",
        "AsyncClient", "AsyncEventStream", "AsyncStreamingBody", "EventStream", "EventStreamError",
        "BucketAlreadyExists", "BucketAlreadyOwnedByYou", "CallContext",
        "ChecksumMismatchError", "Client", "ClientError", "ConnectTimeoutError", "CredentialRetrievalError", "Credentials",
        "EncryptionTypeMismatch", "Endpoint", "EndpointConnectionError", "HTTPClientError", "HashBody", "HttpRequest",
        "HttpResponse", "IncompleteReadError", "InvalidObjectState", "InvalidRequest", "InvalidWriteOffset",
        "NoCredentialsError", "NoSuchBucket", "NoSuchKey", "NoSuchUpload", "ObjectAlreadyInActiveTierError",
        "ObjectNotInActiveTierError", "ParamValidationError", "PoolTimeoutError", "PresignedUrlExpiryWarning", "ReadBody", "ReadTimeoutError", "ResponseParseError",
        "S3LiteError", "Send", "SigningKeyCache", "Sleep", "StreamBody", "StreamingBody", "TooManyParts", "TransferConfig",
        "UnseekableStreamError", "OperationNotPageableError", "PaginationError", "WaiterError", "__version__", "operation_flow", "parse", "parse_error", "parse_result",
        "presign", "run_to_completion", "serialize", "sign",
    }  # fmt: skip
    for name in EXPORTED:
        assert getattr(s3lite, name) is not None
    assert {*s3lite._LAZY, "__version__"} == set(EXPORTED), "each public name is imported lazily, and only those"


def test_every_exception_is_an_s3lite_error() -> None:
    for name in EXPORTED:
        value = getattr(s3lite, name)
        if isinstance(value, type) and issubclass(value, BaseException) and not issubclass(value, Warning):
            assert issubclass(value, s3lite.S3LiteError), name


def test_core_round_trip_without_httpx() -> None:
    """In a fresh interpreter: serialize, sign and parse; httpx, anyio and cryptography never imported."""
    script = textwrap.dedent(
        """
        import sys, s3lite
        endpoint = s3lite.Endpoint.from_url("http://127.0.0.1:9000")
        prepared = s3lite.serialize("PutObject", {"Bucket": "b", "Key": "k", "Body": b"hi"}, endpoint=endpoint)
        signed = s3lite.sign(prepared.request, credentials=s3lite.Credentials("AKID", "SECRET"), region="us-east-1",
                             now=1_700_000_000.0, payload_hash=prepared.payload_hash, keys=s3lite.SigningKeyCache())
        assert signed.request.url == "http://127.0.0.1:9000/b/k", signed.request.url
        assert signed.request.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKID/20231114/")
        result = s3lite.parse("PutObject", s3lite.HttpResponse(200, {"etag": '"abc"'}, b""))
        assert result["ETag"] == '"abc"'
        try:
            s3lite.parse("GetObject", s3lite.HttpResponse(404, {}, b"<Error><Code>NoSuchKey</Code><Message>m</Message></Error>"))
        except s3lite.NoSuchKey as error:
            assert error.response["Error"]["Code"] == "NoSuchKey"
        heavy = [m for m in ("httpx", "httpcore", "anyio", "cryptography", "botocore") if m in sys.modules]
        assert not heavy, heavy
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_parse_turns_200_with_error_into_client_error() -> None:
    with pytest.raises(s3lite.ClientError) as caught:
        s3lite.parse(
            "CopyObject", s3lite.HttpResponse(200, {}, b"<Error><Code>InternalError</Code><Message>m</Message></Error>")
        )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
