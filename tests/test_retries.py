"""Retries, 200-with-error, region redirects and unrewindable bodies, in the I/O-free flow itself.

The flow is driven by ``run_to_completion`` with scripted responses, a fixed clock that moves one
second per reading, and ``rand`` fixed, so every decision and every delay is visible and exact.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
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


def _context(
    endpoint: Endpoint | None = None, *, mode: str = "standard", quota: int = 500, max_attempts: int | None = None
) -> CallContext:
    attempts = (5 if mode == "legacy" else 3) if max_attempts is None else max_attempts
    return CallContext(
        Credentials("AKID", "SECRET"),
        "us-east-1",
        endpoint or Endpoint.from_url("http://127.0.0.1:9000"),
        clock=_clock(),
        rand=lambda: 0.5,
        retry=RetryPolicy(mode, attempts, RetryQuota(quota)),
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
CLIENT_OPTIONS = {
    "endpoint_url": "http://127.0.0.1:9000",
    "region_name": "us-east-1",
    "aws_access_key_id": "AKID",
    "aws_secret_access_key": "SECRET",
}

# The retry rules of reference/s3-spec.md §4, written out here rather than imported from s3lite._retry,
# so that a status or code dropped from (or added to) s3lite's sets fails a test.
#: standard: "transient - error code RequestTimeout, RequestTimeoutException, PriorRequestNotComplete,
#: or HTTP 500/502/503/504", and the throttling codes
STANDARD_STATUSES = [500, 502, 503, 504]
STANDARD_CODES = [
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "EC2ThrottledException",
]
#: legacy: "HTTP 500, 502, 503, 504, 509, 429; HTTP 400 with code Throttling, ThrottlingException,
#: ThrottledException, RequestThrottledException, ProvisionedThroughputExceededException; S3 extras:
#: 400 + RequestTimeout, 400 + BadDigest"
LEGACY_STATUSES = [500, 502, 503, 504, 509, 429]
LEGACY_CODES = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
    "RequestTimeout",
    "BadDigest",
]
#: a code no rule names, and one PutObject models (so a 429 with it is not throttling in standard mode)
UNLISTED_CODE = "SomethingElse"
MODELED_CODE = "InvalidRequest"


def _retried_once(mode: str, reply: HttpResponse) -> bool:
    """Whether one PutObject answered ``reply`` then 200 is retried: exactly one more attempt after one
    backoff, or none at all with the server's error raised as it came."""
    script = Script(reply, HttpResponse(200, {"etag": '"e"'}))
    try:
        result = _run(_context(mode=mode), "PutObject", PUT, script)
    except s3lite.ClientError as caught:
        assert len(script.sent) == 1 and script.sleeps == []
        assert caught.response["ResponseMetadata"]["HTTPStatusCode"] == reply.status
        return False
    assert len(script.sent) == 2 and script.sleeps == [0.5]
    assert result["ResponseMetadata"]["RetryAttempts"] == 1 and result["ETag"] == '"e"'
    return True


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


@pytest.mark.parametrize("status", STANDARD_STATUSES)
def test_standard_mode_retries_each_transient_status(status: int) -> None:
    assert _retried_once("standard", _error(status, UNLISTED_CODE))


@pytest.mark.parametrize("code", STANDARD_CODES)
def test_standard_mode_retries_each_transient_and_throttling_code_on_4xx(code: str) -> None:
    assert _retried_once("standard", _error(400, code))


@pytest.mark.parametrize(
    ("status", "code"), [(509, UNLISTED_CODE), (400, "BadDigest"), (429, MODELED_CODE), (501, UNLISTED_CODE)]
)
def test_standard_mode_does_not_retry_what_only_legacy_mode_retries(status: int, code: str) -> None:
    assert not _retried_once("standard", _error(status, code))


@pytest.mark.parametrize("status", LEGACY_STATUSES)
def test_legacy_mode_retries_each_listed_status(status: int) -> None:
    """Whatever the code: a 429 with a code PutObject models is retried too (unlike standard mode)."""
    assert _retried_once("legacy", _error(status, MODELED_CODE))


@pytest.mark.parametrize("code", LEGACY_CODES)
def test_legacy_mode_retries_each_listed_code_on_400(code: str) -> None:
    assert _retried_once("legacy", _error(400, code))


@pytest.mark.parametrize("code", sorted(set(STANDARD_CODES) - set(LEGACY_CODES)))
def test_legacy_mode_does_not_retry_codes_only_standard_mode_lists(code: str) -> None:
    assert not _retried_once("legacy", _error(400, code))


@pytest.mark.parametrize(("status", "code"), [(403, "Throttling"), (404, "RequestTimeout"), (409, "BadDigest")])
def test_legacy_mode_retries_listed_codes_only_on_400(status: int, code: str) -> None:
    assert not _retried_once("legacy", _error(status, code))


def test_legacy_mode_retries_429_and_bad_digest_five_times() -> None:
    """BadDigest first and last, so that each attempt's outcome decides whether there is another."""
    script = Script(_error(400, "BadDigest"), *[_error(429, "TooManyRequests")] * 3, _error(400, "BadDigest"))
    with pytest.raises(s3lite.ClientError) as caught:
        _run(_context(mode="legacy"), "PutObject", PUT, script)
    assert len(script.sent) == 5
    assert script.sleeps == [0.5, 1.0, 2.0, 4.0]  # "random() * 2**(n-1) seconds - no cap"
    metadata = caught.value.response["ResponseMetadata"]
    assert (caught.value.response["Error"]["Code"], metadata["RetryAttempts"]) == ("BadDigest", 4)
    assert metadata["MaxAttemptsReached"] is True


def test_standard_delays_are_capped_at_20_seconds_and_legacy_delays_are_not() -> None:
    """'random() * min(2**(n-1), 20)' (standard) and 'random() * 2**(n-1) - no cap' (legacy), random() = 0.5."""
    standard = Script(*[_error(500, "InternalError")] * 8)
    with pytest.raises(s3lite.ClientError):
        _run(_context(max_attempts=8), "PutObject", PUT, standard)
    assert standard.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    legacy = Script(*[_error(500, "InternalError")] * 8)
    with pytest.raises(s3lite.ClientError):
        _run(_context(mode="legacy", max_attempts=8), "PutObject", PUT, legacy)
    assert legacy.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0]


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
    with pytest.raises(s3lite.ClientError) as caught:
        _run(context, "PutObject", PUT, script)
    assert len(script.sent) == 1
    # attempts were left: the quota, not the attempt limit, ended the call (botocore marks only the latter)
    assert "MaxAttemptsReached" not in caught.value.response["ResponseMetadata"]
    assert "reached max retries" not in str(caught.value)
    # timeouts cost 10
    context.retry.quota.available = 9
    with pytest.raises(s3lite.ReadTimeoutError):
        _run(context, "PutObject", PUT, Script(s3lite.ReadTimeoutError("slow")))


@pytest.mark.parametrize(
    ("failure", "cost"),
    [
        (_error(503, "SlowDown"), 5),
        (s3lite.EndpointConnectionError("reset"), 5),
        (s3lite.ReadTimeoutError("slow"), 10),
        (s3lite.ConnectTimeoutError("down"), 10),
    ],
    ids=["503", "connection", "read-timeout", "connect-timeout"],
)
def test_each_retry_takes_its_cost_from_the_quota(failure: HttpResponse | Exception, cost: int) -> None:
    """ "each retry costs 5 (10 if the exception is ConnectTimeoutError/ReadTimeoutError)"; a call that
    fails in the end refunds nothing."""
    context = _context()
    script = Script(failure, failure, failure)
    with pytest.raises(s3lite.S3LiteError):
        _run(context, "PutObject", PUT, script)
    assert len(script.sent) == 3
    assert context.retry.quota.available == 500 - 2 * cost


def test_a_new_quota_holds_exactly_100_retries() -> None:
    """ "capacity 500; each retry costs 5; no capacity => no retry", with the policy a client gets by default."""
    context = CallContext(
        Credentials("AKID", "SECRET"),
        "us-east-1",
        Endpoint.from_url("http://127.0.0.1:9000"),
        clock=_clock(),
        rand=lambda: 0.5,
    )
    assert context.retry.quota.available == 500
    for _ in range(50):  # 50 calls of 3 attempts: 100 retries
        with pytest.raises(s3lite.ClientError):
            _run(context, "PutObject", PUT, Script(*[_error(503, "SlowDown")] * 3))
    assert context.retry.quota.available == 0
    script = Script(_error(503, "SlowDown"), HttpResponse(200, {}))
    with pytest.raises(s3lite.ClientError):
        _run(context, "PutObject", PUT, script)
    assert len(script.sent) == 1


def test_quota_refunds_on_success() -> None:
    """ "on a 2xx the last cost is refunded, or +1 if the call succeeded first time (capped at 500)"; a retry
    may take the very last units."""
    context = _context(quota=5)
    script = Script(_error(503, "SlowDown"), HttpResponse(200, {}))
    _run(context, "PutObject", PUT, script)
    assert len(script.sent) == 2, "a quota of exactly one retry's cost allows that retry"
    assert context.retry.quota.available == 5, "the retry's cost is refunded"
    _run(context, "PutObject", PUT, Script(HttpResponse(200, {})))
    assert context.retry.quota.available == 6, "a first-time success adds 1"
    full = _context(quota=500)
    _run(full, "PutObject", PUT, Script(HttpResponse(200, {})))
    assert full.retry.quota.available == 500, "never above the capacity"


def test_a_streamed_success_settles_the_quota_like_any_other() -> None:
    """GetObject returns before its body is read; the refund (or +1) must happen on that path too."""
    context = _context(quota=100)
    script = Script(_error(503, "SlowDown"), HttpResponse(200, {"content-length": "0"}))
    result = _run(context, "GetObject", {"Bucket": "b", "Key": "k"}, script)
    assert result["ResponseMetadata"]["RetryAttempts"] == 1
    assert context.retry.quota.available == 100
    _run(context, "GetObject", {"Bucket": "b", "Key": "k"}, Script(HttpResponse(200, {"content-length": "0"})))
    assert context.retry.quota.available == 101


def test_legacy_mode_has_no_quota() -> None:
    """Legacy mode: "no cap, no quota": an empty quota does not stop it, and it neither takes nor refunds."""
    context = _context(mode="legacy", quota=0)
    script = Script(*[_error(503, "SlowDown")] * 4, HttpResponse(200, {}))
    result = _run(context, "PutObject", PUT, script)
    assert result["ResponseMetadata"]["RetryAttempts"] == 4
    assert context.retry.quota.available == 0
    _run(context, "PutObject", PUT, Script(HttpResponse(200, {})))
    assert context.retry.quota.available == 0


@pytest.mark.parametrize(("status", "code", "marked"), [(500, "InternalError", True), (404, "NoSuchKey", False)])
def test_max_attempts_reached_marks_only_a_retryable_error_on_the_last_attempt(
    status: int, code: str, marked: bool
) -> None:
    script = Script(_error(status, code))
    with pytest.raises(s3lite.ClientError) as caught:
        _run(_context(max_attempts=1), "GetObject", {"Bucket": "b", "Key": "k"}, script)
    assert len(script.sent) == 1
    assert ("MaxAttemptsReached" in caught.value.response["ResponseMetadata"]) is marked
    assert ("(reached max retries: 0)" in str(caught.value)) is marked


@pytest.mark.parametrize(
    ("options", "attempts"),
    [
        ({}, 3),
        ({"retry_mode": "standard"}, 3),
        ({"retry_mode": "legacy"}, 5),
        ({"max_attempts": 4}, 4),
        ({"retry_mode": "legacy", "max_attempts": 2}, 2),
        ({"max_attempts": 1}, 1),
    ],
)
def test_client_attempt_limits(options: dict[str, Any], attempts: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defaults of s3-spec.md §4: standard 3 attempts, legacy 5; ``max_attempts`` counts attempts in total."""
    sent: list[httpx.Request] = []
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)  # the client's backoff, recorded instead of waited

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(503, content=ERROR_XML % b"SlowDown")

    transport = httpx.MockTransport(handler)
    with (
        s3lite.Client(**CLIENT_OPTIONS, transport=transport, **options) as client,
        pytest.raises(s3lite.ClientError) as caught,
    ):
        client.put_object(**PUT)  # type: ignore[arg-type]
    assert len(sent) == attempts and len(slept) == attempts - 1
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == attempts - 1
    assert caught.value.response["ResponseMetadata"]["MaxAttemptsReached"] is True


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"max_attempts": 0}, "Invalid max_attempts: must be an int of at least 1"),
        ({"max_attempts": True}, "Invalid max_attempts: must be an int of at least 1"),
        ({"max_attempts": "3"}, "Invalid max_attempts: must be an int of at least 1"),
        ({"max_attempts": 2.0}, "Invalid max_attempts: must be an int of at least 1"),
        ({"retry_mode": "adaptive"}, "Invalid retry mode 'adaptive': one of standard, legacy"),
    ],
)
def test_bad_retry_options_are_refused(options: dict[str, Any], expected: str) -> None:
    with pytest.raises(s3lite.ParamValidationError) as caught:
        s3lite.Client(**CLIENT_OPTIONS, transport=httpx.MockTransport(lambda r: httpx.Response(200)), **options)
    assert str(caught.value) == f"Parameter validation failed:\n{expected}"


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


EU_HOST = "mybucket.s3.eu-west-1.amazonaws.com"


def _redirect_hosts(operation: str, reply: HttpResponse, **params: Any) -> list[str]:
    """The hosts one call (us-east-1 client, AWS endpoint) sends to when its first answer is ``reply``."""
    context = _context(Endpoint.for_region("us-east-1"))
    script = Script(reply, HttpResponse(200, {}))
    try:
        _run(context, operation, {"Bucket": "mybucket", "Key": "k", **params}, script)
    except s3lite.ClientError:
        assert context.bucket_regions == {}
    else:
        assert context.bucket_regions == {"mybucket": "eu-west-1"} and script.sleeps == []
    return [s.request.host for s in script.sent]


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (301, "Moved"),  # "HTTP 301/302/307", whatever the code
        (302, "Found"),
        (307, "TemporaryRedirect"),
        (400, "PermanentRedirect"),  # these two codes, whatever the status
        (400, "IllegalLocationConstraintException"),
    ],
)
def test_each_redirect_condition_is_followed(status: int, code: str) -> None:
    reply = _error(status, code, {"x-amz-bucket-region": "eu-west-1"})
    assert _redirect_hosts("PutObject", reply, Body=b"x") == ["mybucket.s3.us-east-1.amazonaws.com", EU_HOST]


@pytest.mark.parametrize(
    ("operation", "reply"),
    [
        # AuthorizationHeaderMalformed is a redirect only "whose body has <Region>"
        ("PutObject", _error(400, "AuthorizationHeaderMalformed", {"x-amz-bucket-region": "eu-west-1"})),
        # an empty-bodied 400 is a redirect only for HeadObject
        ("GetObject", HttpResponse(400, {"x-amz-bucket-region": "eu-west-1"})),
        ("PutObject", _error(403, "AccessDenied", {"x-amz-bucket-region": "eu-west-1"})),
    ],
    ids=["auth-malformed-without-region", "get-400", "403"],
)
def test_what_is_not_a_redirect_is_not_followed(operation: str, reply: HttpResponse) -> None:
    assert _redirect_hosts(operation, reply) == ["mybucket.s3.us-east-1.amazonaws.com"]


def test_the_region_header_wins_over_the_error_body() -> None:
    """ "New region = response header x-amz-bucket-region, else Error.Region from the body" (§2.10)."""
    body = b"<Error><Code>PermanentRedirect</Code><Message>m</Message><Region>ap-south-1</Region></Error>"
    reply = HttpResponse(301, {"x-amz-bucket-region": "eu-west-1"}, body)
    assert _redirect_hosts("PutObject", reply) == ["mybucket.s3.us-east-1.amazonaws.com", EU_HOST]


def test_a_redirect_to_the_region_already_used_is_not_followed() -> None:
    """Sending the same request again to the same place cannot help: the redirect error is raised."""
    context = _context(Endpoint.for_region("us-east-1"))
    script = Script(_error(301, "PermanentRedirect", {"x-amz-bucket-region": "us-east-1"}), HttpResponse(200, {}))
    with pytest.raises(s3lite.ClientError) as caught:
        _run(context, "HeadObject", {"Bucket": "mybucket", "Key": "k"}, script)
    assert len(script.sent) == 1
    assert caught.value.response["Error"]["Code"] == "PermanentRedirect"


def test_a_redirect_consumes_one_attempt() -> None:
    """ "this consumes one attempt of the retry budget" (§2.10): redirect + two 500s is all of 3 attempts."""
    context = _context(Endpoint.for_region("us-east-1"))
    moved = _error(301, "PermanentRedirect", {"x-amz-bucket-region": "eu-west-1"})
    script = Script(moved, *[_error(500, "InternalError")] * 3)
    with pytest.raises(s3lite.ClientError) as caught:
        _run(context, "PutObject", {"Bucket": "mybucket", "Key": "k", "Body": b"x"}, script)
    assert len(script.sent) == 3
    assert script.sleeps == [1.0], "no wait before the redirected attempt; attempt 2's backoff after it"
    metadata = caught.value.response["ResponseMetadata"]
    assert (metadata["RetryAttempts"], metadata["MaxAttemptsReached"]) == (2, True)


def test_a_redirect_with_an_unrewindable_body_is_raised_but_remembered() -> None:
    """The stream was consumed by the first attempt: it cannot be sent again, but the next call goes right."""
    context = _context(Endpoint.for_region("us-east-1"))
    body = plan_stream_body(iter([b"ab", b"cd"]), 4, allow_async=False)
    script = Script(_error(301, "PermanentRedirect", {"x-amz-bucket-region": "eu-west-1"}), HttpResponse(200, {}))
    with pytest.raises(s3lite.ClientError) as caught:
        _run(context, "PutObject", {"Bucket": "mybucket", "Key": "k", "Body": body, "ContentLength": 4}, script)
    assert len(script.sent) == 1
    assert caught.value.response["Error"]["Code"] == "PermanentRedirect"
    assert context.bucket_regions == {"mybucket": "eu-west-1"}


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
