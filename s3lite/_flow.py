"""One call, end to end, as a generator: serialize, sign, ``yield Send``, parse, retry.

The flow does no I/O. It yields effects - :class:`HashBody` of a file to upload, :class:`Send` a
request, :class:`ReadBody` of the last response, :class:`Sleep` before a retry - and the driver
(``Client``, ``AsyncClient``, or another SDK's HTTP stack) performs each one and sends the outcome
back in: the hex SHA-256 for ``HashBody``, an :class:`HttpResponse` for ``Send``, the body bytes for
``ReadBody``. ``HashBody`` comes at most once per call, before the first ``Send``, and only for a
:class:`StreamBody` that is rewindable and sent as it is (see ``serialize``'s ``upload_signing``):
a driver that cannot read the body twice builds its :class:`CallContext` with
``upload_signing="aws-chunked"`` and never sees it. A transport failure is thrown into the generator as an
:class:`HTTPClientError`. The generator's return value is the result dict; errors are raised.
This is httpx's ``Auth.auth_flow`` idea applied to a whole call, so retries, the 200-with-error
rule and region redirects live here once for both clients.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from ._checksums import AwsChunkedEncoder, PlainEncoder
from ._credentials import Credentials
from ._endpoint import Endpoint
from ._errors import (
    HTTPClientError,
    NoCredentialsError,
    ParamValidationError,
    PoolTimeoutError,
    UnseekableStreamError,
    client_error,
)
from ._http import HttpRequest, HttpResponse, StreamBody, redact
from ._model import operation as find_operation
from ._parse import parse_error, parse_result, screen_200
from ._retry import RetryPolicy
from ._rules import idempotency_tokens
from ._serialize import CHUNK_SIZE, Prepared, UploadSigning, check_upload_signing, serialize
from ._sigv4 import STREAMING_PAYLOAD, SigningKeyCache, sign
from ._validate import check_params


class HashBody(NamedTuple):
    """Compute the SHA-256 of ``body``: its ``length`` bytes from ``start``, in constant memory, the
    file rewound after; answer with the lower-case hex digest. (Clients: ``_upload.sha256_of``.)"""

    body: StreamBody


class Send(NamedTuple):
    """Send ``request``; answer with its :class:`HttpResponse`. With ``stream``, a 2xx body stays
    unread (``body=b""``) for the caller; any other body must be read before answering or on ReadBody."""

    request: HttpRequest
    stream: bool = False


class ReadBody(NamedTuple):
    """Read the rest of the last (streamed) response; answer with its bytes."""


class Sleep(NamedTuple):
    """Wait ``seconds`` before the next attempt; answer with None."""

    seconds: float


Effect = HashBody | Send | ReadBody | Sleep
Flow = Generator[Effect, Any, dict[str, Any]]


class CallContext:
    """What every call of one client shares: credentials, region, endpoint, retry state, caches.

    ``clock`` (epoch seconds) and ``rand`` (a float in [0, 1)) are passed in so that the core never
    reads the time or a random source itself: tests fix them, clients pass ``time.time``/``random``.
    """

    __slots__ = (
        "bucket_regions",
        "clock",
        "credentials",
        "endpoint",
        "keys",
        "rand",
        "region",
        "retry",
        "upload_signing",
    )

    def __init__(
        self,
        credentials: Credentials | None,
        region: str,
        endpoint: Endpoint,
        clock: Callable[[], float],
        rand: Callable[[], float],
        retry: RetryPolicy | None = None,
        keys: SigningKeyCache | None = None,
        upload_signing: UploadSigning = "auto",
    ) -> None:
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
        self.clock = clock
        self.rand = rand
        self.retry = RetryPolicy() if retry is None else retry
        self.keys = SigningKeyCache() if keys is None else keys
        #: how files and iterators are uploaded (``_serialize.UploadSigning``), checked here, at construction
        self.upload_signing = check_upload_signing(upload_signing)
        #: regions learnt from redirects, by bucket
        self.bucket_regions: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"CallContext(credentials={self.credentials!r}, region={self.region!r}, endpoint={self.endpoint!r})"

    def endpoint_for(self, region: str) -> Endpoint:
        if self.endpoint.custom or region == self.region:
            return self.endpoint
        return Endpoint.for_region(region, addressing_style=self.endpoint.addressing_style)


if TYPE_CHECKING:
    import logging

#: What HashBody is answered with: SHA-256 as lower-case hex, as it is signed
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
#: What an AWS region name looks like (the redirect target becomes part of a host name)
_REGION = re.compile(r"[a-z0-9-]{1,64}")

_logger: logging.Logger | None = None


def debug_logger() -> logging.Logger | None:
    """The ``s3lite`` logger when it logs at DEBUG, else None.

    logging is not imported by s3lite (a tenth of its import time): if no one in the process has
    imported it, nothing can have configured it, and there is nothing to log to.
    """
    global _logger
    if _logger is None:
        logging = sys.modules.get("logging")
        if logging is None:
            return None
        _logger = logging.getLogger("s3lite")
    return _logger if _logger.isEnabledFor(10) else None  # 10: logging.DEBUG


def signed_request(context: CallContext, prepared: Prepared, region: str) -> HttpRequest:
    """Sign (again, with a fresh date on every attempt), and give a streamed body a new encoder:
    a chunk signer for aws-chunked, else a pass-through that holds it to its Content-Length."""
    if context.credentials is None:
        raise NoCredentialsError()
    if prepared.payload_hash is None:
        raise ParamValidationError("Invalid value for parameter Body: its SHA-256 is needed to sign it (HashBody)")
    signed = sign(
        prepared.request,
        credentials=context.credentials,
        region=region,
        now=context.clock(),
        payload_hash=prepared.payload_hash,
        keys=context.keys,
        service=prepared.signing_name,
    )
    body = prepared.request.body
    if not isinstance(body, StreamBody):
        return signed.request
    if prepared.payload_hash != STREAMING_PAYLOAD:
        # sent as it is: botocore sets a file body's Content-Length after signing, so neither signs it
        # (unless the caller passed ContentLength, which both sign)
        signed.request.headers.setdefault("Content-Length", str(body.length))
        return signed.request._replace(body=body._replace(encoder=PlainEncoder(length=body.length)))
    encoder = AwsChunkedEncoder(
        signing_key=signed.signing_key,
        date_time=signed.date_time,
        scope=signed.scope,
        seed_signature=signed.signature,
        chunk_size=CHUNK_SIZE,
        length=body.length,
    )
    return signed.request._replace(body=body._replace(encoder=encoder))


def _hashed(
    prepared: Prepared, params: Mapping[str, Any], body: StreamBody, digest: Any
) -> tuple[Prepared, Mapping[str, Any]]:
    """``prepared`` and ``params`` with the body's SHA-256 that the driver answered to HashBody: kept
    in ``params`` too, so that a redirect's new serialization has it and the file is hashed once."""
    if not (isinstance(digest, str) and _SHA256_HEX.fullmatch(digest)):
        raise ParamValidationError("Invalid answer to HashBody: the SHA-256 as 64 lower-case hex digits")
    body = body._replace(sha256=digest)
    return Prepared(prepared.request._replace(body=body), digest), {**params, "Body": body}


def _redirect_region(operation: str, status: int, error: dict[str, Any], headers: Mapping[str, str]) -> str | None:
    """The region a misdirected request should go to (s3-spec.md §2.10), or None."""
    code = error["Error"].get("Code", "")
    redirect = (
        status in (301, 302, 307)
        or code in ("PermanentRedirect", "IllegalLocationConstraintException")
        or (code == "AuthorizationHeaderMalformed" and "Region" in error["Error"])
        or (operation == "HeadObject" and code in ("301", "400"))
        or (operation == "HeadBucket" and code in ("301", "400") and "x-amz-bucket-region" in headers)
    )
    if not redirect:
        return None
    region = headers.get("x-amz-bucket-region") or error["Error"].get("Region")
    # a region we cannot sign for (or build a host from) is not followed: the error is raised instead
    return region if isinstance(region, str) and _REGION.fullmatch(region) else None


def _unrewindable(prepared: Prepared) -> bool:
    body = prepared.request.body
    return isinstance(body, StreamBody) and body.start is None


def operation_flow(context: CallContext, operation: str, params: Mapping[str, Any]) -> Flow:
    """The whole of one call; see the module docstring for the protocol."""
    op = find_operation(operation)  # rejects unknown operations
    check_params(params)
    bucket = params.get("Bucket")
    region = context.bucket_regions.get(bucket, context.region) if isinstance(bucket, str) else context.region
    upload_signing = context.upload_signing
    params = idempotency_tokens(op, params, context.rand)
    prepared = serialize(operation, params, endpoint=context.endpoint_for(region), upload_signing=upload_signing)
    body = prepared.request.body
    if prepared.payload_hash is None and isinstance(body, StreamBody):
        # a rewindable body sent as it is: the driver hashes it first, as botocore does over http
        if context.credentials is None:
            raise NoCredentialsError()  # before the whole body is read for nothing
        prepared, params = _hashed(prepared, params, body, (yield HashBody(body)))
    policy = context.retry
    stream = op.streaming_output
    decode_keys = prepared.decode_keys
    attempt = 0
    redirected = False
    last_cost: int | None = None
    while True:
        attempt += 1
        request = signed_request(context, prepared, region)
        if (logger := debug_logger()) is not None:
            logger.debug(
                "%s attempt %d: %s %s %s", operation, attempt, request.method, request.url, redact(request.headers)
            )
        try:
            response = yield Send(request, stream)
            if stream and 200 <= response.status < 300:
                policy.succeeded(last_cost)
                return parse_result(op, response, retry_attempts=attempt - 1, decode_keys=decode_keys)
            if stream:
                # an error's body, read now; a transport failure here is retried like one while sending
                response = response._replace(body=(yield ReadBody()))
        except HTTPClientError as error:
            # connection errors, resets and timeouts: the request may not have been processed; a
            # pool with no free connection was not even asked, and waiting again frees none
            if attempt >= policy.max_attempts or isinstance(error, PoolTimeoutError):
                raise
            if _unrewindable(prepared):
                raise UnseekableStreamError(
                    f"{operation} failed ({type(error).__name__}) and cannot be retried: its Body is a "
                    "stream that cannot be rewound"
                ) from error
            last_cost = policy.acquire(error)
            if last_cost is None:
                raise
            yield Sleep(policy.delay(attempt, context.rand()))
            continue

        # a 200 whose body is an <Error> or broken XML becomes a 500, and is retried as one (§2.7)
        response, root = screen_200(op, response)
        status = response.status
        if status < 300:
            policy.succeeded(last_cost)
            return parse_result(op, response, retry_attempts=attempt - 1, root=root, decode_keys=decode_keys)

        error_response = parse_error(response, retry_attempts=attempt - 1)
        new_region = _redirect_region(operation, status, error_response, response.headers)
        if new_region and not redirected and new_region != region and isinstance(bucket, str):
            # "retry immediately (delay 0) - this consumes one attempt of the retry budget" (§2.10)
            redirected = True
            prepared = serialize(
                operation, params, endpoint=context.endpoint_for(new_region), upload_signing=upload_signing
            )
            context.bucket_regions[bucket] = region = new_region
            if not _unrewindable(prepared):
                continue
        code = error_response["Error"].get("Code", "")
        code = code if isinstance(code, str) else ""  # <Code> with children reads as a dict
        retryable = policy.is_retryable_response(status, code, op.errors)
        if retryable and attempt < policy.max_attempts:
            if _unrewindable(prepared):
                raise UnseekableStreamError(
                    f"{operation} failed (HTTP {status}) and cannot be retried: its Body is a stream that "
                    "cannot be rewound"
                ) from client_error(error_response, operation)
            last_cost = policy.acquire(None)
            if last_cost is not None:
                yield Sleep(policy.delay(attempt, context.rand()))
                continue
        if retryable and attempt >= policy.max_attempts:
            error_response["ResponseMetadata"]["MaxAttemptsReached"] = True
        raise client_error(error_response, operation)


E = TypeVar("E")
R = TypeVar("R")


class Stepping(Generic[E, R]):
    """A generator of effects ``E`` returning ``R`` between it and whoever performs its effects: the
    answer to send in next, and the value once it returned. A call's :class:`Driving` and the
    credential providers' drivers (``_credentials._perform``, ``_aperform``) step through this, so
    that only the performing differs."""

    __slots__ = ("_error", "_flow", "_reply", "result")

    def __init__(self, flow: Generator[E, Any, R]) -> None:
        self._flow = flow
        self._reply: Any = None
        self._error: HTTPClientError | None = None

    def next_effect(self) -> E | None:
        """The next effect to perform, or None once the generator returned (its value in ``result``)."""
        try:
            effect = self._flow.throw(self._error) if self._error is not None else self._flow.send(self._reply)
        except StopIteration as done:
            self.result: R = done.value
            return None
        self._reply = self._error = None
        return effect

    def answer(self, reply: Any) -> None:
        self._reply = reply

    def fail(self, error: HTTPClientError) -> None:
        """The effect failed in the transport: thrown into the generator, which retries or raises it."""
        self._error = error


class Driving(Stepping[Effect, dict[str, Any]]):
    """One call between its flow and whoever performs the effects, with the last response received.

    Both clients and :func:`run_to_completion` step a flow through this, so that only the I/O differs;
    what a client keeps of its transport (a response whose body stays open) stays in the client.
    """

    __slots__ = ("last",)

    def __init__(self, flow: Flow) -> None:
        super().__init__(flow)
        #: the description of the last response received
        self.last: HttpResponse | None = None
        self.result = {}

    def received(self, response: HttpResponse) -> None:
        """A Send's answer."""
        self.last = response
        self._reply = response


def run_to_completion(flow: Flow, respond: Callable[[Effect], Any]) -> dict[str, Any]:
    """Drive ``flow`` with a synchronous ``respond(effect)``; a helper for embedders and tests.

    ``respond`` answers each effect as the module docstring says, :class:`HashBody` included (a
    seekable StreamBody uploaded with ``upload_signing`` "auto" or "hash-first"). It may raise
    :class:`HTTPClientError` for a failed Send; it is thrown into the flow.
    """
    driving = Driving(flow)
    while (effect := driving.next_effect()) is not None:
        try:
            driving.answer(respond(effect))
        except HTTPClientError as error:
            driving.fail(error)
    return driving.result
