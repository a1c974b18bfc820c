"""STS's AssumeRole and AssumeRoleWithWebIdentity, I/O-free: the calls the chain's role providers make.

Sent as botocore's nested STS client sends them (the ``query`` protocol: a POST of a form body
``Action=...&Version=2011-06-15&...``, its fields in the order given, encoded by ``urlencode``
as ``AWSRequestPreparer._prepare_body`` encodes them), to the endpoint that client resolves
(:func:`sts_endpoint`), retried as it retries (:func:`._service.call`). AssumeRole is signed with
the source credentials (SigV4, service ``sts``, no ``X-Amz-Content-SHA256``: botocore adds that
header for S3 only); AssumeRoleWithWebIdentity is sent unsigned (the fetcher's
``Config(signature_version=UNSIGNED)``). Responses are read with s3lite's hardened XML parser.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from .. import _xml
from .._errors import CredentialRetrievalError, ResponseParseError
from .._http import HttpRequest, HttpResponse
from .._sigv4 import SigningKeyCache, sign
from .._timestamps import parse_response_timestamp
from . import Credentials
from ._effects import Fetching
from ._service import (
    ServiceEndpoint,
    call,
    configured_endpoint_url,
    dns_suffix,
    endpoint_from_url,
    generic_error,
    present,
    require_region,
)
from ._settings import Settings

VERSION = "2011-06-15"
#: what botocore's query serializer sets
CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
#: the one endpoint of STS's ``legacy`` mode, signed for us-east-1
GLOBAL_ENDPOINT = ServiceEndpoint("https", "sts.amazonaws.com", "", "us-east-1")
#: botocore's ``LEGACY_GLOBAL_STS_REGIONS``: with ``sts_regional_endpoints = legacy``, these go to
#: the global endpoint; every other region has its own endpoint whatever the mode
LEGACY_GLOBAL_REGIONS = frozenset(
    {
        "ap-northeast-1",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "aws-global",
        "ca-central-1",
        "eu-central-1",
        "eu-north-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)

#: retried by botocore's STS clients besides the standard mode's (``special.RetryIDPCommunicationError``)
RETRYABLE_CODES = frozenset({"IDPCommunicationError"})

#: the parameter values AssumeRole's fields take here (strings; integers such as DurationSeconds)
Params = Mapping[str, "str | int"]


def sts_endpoint(settings: Settings, provider: str = "assume-role") -> ServiceEndpoint:
    """The STS endpoint for the client's region, as botocore 1.44 resolves it for its nested client.

    A configured endpoint URL wins (``AWS_ENDPOINT_URL_STS`` ... see
    :func:`._service.configured_endpoint_url`), signed for the client's region. Otherwise
    ``sts_regional_endpoints`` (``AWS_STS_REGIONAL_ENDPOINTS``) decides, ``regional`` by default
    since botocore 1.35 (``_get_sts_regional_endpoints_config``): ``https://sts.{region}.{dnsSuffix}``
    signed for the region, except ``aws-global``, and under ``legacy`` the 16 regions of
    :data:`LEGACY_GLOBAL_REGIONS`, which go to ``https://sts.amazonaws.com`` signed for us-east-1
    (the ruleset's ``UseGlobalEndpoint`` branch). ``provider`` names the chain's provider in errors.
    """
    region = require_region(settings.region, provider)
    url = configured_endpoint_url(settings, "sts", provider)
    if url:
        return endpoint_from_url(url, region, provider)
    mode = present(settings, "AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints") or "regional"
    if mode not in ("legacy", "regional"):
        raise CredentialRetrievalError(
            provider,
            f'STS regional endpoints option {mode[:64]} is invalid. Valid options are: "legacy", "regional"',
        )
    if region == "aws-global" or (mode == "legacy" and region in LEGACY_GLOBAL_REGIONS):
        return GLOBAL_ENDPOINT
    return ServiceEndpoint("https", f"sts.{region}.{dns_suffix(region)}", "", region)


def default_session_name(settings: Settings) -> str:
    """``botocore-session-<Unix seconds>``: the role session name botocore makes when none is
    configured (``BaseAssumeRoleCredentialFetcher._generate_assume_role_name``)."""
    return f"botocore-session-{int(settings.clock())}"


def assume_role(
    settings: Settings,
    source: Credentials,
    params: Params,
    *,
    rand: Callable[[], float] = random.random,
) -> Fetching[Credentials]:
    """AssumeRole with ``source``'s keys: ``params`` are its parameters (``RoleArn``,
    ``RoleSessionName``, ``DurationSeconds``, ``ExternalId``, ``SerialNumber``, ``TokenCode`` ...),
    sent in their order, as botocore sends its kwargs; a missing or empty ``RoleSessionName`` is
    :func:`default_session_name`'s (botocore tests ``not RoleSessionName``). ``rand`` jitters the
    backoff between attempts."""
    fields = dict(params)
    if not fields.get("RoleSessionName"):
        fields["RoleSessionName"] = default_session_name(settings)
    endpoint = sts_endpoint(settings, "assume-role")
    body = _form("AssumeRole", fields)
    payload_hash = hashlib.sha256(body).hexdigest()
    keys = SigningKeyCache()

    def build() -> HttpRequest:
        unsigned = _request(endpoint, body)
        return sign(
            unsigned,
            credentials=source,
            region=endpoint.signing_region,
            now=settings.clock(),
            payload_hash=payload_hash,
            keys=keys,
            service="sts",
            payload_header=False,
        ).request

    response = yield from call(
        settings, build, operation="AssumeRole", parse_error=parse_error, rand=rand, retryable_codes=RETRYABLE_CODES
    )
    return parse_credentials(response.body, "AssumeRole")


def assume_role_with_web_identity(
    settings: Settings,
    role_arn: str,
    token: str,
    session_name: str | None,
    extra: Params,
    *,
    rand: Callable[[], float] = random.random,
) -> Fetching[Credentials]:
    """AssumeRoleWithWebIdentity, unsigned, with the web identity ``token`` (the file's content).

    The fields go in the order botocore's fetcher builds its kwargs: ``extra`` with the configured
    ``RoleSessionName`` (``session_name``), ``RoleArn``, the default session name when none was
    configured, ``WebIdentityToken`` last (``_assume_role_kwargs``)."""
    fields: dict[str, str | int] = dict(extra)
    if session_name is not None:
        fields["RoleSessionName"] = session_name
    fields["RoleArn"] = role_arn
    if not fields.get("RoleSessionName"):
        fields["RoleSessionName"] = default_session_name(settings)
    fields["WebIdentityToken"] = token
    endpoint = sts_endpoint(settings, "assume-role-with-web-identity")
    body = _form("AssumeRoleWithWebIdentity", fields)
    response = yield from call(
        settings,
        lambda: _request(endpoint, body),
        operation="AssumeRoleWithWebIdentity",
        parse_error=parse_error,
        rand=rand,
        retryable_codes=RETRYABLE_CODES,
    )
    return parse_credentials(response.body, "AssumeRoleWithWebIdentity")


def _form(action: str, fields: Mapping[str, str | int]) -> bytes:
    """The query protocol's body: Action and Version first, then the fields (integers as ``str()``
    writes them, as botocore's ``_serialize_type_integer``), ``urlencode``d as botocore does."""
    pairs = [("Action", action), ("Version", VERSION), *((name, str(value)) for name, value in fields.items())]
    return urlencode(pairs).encode("ascii")


def _request(endpoint: ServiceEndpoint, body: bytes) -> HttpRequest:
    """The POST of ``body`` to the endpoint (operation path ``/``); Content-Length is added by the
    wire (``_h1.request_fields``), as for every s3lite request."""
    return HttpRequest(
        "POST", endpoint.scheme, endpoint.host, endpoint.request_path("/"), "", {"Content-Type": CONTENT_TYPE}, body
    )


def parse_credentials(body: bytes, operation: str) -> Credentials:
    """``<{operation}Response><{operation}Result><Credentials>``'s four members. Anything missing
    or malformed is a ResponseParseError naming what, never quoting a value (they are secrets)."""
    root = _xml.parse(body)
    result = _child(_child(root, f"{operation}Result", operation), "Credentials", operation)
    access_key, secret_key, token, expiration = (
        _text(result, name, operation) for name in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
    )
    expires_at = parse_response_timestamp(expiration, name="Expiration").timestamp()
    return Credentials(access_key, secret_key, token, expires_at)


def _child(node: _xml.Node, name: str, operation: str) -> _xml.Node:
    for child in node.children:
        if child.name == name:
            return child
    raise ResponseParseError(f"The {operation} response has no {name}")


def _text(node: _xml.Node, name: str, operation: str) -> str:
    text = _child(node, name, operation).text
    if not text:
        raise ResponseParseError(f"The {operation} response has an empty {name}")
    return text


def parse_error(response: HttpResponse) -> dict[str, Any]:
    """The ``ClientError.response`` of an STS error, as botocore's ``QueryParser`` reads
    ``<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>``:
    ``Error`` with its children, ``ResponseMetadata`` with ``RequestId``, ``HTTPStatusCode``,
    ``HTTPHeaders``. A 5xx with an empty or HTML body gets ``Code`` = the status and the reason
    phrase (``_do_generic_error_parse``); any other body that is not XML is a ResponseParseError,
    as in botocore. (STS's modeled errors add nothing: their one member, ``message``, is never a
    child of ``<ErrorResponse>``.)"""
    status, body = response.status, response.body
    parsed: dict[str, Any] | None = generic_error(response)
    metadata: dict[str, Any] = {}
    if parsed is None:
        parsed = _xml.to_dict(_xml.parse(body))
        if isinstance(parsed.get("Errors"), dict):
            parsed.update(parsed.pop("Errors"))
        metadata = {"RequestId": parsed.pop("RequestId")} if "RequestId" in parsed else {}
        if not isinstance(parsed.get("Error"), dict):
            parsed["Error"] = {}
    metadata["HTTPStatusCode"] = status
    metadata["HTTPHeaders"] = dict(response.headers)
    parsed["ResponseMetadata"] = metadata
    return parsed
