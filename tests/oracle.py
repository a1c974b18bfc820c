"""botocore as a test oracle, driven offline: no socket is opened and the signing clock is fixed.

A ``before-send`` handler sees the final, signed request (after every botocore handler has run) and
answers it with a canned :class:`botocore.awsrequest.AWSResponse`, so one botocore call gives both
the request botocore would send and the result (or error) it makes of a given response. The
differential tests put s3lite's request and result next to these.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import botocore.auth
import botocore.session
import httpx
from botocore import xform_name
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from botocore.retries.standard import RetryContext, StandardRetryConditions
from hypothesis import HealthCheck, settings

# With awscrt installed botocore signs through the CRT, which reads the real clock; the oracle is
# botocore's own Python signer, whose clock (get_current_datetime) can be frozen.
botocore.auth.AUTH_TYPE_MAPS.update(
    {
        "v4": botocore.auth.SigV4Auth,
        "v4-query": botocore.auth.SigV4QueryAuth,
        "s3v4": botocore.auth.S3SigV4Auth,
        "s3v4-query": botocore.auth.S3SigV4QueryAuth,
    }
)

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#: The instant every differential request is signed at: a leap day, to catch date arithmetic.
SIGNING_TIME = datetime(2024, 2, 29, 23, 59, 58, tzinfo=UTC)
SIGNING_EPOCH = SIGNING_TIME.timestamp()

OPERATIONS = (
    "PutObject",
    "GetObject",
    "HeadObject",
    "CopyObject",
    "CreateMultipartUpload",
    "UploadPart",
    "UploadPartCopy",
    "CompleteMultipartUpload",
)

#: Both differential suites: at least 200 generated cases per operation, the same ones every run.
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class RawBody(io.BytesIO):
    """The ``raw`` of an AWSResponse: what botocore reads a body from (``stream()``, ``read(n)``)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        while chunk := self.read(64 * 1024):
            yield chunk


@dataclass(frozen=True)
class CapturedRequest:
    """A request as botocore would have put it on the wire."""

    method: str
    scheme: str
    host: str
    path: str
    query: str
    #: (name, value) in botocore's order, names as botocore spelled them
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class CannedResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes


@contextlib.contextmanager
def _without_aws_environment() -> Iterator[None]:
    """Keep the caller's AWS_* variables (endpoint URLs, retry modes, profiles) out of the oracle."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    clean["AWS_CONFIG_FILE"] = clean["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    with mock.patch.dict(os.environ, clean, clear=True):
        yield


def _read_body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    start = body.tell()
    data: bytes = body.read()
    body.seek(start)
    return data


def _capture(request: AWSPreparedRequest) -> CapturedRequest:
    url = urlsplit(request.url)
    headers = [
        (name, value.decode("ascii") if isinstance(value, bytes) else value) for name, value in request.headers.items()
    ]
    return CapturedRequest(
        request.method, url.scheme, url.netloc, url.path, url.query, headers, _read_body(request.body)
    )


class Oracle:
    """One botocore S3 client with checksums only when required and a single attempt, whose every
    request is captured and answered by :attr:`response` instead of the network."""

    def __init__(
        self,
        *,
        region: str,
        endpoint_url: str | None = None,
        session_token: str | None = None,
        s3_config: dict[str, Any] | None = None,
    ) -> None:
        with _without_aws_environment():
            session = botocore.session.get_session()
            self.client = session.create_client(
                "s3",
                region_name=region,
                endpoint_url=endpoint_url,
                aws_access_key_id=ACCESS_KEY,
                aws_secret_access_key=SECRET_KEY,
                aws_session_token=session_token,
                config=Config(
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                    retries={"mode": "standard", "total_max_attempts": 1},
                    s3=s3_config,
                ),
            )
        self.client.meta.events.register("before-send.s3", self._before_send)
        self.response = CannedResponse(200, {}, b"")
        self.sent: list[CapturedRequest] = []

    def _before_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        self.sent.append(_capture(request))
        canned = self.response
        return AWSResponse(request.url, canned.status, dict(canned.headers), RawBody(canned.body))

    def call(self, operation: str, params: Mapping[str, Any], *, at: datetime = SIGNING_TIME) -> Any:
        """Run the full botocore call with the signing clock frozen at ``at``; return its result or raise."""
        method = getattr(self.client, xform_name(operation))
        frozen = at.astimezone(UTC).replace(tzinfo=None)  # botocore's own clock is naive UTC
        with mock.patch.object(botocore.auth, "get_current_datetime", lambda *_, **__: frozen):
            return method(**copy.deepcopy(dict(params)))

    def request(self, operation: str, params: Mapping[str, Any], *, at: datetime = SIGNING_TIME) -> CapturedRequest:
        """The signed request botocore builds for ``params`` (answered with an empty 200)."""
        self.sent.clear()
        self.response = CannedResponse(200, {}, b"")
        self.call(operation, params, at=at)
        (captured,) = self.sent
        return captured

    def respond(self, operation: str, params: Mapping[str, Any], response: CannedResponse) -> Any:
        """botocore's result for ``response`` to ``params`` (raises botocore's ClientError on errors)."""
        self.sent.clear()
        self.response = response
        return self.call(operation, params)

    def would_retry(self, operation: str, status: int, parsed: Mapping[str, Any]) -> bool:
        """Whether botocore's standard retry mode would try this outcome again had it attempts left.

        With one attempt botocore marks *every* outcome ``MaxAttemptsReached`` (its MaxAttemptsChecker
        runs before the retryable checks), so this is what tells a retryable error from another.
        """
        context = RetryContext(
            attempt_number=1,
            operation_model=self.client.meta.service_model.operation_model(operation),
            parsed_response=dict(parsed),
            http_response=AWSResponse("", status, {}, RawBody(b"")),
            request_context={},
        )
        return bool(StandardRetryConditions(max_attempts=2).is_retryable(context))


# -- what both sides of a differential test share --------------------------------------------------

#: botocore's unsigned extras, left out of every comparison (README, "Not sent"); Content-Length apart
IGNORED_HEADERS = frozenset({"user-agent", "expect", "amz-sdk-invocation-id", "amz-sdk-request"})
#: the endpoint the response suites' clients are built for
ENDPOINT_URL, REGION = "http://127.0.0.1:9000", "us-east-1"


def signed_header_names(authorization: str) -> set[str]:
    return set(authorization.split("SignedHeaders=", 1)[1].split(",", 1)[0].split(";"))


def comparable_headers(pairs: list[tuple[str, str]], *, botocore: bool) -> dict[str, str]:
    """Lower-cased names -> values, without the documented unsigned extras; a name twice is a failure.
    botocore's own Content-Length is dropped unless it signed one (it adds it after signing)."""
    out: dict[str, str] = {}
    for name, value in pairs:
        lower = name.lower()
        assert lower not in out, f"header {name} twice"
        out[lower] = value
    for name in IGNORED_HEADERS:
        out.pop(name, None)
    if botocore and "content-length" not in signed_header_names(out["authorization"]):
        out.pop("content-length", None)
    return out


class S3liteSide:
    """One s3lite Client whose transport answers every request with :attr:`response`."""

    def __init__(self) -> None:
        import s3lite

        self.response = CannedResponse(200, {}, b"")
        self.client = s3lite.Client(
            endpoint_url=ENDPOINT_URL,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            max_attempts=1,
            transport=httpx.MockTransport(self._handle),
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        canned = self.response
        return httpx.Response(canned.status, headers=list(canned.headers.items()), content=canned.body)


def plain(value: Any) -> Any:
    """Datetimes as ISO strings with their offset (so tzutc() and UTC compare equal, +05:30 does not)."""
    if isinstance(value, datetime):
        return ("datetime", value.isoformat())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
