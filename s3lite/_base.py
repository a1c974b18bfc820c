"""What ``Client`` and ``AsyncClient`` share: construction, the per-call flow, presigned URLs.

The two clients differ only in how they perform the flow's effects (send, read, sleep).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Literal, TypedDict, TypeVar

from ._body import plan_stream_body
from ._credentials import Credentials
from ._credentials._lookup import credentials_provider_for, given_credentials, resolve_region
from ._credentials._refresh import Held
from ._endpoint import Endpoint
from ._errors import ParamValidationError
from ._flow import CallContext, Flow, operation_flow
from ._http import HttpRequest, PartBody
from ._model import operation_names
from ._operations import METHODS
from ._options import TransportOptions, redacted_url
from ._retry import RetryPolicy
from ._serialize import UploadSigning, serialize
from ._sigv4 import MAX_PRESIGN_EXPIRES, presign
from ._streaming import OpenBodies

if TYPE_CHECKING:
    import ssl

    import httpx


class ClientOptions(TypedDict, total=False):
    """The constructor options both clients take (``Client(**options)``), spelled out so that an editor
    completes them and mypy flags ``Client(endpoint_ur=...)``; see :class:`BaseClient` for each."""

    region_name: str | None
    endpoint_url: str | None
    aws_access_key_id: str | None
    aws_secret_access_key: str | None
    aws_session_token: str | None
    credentials_provider: Callable[[], Credentials] | None
    addressing_style: Literal["auto", "path", "virtual"]
    retry_mode: Literal["standard", "legacy"]
    max_attempts: int | None
    timeout: float | httpx.Timeout | None
    max_connections: int
    verify: bool | str | ssl.SSLContext
    proxy: str | None
    trust_env: bool
    attempt_timeout: float | None
    upload_signing: UploadSigning


S = TypeVar("S")


class Routes(Generic[S]):
    """A client's senders (or transports) by proxy: the calls' own, and one more for each other
    proxy (or none) that a credential provider's host takes (:meth:`BaseClient._fetch_proxy`),
    made at its first use. The repr masks proxy passwords."""

    def __init__(self, proxy: str | None, calls: S, make: Callable[[str | None], S]) -> None:
        self._by_proxy: dict[str | None, S] = {proxy: calls}
        self._make = make

    def __repr__(self) -> str:
        return f"Routes({[None if p is None else redacted_url(p) for p in self._by_proxy]})"

    def through(self, proxy: str | None) -> S:
        found = self._by_proxy.get(proxy)
        if found is None:
            found = self._by_proxy[proxy] = self._make(proxy)
        return found

    def all(self) -> list[S]:
        return list(self._by_proxy.values())


#: what a presigned URL may be used with (``HttpMethod`` overrides the operation's own)
PRESIGN_METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE")


class BaseClient:
    """Configuration and the I/O-free part of every call."""

    def __init__(
        self,
        *,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        credentials_provider: Callable[[], Credentials] | None = None,
        addressing_style: str = "auto",
        retry_mode: str = "standard",
        max_attempts: int | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_connections: int = 10,
        verify: bool | str | ssl.SSLContext = True,
        proxy: str | None = None,
        trust_env: bool = True,
        attempt_timeout: float | None = None,
        upload_signing: UploadSigning = "auto",
    ) -> None:
        region = resolve_region(region_name)
        credentials = given_credentials(aws_access_key_id, aws_secret_access_key, aws_session_token)
        keys_given = aws_access_key_id is not None or aws_secret_access_key is not None
        provider = credentials_provider_for(
            keys_given=keys_given, credentials_provider=credentials_provider, region=region, clock=time.time
        )
        endpoint = (
            Endpoint.from_url(endpoint_url, addressing_style=addressing_style)
            if endpoint_url
            else Endpoint.for_region(region, addressing_style=addressing_style)
        )
        self._context = CallContext(
            credentials,
            region,
            endpoint,
            clock=time.time,
            rand=random.random,
            retry=RetryPolicy.for_mode(retry_mode, max_attempts),
            upload_signing=upload_signing,
        )
        #: the credentials calls sign with, and who fetches them (again): the drivers refresh them
        self._held = Held(self._context, provider)
        self._options = TransportOptions(
            timeout=timeout,
            max_connections=max_connections,
            verify=verify,
            proxy=proxy,
            trust_env=trust_env,
            attempt_timeout=attempt_timeout,
        )
        #: GetObject bodies handed out and not yet closed (and those dropped unclosed, to release)
        self._bodies = OpenBodies()

    def __repr__(self) -> str:
        endpoint = self._context.endpoint
        return f"<{type(self).__name__} region={self._context.region!r} endpoint={endpoint.scheme}://{endpoint.host}>"

    def _deadline(self) -> float | None:
        """When the attempt starting now must be over (monotonic), or None without ``attempt_timeout``."""
        limit = self._options.attempt_timeout
        return None if limit is None else time.monotonic() + limit

    def _limits(self) -> httpx.Limits:
        """``max_connections`` as httpx's transports take it (every connection may be kept alive)."""
        import httpx

        connections = self._options.max_connections
        return httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    def _proxy(self) -> str | None:
        endpoint = self._context.endpoint
        return self._options.proxy_for(endpoint.scheme, endpoint.host)

    def _fetch_proxy(self, request: HttpRequest) -> str | None:
        """The proxy a credential provider's request takes: the one its own host takes, so that
        ``NO_PROXY=169.254.169.254`` keeps the metadata service direct while S3 goes through the
        proxy (botocore's IMDS fetcher reads the environment's proxies for its own URL)."""
        return self._options.proxy_for(request.scheme, request.host)

    def _flow(self, operation: str, params: Mapping[str, Any], *, allow_async: bool) -> Flow:
        body = params.get("Body")
        if body is not None and not isinstance(body, (bytes, bytearray, memoryview, str, PartBody)):
            params = dict(params)
            params["Body"] = plan_stream_body(body, params.get("ContentLength"), allow_async=allow_async)
        return operation_flow(self._context, operation, params)

    def _presigning_credentials(self) -> Credentials:
        """The credentials a presigned URL is signed with (each client knows how it may get them)."""
        raise NotImplementedError

    def generate_presigned_url(
        self,
        ClientMethod: str,
        Params: Mapping[str, Any] | None = None,
        ExpiresIn: int = 3600,
        HttpMethod: str | None = None,
    ) -> str:
        """A presigned URL for one of the eight methods (SigV4 query authentication, never SigV2).

        "S3 rejects X-Amz-Expires > 604800 (7 days)" (s3-spec.md §3): we refuse it up front. An
        ``ExpiresIn`` of 0 or less is signed, as botocore signs it: the URL is already expired and the
        server answers 403, which is what tests of expiry rely on (issue 13, item 17).
        """
        operation = METHODS.get(ClientMethod) or (ClientMethod if ClientMethod in operation_names() else None)
        if operation is None:
            raise ParamValidationError(f"Unknown ClientMethod {ClientMethod!r}: one of {', '.join(METHODS)}")
        if isinstance(ExpiresIn, bool) or not isinstance(ExpiresIn, int) or ExpiresIn > MAX_PRESIGN_EXPIRES:
            raise ParamValidationError(f"Invalid ExpiresIn: must be an int of at most {MAX_PRESIGN_EXPIRES}")
        if Params is not None and not isinstance(Params, Mapping):
            raise ParamValidationError(f"Invalid type for Params: {type(Params).__name__}, valid types: dict")
        if HttpMethod is not None and HttpMethod not in PRESIGN_METHODS:
            raise ParamValidationError(f"Invalid HttpMethod: one of {', '.join(PRESIGN_METHODS)}")
        context = self._context
        credentials = self._presigning_credentials()
        _warn_if_outlived(credentials, context.clock(), ExpiresIn)
        params = {k: v for k, v in (Params or {}).items() if k != "Body"}
        bucket = params.get("Bucket")
        region = context.bucket_regions.get(bucket, context.region) if isinstance(bucket, str) else context.region
        prepared = serialize(operation, params, endpoint=context.endpoint_for(region))
        request = prepared.request
        headers = {k: v for k, v in request.headers.items() if k != "User-Agent"}
        request = type(request)(
            HttpMethod or request.method, request.scheme, request.host, request.path, request.query, headers, b""
        )
        return presign(
            request,
            credentials=credentials,
            region=region,
            now=context.clock(),
            expires_in=ExpiresIn,
            keys=context.keys,
            service=prepared.signing_name,
        )


def _warn_if_outlived(credentials: Credentials, now: float, expires_in: int) -> None:
    """A URL presigned with temporary credentials stops working when they expire, whatever its
    ``X-Amz-Expires`` says: botocore signs it silently; s3lite warns (``PresignedUrlExpiryWarning``)."""
    if credentials.expires_at is not None and now + expires_in > credentials.expires_at:
        import warnings

        from ._errors import PresignedUrlExpiryWarning

        left = max(0, int(credentials.expires_at - now))
        warnings.warn(
            f"ExpiresIn={expires_in} outlives the temporary credentials it is signed with (they expire in "
            f"{left} s): the URL stops working when they do",
            PresignedUrlExpiryWarning,
            stacklevel=3,
        )
