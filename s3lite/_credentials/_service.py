"""What the chain's STS and SSO calls share: where the service is, and how a call is sent and retried.

botocore makes a client for each of these calls (``utils.create_nested_client``, or
``session.create_client`` for SSO) from the session's config store, so they find their endpoint and
retry as any botocore client does: a configured endpoint URL first (``AWS_ENDPOINT_URL_<SERVICE>``,
``AWS_ENDPOINT_URL``, the profile's ``services`` section, its ``endpoint_url``; botocore's
``ConfiguredEndpointProvider``), else the service's endpoint ruleset for the region; retry mode
``standard`` with 3 attempts unless ``AWS_RETRY_MODE``/``AWS_MAX_ATTEMPTS`` (or the profile's
``retry_mode``/``max_attempts``) say otherwise; connect and read timeouts of 60 s each.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from .._errors import ClientError, CredentialRetrievalError, HTTPClientError, PoolTimeoutError
from .._flow import Sleep
from .._http import HttpRequest, HttpResponse
from .._retry import _THROTTLING_CODES, RetryPolicy  # botocore's ThrottledRetryableChecker codes
from ._effects import Fetch, Fetching
from ._settings import Settings

#: botocore's connect and read timeouts are 60 s each (``DEFAULT_TIMEOUT``); a Fetch has one bound
#: for the whole exchange, so it gets both: no exchange botocore lets finish is cut short sooner
#: (only one that trickles for longer than that, which botocore's read timeout never catches).
TIMEOUT = 120.0

#: botocore's partitions (``data/partitions.json``) as region patterns and their DNS suffixes, tried
#: in order; a region no pattern matches is in ``aws`` (``amazonaws.com``), as the rulesets'
#: ``aws.partition`` says. Left out: FIPS and dual-stack suffixes (``AWS_USE_FIPS_ENDPOINT``,
#: ``AWS_USE_DUALSTACK_ENDPOINT`` are not read).
_PARTITIONS = (
    (re.compile(r"^cn\-\w+\-\d+$"), "amazonaws.com.cn"),
    (re.compile(r"^us\-gov\-\w+\-\d+$"), "amazonaws.com"),
    (re.compile(r"^us\-iso\-\w+\-\d+$"), "c2s.ic.gov"),
    (re.compile(r"^us\-isob\-\w+\-\d+$"), "sc2s.sgov.gov"),
    (re.compile(r"^eu\-isoe\-\w+\-\d+$"), "cloud.adc-e.uk"),
    (re.compile(r"^us\-isof\-\w+\-\d+$"), "csp.hci.ic.gov"),
    (re.compile(r"^eusc\-(de)\-\w+\-\d+$"), "amazonaws.eu"),
)
#: the partitions' pseudo-regions (listed by name in partitions.json, matched before the patterns)
_GLOBAL_REGIONS = {
    "aws-cn-global": "amazonaws.com.cn",
    "aws-iso-global": "c2s.ic.gov",
    "aws-iso-b-global": "sc2s.sgov.gov",
    "aws-iso-e-global": "cloud.adc-e.uk",
    "aws-iso-f-global": "csp.hci.ic.gov",
}
_DEFAULT_PORTS = {"https": ":443", "http": ":80"}


class ServiceEndpoint(NamedTuple):
    """Where a call goes: scheme, host as sent in ``Host`` (with a port that is not the scheme's
    default), the endpoint's own path ("" for none), and the region SigV4 signs for."""

    scheme: str
    host: str
    path: str
    signing_region: str

    def request_path(self, operation_path: str) -> str:
        """The operation's path under the endpoint's, joined as botocore's ``_urljoin`` joins them:
        ``/`` adds nothing to an endpoint path, and a trailing ``/`` of it is not doubled."""
        if operation_path == "/":
            return self.path or "/"
        return self.path.removesuffix("/") + operation_path

    def url(self, operation_path: str) -> str:
        return f"{self.scheme}://{self.host}{self.request_path(operation_path)}"


def dns_suffix(region: str) -> str:
    """The DNS suffix of ``region``'s partition (the rulesets' ``PartitionResult#dnsSuffix``)."""
    if region in _GLOBAL_REGIONS:
        return _GLOBAL_REGIONS[region]
    for pattern, suffix in _PARTITIONS:
        if pattern.match(region):
            return suffix
    return "amazonaws.com"


def present(settings: Settings, variable: str, key: str) -> str | None:
    """A setting as botocore's config store reads it: the environment variable when it is set at
    all (empty included: ``EnvironmentProvider`` tests ``name in environ``), else the profile's key."""
    if variable in settings.env:
        return settings.env[variable]
    return settings.value(key)


def configured_endpoint_url(settings: Settings, service_id: str, provider: str) -> str | None:
    """The endpoint URL configured for ``service_id`` (``sts``, ``sso``), in botocore's order
    (``ConfiguredEndpointProvider._ENDPOINT_URL_LOOKUP_ORDER``): ``AWS_ENDPOINT_URL_<ID>``,
    ``AWS_ENDPOINT_URL``, the profile's ``services`` section's ``<id> = endpoint_url = ...``, the
    profile's ``endpoint_url``; an empty value passes to the next. None when
    ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` (or the profile's ``ignore_configured_endpoint_urls``)
    is ``true`` (botocore's ``ensure_boolean``: any letter case), as ``_compute_configured_endpoint_url``."""
    ignore = present(settings, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls")
    if ignore is not None and ignore.lower() == "true":
        return None
    return (
        settings.env.get(f"AWS_ENDPOINT_URL_{service_id.upper()}")
        or settings.env.get("AWS_ENDPOINT_URL")
        or _services_endpoint_url(settings, service_id, provider)
        or settings.value("endpoint_url")
    )


def _services_endpoint_url(settings: Settings, service_id: str, provider: str) -> str | None:
    """``endpoint_url`` of the profile's ``services`` section for this service; a profile naming a
    section that does not exist is an error, as in botocore (``_get_services_config``)."""
    name = settings.value("services")
    if name is None:
        return None
    section = settings.services.get(name)
    if not section:
        raise CredentialRetrievalError(
            provider,
            f'The profile is configured to use the services section but the "{name}" services '
            "configuration does not exist.",
        )
    table = section.get(service_id)
    found = table.get("endpoint_url") if isinstance(table, dict) else None
    return found or None


def endpoint_from_url(url: str, signing_region: str, provider: str) -> ServiceEndpoint:
    """A configured endpoint URL, its query dropped; one without ``http(s)://`` and a host is an
    error (botocore's ``Invalid endpoint``), named without its value (it may carry a secret)."""
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.netloc:
        raise CredentialRetrievalError(
            provider, "Invalid endpoint URL configured: it must be http(s)://host[:port][/path]"
        )
    host = parts.netloc.removesuffix(_DEFAULT_PORTS[parts.scheme])  # botocore signs the host without it
    return ServiceEndpoint(parts.scheme, host, parts.path, signing_region)


#: botocore's ``validate_region_name``: a region goes into a host name, so it must be a host label
_REGION = re.compile(r"^(?![0-9]+$)(?!-)[a-zA-Z0-9-]{,63}(?<!-)$")


def require_region(region: str, provider: str) -> str:
    """The client's region: these calls are regional, and botocore's client refuses to be made
    without one (``NoRegionError``) or with one that is no host label (``InvalidRegionError``)."""
    if not region:
        raise CredentialRetrievalError(provider, "You must specify a region.")
    if not _REGION.fullmatch(region):  # fullmatch: "$" alone lets a final newline through
        raise CredentialRetrievalError(
            provider, f"Provided region_name {region[:64]!r} doesn't match a supported format."
        )
    return region


def retry_policy(settings: Settings) -> RetryPolicy:
    """The nested client's mode and attempts: the session's ``retry_mode`` (``legacy``, else
    ``standard``: ``adaptive``'s client-side rate limiting is left out) and ``max_attempts``."""
    mode = "legacy" if present(settings, "AWS_RETRY_MODE", "retry_mode") == "legacy" else "standard"
    attempts = present(settings, "AWS_MAX_ATTEMPTS", "max_attempts")
    try:
        max_attempts = int(attempts) if attempts is not None else None
    except ValueError:
        max_attempts = None
    return RetryPolicy.for_mode(mode, max_attempts if max_attempts is None or max_attempts >= 1 else None)


#: botocore 1.44's standard backoff (``ExponentialBackoff``): ``rand() * min(scale * 2**(n-1), 20)``,
#: ``scale`` 1 s for a throttling error and 50 ms for any other
THROTTLING_SCALE, OTHER_SCALE, MAX_BACKOFF = 1.0, 0.05, 20.0
#: ``x-amz-retry-after`` (ms) raises the delay, to at most 5 s past the computed one
RETRY_AFTER_MAX_ADDITIONAL = 5.0


def backoff(policy: RetryPolicy, attempt: int, rand: float, throttled: bool, retry_after: str | None) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based); legacy mode as ``RetryPolicy``."""
    if policy.mode == "legacy":
        return policy.delay(attempt, rand)
    delay = rand * min((THROTTLING_SCALE if throttled else OTHER_SCALE) * 2.0 ** (attempt - 1), MAX_BACKOFF)
    try:
        asked = int(retry_after) / 1000.0 if retry_after is not None else None
    except ValueError:
        asked = None
    if asked is None or asked < 0:
        return delay
    return max(delay, min(asked, delay + RETRY_AFTER_MAX_ADDITIONAL))


def generic_error(response: HttpResponse) -> dict[str, Any] | None:
    """botocore's reading of a 5xx whose body is empty or HTML (a proxy's, a load balancer's):
    ``Code`` the status, ``Message`` its reason phrase (``_do_generic_error_parse``); None for
    any other response, which the protocol's parser reads."""
    stripped = response.body.strip()
    if response.status < 500 or (stripped and not stripped.startswith(b"<html>")):
        return None
    from http.client import responses

    return {"Error": {"Code": str(response.status), "Message": responses.get(response.status, "")}}


#: the botocore ``ClientError.response`` of an error response (``Error``, ``ResponseMetadata`` ...)
ErrorParser = Callable[[HttpResponse], dict[str, Any]]


def call(
    settings: Settings,
    build: Callable[[], HttpRequest],
    *,
    operation: str,
    parse_error: ErrorParser,
    rand: Callable[[], float],
    retryable_codes: frozenset[str] = frozenset(),
) -> Fetching[HttpResponse]:
    """Send the request ``build`` makes (again for each attempt: a signature carries its time) until
    a 2xx comes back, as botocore's standard mode retries (``StandardRetryConditions``): connection
    failures and timeouts, 500/502/503/504, the transient and throttling codes, a 429, and
    ``retryable_codes`` (STS's ``IDPCommunicationError``: botocore's ``RetryIDPCommunicationError``),
    at most ``max_attempts`` attempts, with :func:`backoff` between them. The last error response is
    raised as a ``ClientError`` for ``operation`` with botocore's ``RetryAttempts``, and
    ``MaxAttemptsReached`` when the last attempt was the last allowed (botocore's
    ``MaxAttemptsChecker`` marks it whatever the error); the last connection failure as it is.

    No retry quota: botocore makes a client, and so a quota of 500, for each of these calls, which
    the few retries of one call never spend (unless ``max_attempts`` is above 36)."""
    policy = retry_policy(settings)
    attempt = 0
    while True:
        attempt += 1
        try:
            response: HttpResponse = yield Fetch(build(), TIMEOUT)
        except HTTPClientError as error:
            if attempt >= policy.max_attempts or isinstance(error, PoolTimeoutError):
                raise
            yield Sleep(backoff(policy, attempt, rand(), False, None))
            continue
        if response.status < 300:
            return response
        error_response = parse_error(response)
        found = error_response["Error"].get("Code")
        code = found if isinstance(found, str) else ""
        retryable = policy.is_retryable_response(response.status, code) or code in retryable_codes
        if retryable and attempt < policy.max_attempts:
            throttled = code in _THROTTLING_CODES or response.status == 429
            yield Sleep(backoff(policy, attempt, rand(), throttled, response.headers.get("x-amz-retry-after")))
            continue
        metadata = error_response["ResponseMetadata"]
        metadata["RetryAttempts"] = attempt - 1
        if attempt >= policy.max_attempts:
            metadata["MaxAttemptsReached"] = True
        raise ClientError(error_response, operation)
