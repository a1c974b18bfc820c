"""A container's role credentials from its agent's HTTP endpoint: botocore's ``container-role``.

ECS sets ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` (a path on its agent at 169.254.170.2); EKS Pod
Identity, Greengrass and others set ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (EKS: ``http://169.254.170.23/...``
with ``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE``, a token the kubelet rotates, hence read at each fetch).
Unlike the instance metadata service, a set variable is an opt-in: every failure is a
CredentialRetrievalError (``ContainerProvider._create_fetcher``), never "nothing here".

Messages name the provider and the reason, never the authorization token nor the response body (it
holds the secret key; botocore's own message quotes a non-200 body, which s3lite does not).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from .._errors import CredentialRetrievalError, HTTPClientError
from .._flow import Sleep
from .._http import HttpRequest, HttpResponse
from . import Credentials
from ._effects import Fetch, Fetching, ReadFile
from ._metadata import Unusable, credentials_of, json_value, legal_header_value, request_to
from ._settings import Settings

METHOD = "container-role"
RELATIVE_URI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
FULL_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
#: the ECS agent, which a relative URI is on (``ContainerMetadataFetcher.IP_ADDRESS``)
ECS_ADDRESS = "169.254.170.2"
#: the hosts plain http may go to besides a loopback address (``_ALLOWED_HOSTS``): ECS, EKS Pod
#: Identity over IPv4 and IPv6, and the name ``localhost`` (compared as written, never resolved)
ALLOWED_HOSTS = (ECS_ADDRESS, "169.254.170.23", "fd00:ec2::23", "localhost")
#: ``ContainerMetadataFetcher``'s fixed ``TIMEOUT_SECONDS``, ``RETRY_ATTEMPTS`` and ``SLEEP_TIME``
TIMEOUT = 2.0
ATTEMPTS = 3
PAUSE = 1.0


def provider(settings: Settings) -> ContainerRole | None:
    """The provider when either URI variable is set (set at all, even empty, as botocore tests
    ``in os.environ``), the relative one winning; None otherwise."""
    env = settings.env
    if RELATIVE_URI in env:
        url = f"http://{ECS_ADDRESS}{env[RELATIVE_URI]}"  # ContainerMetadataFetcher.full_url
    elif FULL_URI in env:
        url = env[FULL_URI]
    else:
        return None
    return ContainerRole(url, env.get(TOKEN_FILE), env.get(TOKEN))


def refused_host(url: str) -> str | None:
    """Why ``url`` may not be fetched, or None when it may (``_validate_allowed_url``): https goes
    anywhere; plain http only to a loopback address (any of 127.0.0.0/8, ``::1``) or one of the
    :data:`ALLOWED_HOSTS`, so that a variable pointed elsewhere cannot send the token in the clear."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "The container credentials URL is not a URL"
    if parts.scheme == "https":
        return None
    if host is not None:
        try:
            if ipaddress.ip_address(host).is_loopback:
                return None
        except ValueError:  # a name: it is never resolved, only compared
            pass
        if host in ALLOWED_HOSTS:
            return None
    return (
        f"Unsupported host {host!r}. Can only retrieve metadata from a loopback address "
        f"or one of these hosts: {', '.join(ALLOWED_HOSTS)}"
    )


class ContainerRole:
    """The ``container-role`` provider; its repr shows the host only, never the token."""

    method: str = METHOD

    def __init__(self, url: str, token_file: str | None, token: str | None) -> None:
        self.url = url
        self._token_file = token_file
        self._token = token

    def __repr__(self) -> str:
        try:
            host = urlsplit(self.url).hostname
        except ValueError:
            host = None
        return f"ContainerRole(host={host!r})"

    def fetch(self) -> Fetching[Credentials | None]:
        """The credentials, or a CredentialRetrievalError. The URL is checked before anything else,
        so a refused one reads no file and sends nothing (botocore reads the token file first)."""
        refused = refused_host(self.url)
        if refused is not None:
            raise CredentialRetrievalError(METHOD, refused)
        headers = {"Accept": "application/json"}
        authorization = yield from self._authorization()
        if authorization is not None:
            headers["Authorization"] = authorization
        try:
            request = request_to("GET", self.url, headers)
        except Unusable as bad:
            raise CredentialRetrievalError(METHOD, bad.reason) from None
        document = yield from self._document(request)
        if not isinstance(document, dict):
            raise CredentialRetrievalError(METHOD, "the credentials sent are not a JSON object")
        try:
            return credentials_of(document)
        except Unusable as bad:
            raise CredentialRetrievalError(METHOD, bad.reason) from None

    def _authorization(self) -> Fetching[str | None]:
        """The Authorization header: the token file's text, read anew at each fetch, wins over the
        token variable (``_build_headers``); a CR or LF in it is refused (``_validate_auth_token``)."""
        token = self._token
        if self._token_file is not None:
            read: bytes | None = yield ReadFile(self._token_file)
            if read is None:
                raise CredentialRetrievalError(METHOD, f"the file {TOKEN_FILE} names could not be read")
            token = read.decode("utf-8", "replace")
        if token is not None and not legal_header_value(token):
            raise CredentialRetrievalError(METHOD, "Auth token value is not a legal header value")
        return token

    def _document(self, request: HttpRequest) -> Fetching[object]:
        """``_retrieve_credentials``: the response's JSON; a failed connection, a status other than 200
        or a body that is not JSON is tried again, :data:`ATTEMPTS` in all, :data:`PAUSE` apart.
        (botocore sleeps after the last failure too, before it raises; s3lite does not wait for nothing.)"""
        reason = ""
        for attempt in range(ATTEMPTS):
            if attempt:
                yield Sleep(PAUSE)
            try:
                response: HttpResponse = yield Fetch(request, TIMEOUT)
            except HTTPClientError as error:
                reason = f"Received error when attempting to retrieve container metadata: {error}"
                continue
            if response.status != 200:
                reason = f"Received non 200 response {response.status} from container metadata"
                continue
            try:
                return json_value(response.body)
            except Unusable:
                reason = "Unable to parse JSON returned from container metadata services"
        raise CredentialRetrievalError(METHOD, reason)
