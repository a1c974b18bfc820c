"""An EC2 instance's role credentials from the instance metadata service: botocore's ``iam-role``.

The last link of the chain, and the one that runs everywhere (a laptop too), so it is built to find
nothing quickly: a one-second timeout, one attempt, and every way the service can be absent (refused,
timed out, no role) ends in None, as ``InstanceMetadataFetcher.retrieve_iam_role_credentials``
returns ``{}``. Only what botocore raises is an error here: IMDSv1 needed but disabled, and settings
or credentials that cannot be read at all.

Each fetch is botocore's three steps (IMDSv2): a session token (``PUT /latest/api/token``), the role's
name (``GET .../iam/security-credentials/``), then its credentials (``GET .../security-credentials/NAME``).
botocore 1.44.8 reads neither the ``security-credentials-extended`` path nor an account id here.
"""

from __future__ import annotations

import ipaddress
import random
import re
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from .._errors import CredentialRetrievalError, HTTPClientError, ReadTimeoutError
from .._http import HttpResponse
from .._serialize import USER_AGENT
from . import Credentials
from ._effects import Fetch, Fetching
from ._metadata import REQUIRED_KEYS, Unusable, credentials_of, json_value, legal_header_value, request_to
from ._settings import Settings

METHOD = "iam-role"
#: botocore's ``METADATA_BASE_URL`` and ``METADATA_BASE_URL_IPv6``
IPV4_ENDPOINT = "http://169.254.169.254/"
IPV6_ENDPOINT = "http://[fd00:ec2::254]/"
_TOKEN_PATH = "latest/api/token"
_ROLE_PATH = "latest/meta-data/iam/security-credentials/"
#: the token's lifetime asked for, in seconds (``IMDSFetcher._TOKEN_TTL``): six hours
_TOKEN_TTL = "21600"
#: what a role name is sent with unencoded: RFC 3986's pchar without "/" (a name is one path segment)
_NAME_SAFE = "!$&'()*+,;=:@"
#: ``ec2_credential_refresh_window``, which ``create_credential_resolver`` sets to the advisory
#: refresh timeout (15 minutes); botocore adds a jitter of 2 to 10 minutes to it
_REFRESH_WINDOW = 15 * 60
_JITTER = (120, 600)
#: a host name as ``is_valid_endpoint_url`` accepts one: dot-separated labels of letters, digits, "-"
_HOST_NAME = re.compile(r"((?!-)[A-Z\d-]{1,63}(?<!-)\.)*((?!-)[A-Z\d-]{1,63}(?<!-))", re.IGNORECASE)


class ImdsConfig(NamedTuple):
    """Where the service is and how long to wait for it, as botocore's session resolves them."""

    #: the service's URL, the paths are appended to (``IMDSFetcher._select_base_url``)
    endpoint: str
    #: ``metadata_service_timeout``: seconds for each request
    timeout: float
    #: ``metadata_service_num_attempts``: tries of each request
    attempts: int
    #: ``ec2_metadata_v1_disabled``: no request without a session token
    v1_disabled: bool


def provider(settings: Settings) -> InstanceMetadata | None:
    """The provider, or None when ``AWS_EC2_METADATA_DISABLED`` is ``true`` (any case; the environment
    only, as ``IMDSFetcher.__init__`` reads it). Settings botocore cannot read either
    (``create_credential_resolver`` raises while it builds the chain) are a CredentialRetrievalError."""
    if settings.env.get("AWS_EC2_METADATA_DISABLED", "false").lower() == "true":
        return None
    return InstanceMetadata(imds_config(settings), settings.clock)


def imds_config(settings: Settings) -> ImdsConfig:
    """The four settings, each from its environment variable, then the profile's key (botocore's
    ``metadata_service_timeout``, ``metadata_service_num_attempts``, ``ec2_metadata_service_endpoint*``
    and ``ec2_metadata_v1_disabled`` config variables)."""
    v1_disabled = settings.setting("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")
    return ImdsConfig(
        endpoint=endpoint(settings),
        timeout=_whole_number(settings, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout", 1),
        attempts=_whole_number(settings, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts", 1),
        v1_disabled=_true(v1_disabled),
    )


def _true(value: str | None) -> bool:
    """``botocore.utils.ensure_boolean`` of a string: ``true`` in any case, everything else false."""
    return value is not None and value.lower() == "true"


def _whole_number(settings: Settings, variable: str, key: str, default: int) -> int:
    """botocore converts both with ``int``: ``1.5`` is no timeout it takes."""
    value = settings.setting(variable, key)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise CredentialRetrievalError(METHOD, f"{key} is not a whole number") from None


def endpoint(settings: Settings) -> str:
    """``ec2_metadata_service_endpoint`` if set, else the address for the endpoint mode: ``IPv6`` or
    ``IPv4`` in any case (``resolve_imds_endpoint_mode``; another mode is an error), else IPv6 when
    the older ``imds_use_ipv6`` is true. The URL must pass botocore's ``is_valid_uri``."""
    mode = settings.setting("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode")
    if mode is not None and mode.lower() not in ("ipv4", "ipv6"):
        raise CredentialRetrievalError(METHOD, "ec2_metadata_service_endpoint_mode must be IPv4 or IPv6")
    if mode is None:
        ipv6 = _true(settings.setting("AWS_IMDS_USE_IPV6", "imds_use_ipv6"))
    else:
        ipv6 = mode.lower() == "ipv6"
    custom = settings.setting("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint")
    chosen = custom or (IPV6_ENDPOINT if ipv6 else IPV4_ENDPOINT)
    if not valid_endpoint(chosen):
        raise CredentialRetrievalError(METHOD, "ec2_metadata_service_endpoint is not a valid URL")
    return chosen


def valid_endpoint(url: str) -> bool:
    """botocore's ``is_valid_uri``: no tab, CR or LF (which ``urlsplit`` would silently drop), and a
    host that is a DNS name (an IPv4 address is one) of at most 255 characters, or an IPv6 address."""
    if any(unsafe in url for unsafe in "\t\r\n"):
        return False
    try:
        host = urlsplit(url).hostname
    except ValueError:  # an unclosed "[": botocore's urlsplit raises too
        return False
    if not host:
        return False
    name = host.removesuffix(".")
    if len(host) <= 255 and _HOST_NAME.fullmatch(name):
        return True
    try:
        ipaddress.IPv6Address(host)
    except ValueError:
        return False
    return True


class _BadRequest(Exception):
    """The token PUT answered 400 (``BadIMDSRequestError``): the lookup ends with nothing, untried."""


class InstanceMetadata:
    """The ``iam-role`` provider: no secret of its own, the credentials are fetched anew each time."""

    method: str = METHOD

    def __init__(self, config: ImdsConfig, clock: Callable[[], float]) -> None:
        self.config = config
        self._clock = clock

    def __repr__(self) -> str:
        return f"InstanceMetadata(endpoint={self.config.endpoint!r})"

    def fetch(self) -> Fetching[Credentials | None]:
        try:
            token = yield from self._token()
        except _BadRequest:
            return None
        if not token and self.config.v1_disabled:
            # botocore's _assert_v1_enabled raises MetadataRetrievalError, which the chain does not catch
            raise CredentialRetrievalError(
                METHOD, "Unable to retrieve token for use in IMDSv2 call and IMDSv1 has been disabled"
            )
        named = yield from self._get(_ROLE_PATH, token, _no_role_name)
        if named is None:
            return None
        # the name as botocore sends it (role names are letters, digits and "+=,.@_-"); anything else
        # is percent-encoded, byte for byte, so that an odd name cannot split the request line
        answered = yield from self._get(_ROLE_PATH + quote(named.body, safe=_NAME_SAFE), token, _no_document)
        if answered is None:
            return None
        document = json_value(answered.body)  # JSON: _no_document let it through
        # a JSON error document ({"Code": ..., "Message": ...}) lacks the keys: nothing, as botocore
        if not isinstance(document, dict) or any(key not in document for key in REQUIRED_KEYS):
            return None
        try:
            found = credentials_of(document)
        except Unusable as bad:  # botocore fails on these too (its expiry parser raises)
            raise CredentialRetrievalError(METHOD, bad.reason) from None
        assert found.expires_at is not None  # credentials_of requires an Expiration
        return found._replace(expires_at=stable_expiry(found.expires_at, self._clock()))

    def _headers(self, token: str | None) -> dict[str, str]:
        """botocore's user agent goes on every request (``_add_user_agent``): s3lite's, here."""
        headers = {"User-Agent": USER_AGENT}
        if token is not None:
            headers["x-aws-ec2-metadata-token"] = token
        return headers

    def _fetch(self, method: str, path: str, headers: dict[str, str]) -> Fetch:
        """``_construct_url``: the path after the endpoint, with a "/" between unless it ends with one."""
        endpoint = self.config.endpoint
        url = endpoint + ("" if endpoint.endswith("/") else "/") + path
        try:
            request = request_to(method, url, headers)
        except Unusable as bad:
            raise CredentialRetrievalError(METHOD, f"ec2_metadata_service_endpoint: {bad.reason}") from None
        return Fetch(request, self.config.timeout)

    def _token(self) -> Fetching[str | None]:
        """``IMDSFetcher._fetch_metadata_token``: a token, or None to go on without one (IMDSv1).

        403, 404 and 405 mean a service without IMDSv2, and a read timeout one that does not answer a
        PUT (a container's hop limit): IMDSv1, at once. A failed connection or any other status is
        tried again, then IMDSv1 too. 400 ends the lookup (:class:`_BadRequest`)."""
        headers = self._headers(None)
        headers["x-aws-ec2-metadata-token-ttl-seconds"] = _TOKEN_TTL
        fetch = self._fetch("PUT", _TOKEN_PATH, headers)
        for _ in range(self.config.attempts):
            try:
                response: HttpResponse = yield fetch
            except ReadTimeoutError:
                return None
            except HTTPClientError:
                continue
            if response.status == 200:
                token = response.body.decode("utf-8", "replace")
                if not legal_header_value(token):
                    raise CredentialRetrievalError(METHOD, "the metadata service's token is not a legal header value")
                return token
            if response.status in (403, 404, 405):
                return None
            if response.status == 400:
                raise _BadRequest
        return None

    def _get(
        self, path: str, token: str | None, retry: Callable[[HttpResponse], bool]
    ) -> Fetching[HttpResponse | None]:
        """``IMDSFetcher._get_request``: the response, or None once every attempt failed or was one
        ``retry`` rejects. A failed connection or a timeout is tried again, at once (no sleep)."""
        fetch = self._fetch("GET", path, self._headers(token))
        for _ in range(self.config.attempts):
            try:
                response: HttpResponse = yield fetch
            except HTTPClientError:
                continue
            if not retry(response):
                return response
        return None


def _no_role_name(response: HttpResponse) -> bool:
    """``_needs_retry_for_role_name``: not 200, or empty."""
    return response.status != 200 or not response.body


def _no_document(response: HttpResponse) -> bool:
    """``_needs_retry_for_credentials``: not 200, empty, or not JSON (JSON that is no object is no
    reason to try again: it is the answer, and it has no credentials)."""
    if _no_role_name(response):
        return True
    try:
        json_value(response.body)
    except Unusable:
        return True
    return False


def stable_expiry(expires_at: float, now: float) -> float:
    """``InstanceMetadataFetcher._evaluate_expiration`` ("static stability"): credentials that expire
    within the refresh window and a jitter of 2 to 10 minutes (or have expired: IMDS keeps serving the
    last ones while it cannot reach STS) are taken to expire that long from now, whole seconds, so
    that an outage does not stop every call; the jitter spreads a fleet's next refreshes apart."""
    window = _REFRESH_WINDOW + random.randint(*_JITTER)
    if now >= expires_at - window:
        return float(int(now + window))
    return expires_at
