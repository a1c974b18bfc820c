"""Retries, 200-with-error, region redirects and unrewindable bodies, in the I/O-free flow itself.

The flow is driven by ``run_to_completion`` with scripted responses, a fixed clock that moves one
second per reading, and ``rand`` fixed, so every decision and every delay is visible and exact.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import s3lite
from s3lite import CallContext, Credentials, Endpoint, HttpResponse, ReadBody, Send, Sleep, run_to_completion
from s3lite._body import plan_stream_body
from s3lite._retry import RetryPolicy, RetryQuota

ERROR_XML = b"<Error><Code>%s</Code><Message>msg</Message><RequestId>r</RequestId></Error>"
COPY_RESULT = (
    b'<CopyObjectResult><ETag>"e"</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></CopyObjectResult>'
)


def _clock() -> Callable[[], float]:
    ticks = iter(range(1_700_000_000, 1_800_000_000))
    return lambda: float(next(ticks))


def _context(endpoint: Endpoint | None = None, *, mode: str = "standard", quota: int = 500) -> CallContext:
    return CallContext(
        Credentials("AKID", "SECRET"),
        "us-east-1",
        endpoint or Endpoint.from_url("http://127.0.0.1:9000"),
        clock=_clock(),
        rand=lambda: 0.5,
        retry=RetryPolicy(mode, 5 if mode == "legacy" else 3, RetryQuota(quota)),
    )


class Script:
    """Answers the flow's effects from a list of responses (or exceptions), recording what it saw."""

    def __init__(self, *replies: HttpResponse | Exception) -> None:
        self._replies: Iterator[HttpResponse | Exception] = iter(replies)
        self.sent: list[Send] = []
        self.sleeps: list[float] = []
        self.reads = 0
        self._last = HttpResponse(0, {})

    def __call__(self, effect: Any) -> Any:
        if isinstance(effect, Send):
            self.sent.append(effect)
            reply = next(self._replies)
            if isinstance(reply, Exception):
                raise reply
            self._last = reply
            return HttpResponse(reply.status, reply.headers, b"") if effect.stream else reply
        if isinstance(effect, ReadBody):
            self.reads += 1
            return self._last.body
        assert isinstance(effect, Sleep)
        self.sleeps.append(effect.seconds)
        return None


def _run(context: CallContext, operation: str, params: dict[str, Any], script: Script) -> dict[str, Any]:
    return run_to_completion(s3lite.operation_flow(context, operation, params), script)


def _error(status: int, code: str, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(status, headers or {}, ERROR_XML % code.encode())


PUT = {"Bucket": "b", "Key": "k", "Body": b"data"}


def test_throttling_is_retried_with_backoff_and_a_fresh_signature() -> None:
    script = Script(_error(503, "SlowDown"), _error(503, "SlowDown"), HttpResponse(200, {"etag": '"e"'}))
    result = _run(_context(), "PutObject", PUT, script)
    assert result["ETag"] == '"e"'
    assert result["ResponseMetadata"]["RetryAttempts"] == 2
    # "Delay = random() * min(2**(n-1), 20)" with random() = 0.5
    assert script.sleeps == [0.5, 1.0]
    dates = [s.request.headers["X-Amz-Date"] for s in script.sent]
    assert len(set(dates)) == 3, "each attempt is signed again with a new date"
    assert len({s.request.headers["Authorization"] for s in script.sent}) == 3
    assert {s.request.body for s in script.sent} == {b"data"}


def test_retries_run_out_with_botocore_message() -> None:
    script = Script(*[_error(500, "InternalError")] * 3)
    with pytest.raises(s3lite.ClientError) as caught:
        _run(_context(), "PutObject", PUT, script)
    assert len(script.sent) == 3
    assert caught.value.response["ResponseMetadata"]["MaxAttemptsReached"] is True
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert str(caught.value) == (
        "An error occurred (InternalError) when calling the PutObject operation (reached max retries: 2): msg"
    )


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "InvalidArgument"),
        (403, "AccessDenied"),
        (404, "NoSuchKey"),
        (409, "Conflict"),
        (412, "PreconditionFailed"),
        (400, "BadDigest"),
        (429, "InvalidRequest"),
    ],
)
def test_client_errors_are_not_retried(status: int, code: str) -> None:
    script = Script(_error(status, code))
    with pytest.raises(s3lite.ClientError) as caught:
        _run(_context(), "PutObject", PUT, script)
    assert len(script.sent) == 1
    assert caught.value.response["Error"]["Code"] == code
    assert "MaxAttemptsReached" not in caught.value.response["ResponseMetadata"]


@pytest.mark.parametrize("code", ["TooManyRequests", "429", "SomethingNew"])
def test_429_is_throttling_unless_its_code_is_modeled(code: str) -> None:
    """botocore 1.44 (ThrottlingStatusCodeChecker): a 429 is retried unless its code is one the operation
    models (PutObject's InvalidRequest above), whatever else the code says."""
    script = Script(_error(429, code), HttpResponse(200, {}))
    result = _run(_context(), "PutObject", PUT, script)
    assert len(script.sent) == 2
    assert result["ResponseMetadata"]["RetryAttempts"] == 1


@pytest.mark.parametrize("code", ["RequestTimeout", "Throttling", "RequestLimitExceeded", "SlowDown"])
def test_retryable_codes_on_4xx(code: str) -> None:
    script = Script(_error(400, code), HttpResponse(200, {}))
    _run(_context(), "PutObject", PUT, script)
    assert len(script.sent) == 2


def test_legacy_mode_retries_429_and_bad_digest_five_times() -> None:
    script = Script(*[_error(429, "TooManyRequests")] * 4, _error(400, "BadDigest"))
    with pytest.raises(s3lite.ClientError):
        _run(_context(mode="legacy"), "PutObject", PUT, script)
    assert len(script.sent) == 5
    assert script.sleeps == [0.5, 1.0, 2.0, 4.0]  # "random() * 2**(n-1) seconds - no cap"


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("CopyObject", {"Bucket": "b", "Key": "k", "CopySource": "src/key"}),
        ("UploadPartCopy", {"Bucket": "b", "Key": "k", "CopySource": "src/key", "PartNumber": 1, "UploadId": "u"}),
        ("CompleteMultipartUpload", {"Bucket": "b", "Key": "k", "UploadId": "u", "MultipartUpload": {"Parts": []}}),
        ("CreateMultipartUpload", {"Bucket": "b", "Key": "k"}),
    ],
)
@pytest.mark.parametrize("body", [b"\n  " + ERROR_XML % b"InternalError", b"<CopyObjectRes", b"OK"])
def test_200_with_error_or_broken_xml_is_a_500(operation: str, params: dict[str, Any], body: bytes) -> None:
    """Never success: retried like a 500, then raised with the body's code (or "500")."""
    script = Script(*[HttpResponse(200, {}, body)] * 3)
    with pytest.raises(s3lite.ClientError) as caught:
        _run(_context(), operation, params, script)
    assert len(script.sent) == 3
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert error["Error"]["Code"] == ("InternalError" if b"<Error>" in body else "500")


def test_200_with_error_then_success() -> None:
    script = Script(HttpResponse(200, {}, ERROR_XML % b"InternalError"), HttpResponse(200, {}, COPY_RESULT))
    result = _run(_context(), "CopyObject", {"Bucket": "b", "Key": "k", "CopySource": "s/k"}, script)
    assert result["CopyObjectResult"]["ETag"] == '"e"'
    assert result["ResponseMetadata"]["RetryAttempts"] == 1


def test_get_object_error_body_is_read_only_for_errors() -> None:
    script = Script(_error(404, "NoSuchKey"))
    with pytest.raises(s3lite.NoSuchKey):
        _run(_context(), "GetObject", {"Bucket": "b", "Key": "k"}, script)
    assert script.sent[0].stream is True
    assert script.reads == 1
    ok = Script(HttpResponse(200, {"content-length": "3"}, b"abc"))
    result = _run(_context(), "GetObject", {"Bucket": "b", "Key": "k"}, ok)
    assert ok.reads == 0 and "Body" not in result  # the client attaches the open stream


@pytest.mark.parametrize(
    "error",
    [s3lite.EndpointConnectionError("reset"), s3lite.ReadTimeoutError("slow"), s3lite.ConnectTimeoutError("down")],
)
def test_transport_errors_are_retried(error: Exception) -> None:
    script = Script(error, HttpResponse(200, {}))
    result = _run(_context(), "PutObject", PUT, script)
    assert result["ResponseMetadata"]["RetryAttempts"] == 1
    script = Script(error, error, error)
    with pytest.raises(type(error)):
        _run(_context(), "PutObject", PUT, script)
    assert len(script.sent) == 3


def test_retry_quota_stops_retries_when_spent() -> None:
    context = _context(quota=12)
    # two 503s cost 5 each; the third call's first retry finds 2 left and is refused
    _run(context, "PutObject", PUT, Script(_error(503, "SlowDown"), HttpResponse(200, {})))
    assert context.retry.quota.available == 12, "a success after a retry refunds its cost"
    context.retry.quota.available = 4
    script = Script(_error(503, "SlowDown"), HttpResponse(200, {}))
    with pytest.raises(s3lite.ClientError):
        _run(context, "PutObject", PUT, script)
    assert len(script.sent) == 1
    # timeouts cost 10
    context.retry.quota.available = 9
    with pytest.raises(s3lite.ReadTimeoutError):
        _run(context, "PutObject", PUT, Script(s3lite.ReadTimeoutError("slow")))


def test_unrewindable_stream_is_not_retried_blindly() -> None:
    body = plan_stream_body(iter([b"ab", b"cd"]), 4, allow_async=False)
    params = {"Bucket": "b", "Key": "k", "Body": body, "ContentLength": 4}
    with pytest.raises(s3lite.UnseekableStreamError) as caught:
        _run(_context(), "PutObject", params, Script(_error(503, "SlowDown")))
    assert isinstance(caught.value.__cause__, s3lite.ClientError)
    with pytest.raises(s3lite.UnseekableStreamError):
        _run(_context(), "PutObject", params, Script(s3lite.EndpointConnectionError("reset")))


def test_seekable_stream_is_retried_with_a_new_chunk_signer() -> None:
    body = plan_stream_body(io.BytesIO(b"0123456789"), None, allow_async=False)
    script = Script(_error(500, "InternalError"), HttpResponse(200, {}))
    context = _context()
    context.upload_signing = "aws-chunked"  # "auto" sends a file as it is (tests/test_upload_strategy.py)
    _run(context, "PutObject", {"Bucket": "b", "Key": "k", "Body": body}, script)
    first, second = (s.request.body for s in script.sent)
    assert isinstance(first, s3lite.StreamBody) and isinstance(second, s3lite.StreamBody)
    assert first.start == second.start == 0
    assert first.encoder is not second.encoder


def test_region_redirect_is_followed_once_and_remembered() -> None:
    context = _context(Endpoint.for_region("us-east-1"))
    moved = _error(301, "PermanentRedirect", {"x-amz-bucket-region": "eu-west-1"})
    script = Script(moved, HttpResponse(200, {"etag": '"e"'}))
    _run(context, "PutObject", {"Bucket": "mybucket", "Key": "k", "Body": b"x"}, script)
    assert [s.request.host for s in script.sent] == [
        "mybucket.s3.us-east-1.amazonaws.com",
        "mybucket.s3.eu-west-1.amazonaws.com",
    ]
    assert "/eu-west-1/s3/aws4_request" in script.sent[1].request.headers["Authorization"]
    assert script.sleeps == [], "a redirect is retried immediately"
    assert context.bucket_regions == {"mybucket": "eu-west-1"}
    later = Script(HttpResponse(200, {}))
    _run(context, "HeadObject", {"Bucket": "mybucket", "Key": "k"}, later)
    assert later.sent[0].request.host == "mybucket.s3.eu-west-1.amazonaws.com"
    # a second redirect in the same call is not followed
    looping = Script(moved, _error(301, "PermanentRedirect", {"x-amz-bucket-region": "us-west-2"}))
    with pytest.raises(s3lite.ClientError):
        _run(context, "HeadObject", {"Bucket": "other", "Key": "k"}, looping)
    assert len(looping.sent) == 2


def test_region_redirect_from_error_body_and_head_400() -> None:
    context = _context(Endpoint.for_region("us-east-1"))
    body = b"<Error><Code>AuthorizationHeaderMalformed</Code><Message>m</Message><Region>ap-south-1</Region></Error>"
    script = Script(HttpResponse(400, {}, body), HttpResponse(200, {}))
    _run(context, "GetObject", {"Bucket": "bkt-a", "Key": "k"}, script)
    assert script.sent[1].request.host == "bkt-a.s3.ap-south-1.amazonaws.com"
    head = Script(HttpResponse(400, {"x-amz-bucket-region": "sa-east-1"}), HttpResponse(200, {}))
    _run(context, "HeadObject", {"Bucket": "bkt-b", "Key": "k"}, head)
    assert head.sent[1].request.host == "bkt-b.s3.sa-east-1.amazonaws.com"


def test_custom_endpoint_redirect_changes_only_the_signing_region() -> None:
    context = _context()
    script = Script(_error(301, "PermanentRedirect", {"x-amz-bucket-region": "eu-west-1"}), HttpResponse(200, {}))
    _run(context, "HeadObject", {"Bucket": "b", "Key": "k"}, script)
    assert {s.request.host for s in script.sent} == {"127.0.0.1:9000"}
    assert "/eu-west-1/s3/" in script.sent[1].request.headers["Authorization"]


@pytest.mark.parametrize("region", ["EU", "eu west 1", "x" * 65, "a.b"])
def test_a_region_that_cannot_be_used_is_not_followed_nor_remembered(region: str) -> None:
    """A bad x-amz-bucket-region raises the server's error; it does not poison later calls."""
    context = _context(Endpoint.for_region("us-east-1"))
    script = Script(_error(301, "PermanentRedirect", {"x-amz-bucket-region": region}))
    with pytest.raises(s3lite.ClientError):
        _run(context, "HeadObject", {"Bucket": "mybucket", "Key": "k"}, script)
    assert len(script.sent) == 1
    assert context.bucket_regions == {}
    later = Script(HttpResponse(200, {}))
    _run(context, "HeadObject", {"Bucket": "mybucket", "Key": "k"}, later)
    assert later.sent[0].request.host == "mybucket.s3.us-east-1.amazonaws.com"


def test_a_failure_while_reading_an_error_body_is_retried() -> None:
    """A 503 whose body is cut off: the connection error is retried like one while sending."""
    context = _context()
    replies = iter([HttpResponse(503, {}), HttpResponse(200, {"content-length": "3"})])
    seen: list[str] = []

    def respond(effect: Any) -> Any:
        seen.append(type(effect).__name__)
        if isinstance(effect, Send):
            return next(replies)
        if isinstance(effect, ReadBody):
            raise s3lite.EndpointConnectionError("Connection failed: peer closed the connection")
        return None

    result = run_to_completion(s3lite.operation_flow(context, "GetObject", {"Bucket": "b", "Key": "k"}), respond)
    assert seen == ["Send", "ReadBody", "Sleep", "Send"]
    assert result["ResponseMetadata"]["RetryAttempts"] == 1
