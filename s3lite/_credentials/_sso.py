"""IAM Identity Center (SSO) credentials: the token ``aws sso login`` cached, traded for role credentials.

botocore's ``SSOProvider``: a profile with ``sso_account_id``/``sso_role_name`` (and either
``sso_session`` naming a ``[sso-session NAME]`` section, or the legacy ``sso_start_url`` and
``sso_region`` in the profile itself) reads the access token the AWS CLI wrote to
``~/.aws/sso/cache/<sha1>.json`` and calls the portal's GetRoleCredentials with it, unsigned, the
token in the ``x-amz-sso_bearer_token`` header. The token and the credentials are secrets: no
repr, log line or message here shows them.

Left out: botocore refreshes an ``sso_session`` token that expires within 15 minutes with SSO-OIDC
``CreateToken`` (when the cache holds a refresh token and client registration) and writes the cache
back. Here an unexpired token is used as it is, and an expired one is an error that says to run
``aws sso login`` (which is what botocore ends at too when the refresh cannot be made).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .._errors import ClientError, CredentialRetrievalError, ResponseParseError
from .._http import HttpRequest, HttpResponse
from .._percent import quote_value
from .._timestamps import parse_response_timestamp_or_none
from . import Credentials
from ._effects import Fetching, ReadFile
from ._service import (
    ServiceEndpoint,
    call,
    configured_endpoint_url,
    dns_suffix,
    endpoint_from_url,
    generic_error,
    require_region,
)
from ._settings import Section, Settings, expand_home

METHOD = "sso"
#: "Role name & Account ID indicate the cred provider should be used" (``SSOProvider``)
PROFILE_KEYS = ("sso_role_name", "sso_account_id")
SSO_KEYS = ("sso_start_url", "sso_region")
TOKEN_CACHE = "~/.aws/sso/cache"
OPERATION = "GetRoleCredentials"
#: botocore's ``UnauthorizedSSOTokenError``
UNAUTHORIZED = (
    "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this "
    "SSO session run aws sso login with the corresponding profile."
)


class SsoConfig(NamedTuple):
    """A profile's SSO settings, resolved and checked (none of them is a secret)."""

    start_url: str
    region: str
    role_name: str
    account_id: str
    #: the ``sso_session`` named, or None for the legacy form
    session: str | None


def load_config(settings: Settings) -> SsoConfig | None:
    """The profile's SSO settings as ``SSOProvider._load_sso_config`` resolves them: None when it
    has neither ``sso_role_name`` nor ``sso_account_id``; else every one of them, ``sso_start_url``
    and ``sso_region`` (and ``sso_session``, in that form) must be there, the session section's
    keys taking part and any key both have agreeing."""
    profile: Section = settings.profiles.get(settings.profile, {})
    if all(key not in profile for key in PROFILE_KEYS):
        return None
    resolved, extra = _with_session(profile, settings.sso_sessions)
    required = PROFILE_KEYS + SSO_KEYS + extra
    missing = [key for key in required if not isinstance(resolved.get(key), str)]
    if missing:
        raise CredentialRetrievalError(
            METHOD,
            f'The profile "{settings.profile}" is configured to use SSO but is missing required '
            f"configuration: {', '.join(missing)}",
        )
    value = {key: str(resolved[key]) for key in required}
    return SsoConfig(
        value["sso_start_url"],
        value["sso_region"],
        value["sso_role_name"],
        value["sso_account_id"],
        value.get("sso_session"),
    )


def _with_session(profile: Section, sessions: Mapping[str, Section]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The profile with its ``sso_session``'s section merged in, and the extra key then required
    (``_resolve_sso_session_reference``); the profile as it is for the legacy form."""
    name = profile.get("sso_session")
    if name is None:
        return dict(profile), ()
    if not isinstance(name, str) or name not in sessions:
        raise CredentialRetrievalError(METHOD, f'The specified sso-session does not exist: "{name}"')
    resolved = dict(profile)
    for key, value in sessions[name].items():
        if resolved.get(key, value) != value:
            raise CredentialRetrievalError(
                METHOD,
                f"The value for {key} is inconsistent between profile ({resolved[key]}) and sso-session ({value}).",
            )
        resolved[key] = value
    return resolved, ("sso_session",)


class SsoProvider:
    """The ``sso`` link of the chain for one resolved profile."""

    method = METHOD

    def __init__(self, settings: Settings, config: SsoConfig, rand: Callable[[], float] = random.random) -> None:
        self._settings = settings
        self._config = config
        self._rand = rand

    def __repr__(self) -> str:
        return f"SsoProvider(account_id={self._config.account_id!r}, role_name={self._config.role_name!r})"

    def fetch(self) -> Fetching[Credentials | None]:
        """The cached token, then GetRoleCredentials with it (``SSOCredentialFetcher._get_credentials``)."""
        token = yield from load_token(self._settings, self._config)
        credentials: Credentials = yield from get_role_credentials(self._settings, self._config, token, self._rand)
        return credentials


def provider(settings: Settings) -> SsoProvider | None:
    """The SSO provider of the profile in use, or None when it has no SSO settings; a profile
    configured wrongly is a CredentialRetrievalError now, as botocore's ``load`` raises."""
    config = load_config(settings)
    return None if config is None else SsoProvider(settings, config)


def cache_path(settings: Settings, config: SsoConfig) -> str:
    """``~/.aws/sso/cache/<sha1 hex>.json``: of the session's name, or of the start URL for the
    legacy form (``SSOTokenLoader._generate_cache_key``); ``~`` is the settings' HOME."""
    key = hashlib.sha1((config.session or config.start_url).encode("utf-8")).hexdigest()
    return f"{expand_home(TOKEN_CACHE, settings.env)}/{key}.json"


def load_token(settings: Settings, config: SsoConfig) -> Fetching[str]:
    """The cached access token, while it has not expired. As ``SSOTokenLoader``: a missing file is
    ``Token for <session or start URL> does not exist``, one without ``accessToken``/``expiresAt``
    ``Token for <start URL> is invalid`` (also one that is no JSON object, or whose date does not
    parse: botocore's errors there are a bare KeyError and a dateutil error). An expired token:
    botocore's ``UnauthorizedSSOTokenError`` for the legacy form, its token provider's ``Token has
    expired and refresh failed`` for the session form, both saying to run ``aws sso login``."""
    data = yield ReadFile(cache_path(settings, config))
    if data is None:
        name = config.session or config.start_url
        raise CredentialRetrievalError(METHOD, f"Error loading SSO Token: Token for {name} does not exist")
    token, expires = _token_fields(data)
    expires_at = None if expires is None else _parse_expiry(expires)
    if token is None or expires_at is None:
        raise CredentialRetrievalError(METHOD, f"Error loading SSO Token: Token for {config.start_url} is invalid")
    if expires_at <= settings.clock():
        if config.session is None:
            raise CredentialRetrievalError(METHOD, UNAUTHORIZED)
        raise CredentialRetrievalError(
            METHOD,
            "Token has expired and refresh failed (s3lite does not refresh SSO tokens): run aws sso login "
            "with the corresponding profile.",
        )
    return token


def _token_fields(data: bytes) -> tuple[str | None, str | None]:
    try:
        cached = json.loads(data)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None, None
    if not isinstance(cached, dict):
        return None, None
    token, expires = cached.get("accessToken"), cached.get("expiresAt")
    return (token if isinstance(token, str) else None), (expires if isinstance(expires, str) else None)


def _parse_expiry(text: str) -> float | None:
    """``expiresAt``: ISO 8601 (``2030-01-01T00:00:00Z``, as botocore and the CLI write it), or the
    ``...UTC`` suffix older CLI versions wrote; botocore reads both with dateutil."""
    if text.endswith("UTC"):
        text = text[:-3] + "Z"
    parsed = parse_response_timestamp_or_none(text)
    return None if parsed is None else parsed.timestamp()


def portal_endpoint(settings: Settings, config: SsoConfig) -> ServiceEndpoint:
    """``https://portal.sso.{sso_region}.{dnsSuffix}`` (the SSO ruleset), or the endpoint URL
    configured for service ``sso``: botocore makes this client with ``session.create_client``, so
    ``AWS_ENDPOINT_URL_SSO``, ``AWS_ENDPOINT_URL`` and the profile's ``services``/``endpoint_url``
    apply as to any client (and ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS``)."""
    region = require_region(config.region, METHOD)
    url = configured_endpoint_url(settings, "sso", METHOD)
    if url:
        return endpoint_from_url(url, region, METHOD)
    return ServiceEndpoint("https", f"portal.sso.{region}.{dns_suffix(region)}", "", region)


def role_credentials_request(endpoint: ServiceEndpoint, config: SsoConfig, token: str) -> HttpRequest:
    """``GET /federation/credentials?role_name=..&account_id=..`` (the members' order, each value
    percent-encoded as botocore's ``percent_encode``), the token in ``x-amz-sso_bearer_token``."""
    query = f"role_name={quote_value(config.role_name)}&account_id={quote_value(config.account_id)}"
    path = endpoint.request_path("/federation/credentials")
    return HttpRequest("GET", endpoint.scheme, endpoint.host, path, query, {"x-amz-sso_bearer_token": token})


def get_role_credentials(
    settings: Settings, config: SsoConfig, token: str, rand: Callable[[], float] = random.random
) -> Fetching[Credentials]:
    """GetRoleCredentials, retried as botocore's client retries it. ``UnauthorizedException`` is
    botocore's ``UnauthorizedSSOTokenError`` (the token was revoked or the session ended); other
    errors are ClientErrors for ``GetRoleCredentials``, as botocore lets them through."""
    request = role_credentials_request(portal_endpoint(settings, config), config, token)
    try:
        response = yield from call(settings, lambda: request, operation=OPERATION, parse_error=parse_error, rand=rand)
    except ClientError as error:
        if error.response["Error"].get("Code") == "UnauthorizedException":
            raise CredentialRetrievalError(METHOD, UNAUTHORIZED) from None
        raise
    return parse_role_credentials(response.body)


def parse_role_credentials(body: bytes) -> Credentials:
    """``{"roleCredentials": {accessKeyId, secretAccessKey, sessionToken, expiration}}``, the
    expiration in milliseconds, kept to the second below as botocore keeps it (it formats it with
    ``%Y-%m-%dT%H:%M:%SZ``). Anything else is a ResponseParseError that quotes nothing."""
    try:
        parsed = json.loads(body)
    except ValueError:
        raise ResponseParseError(f"The {OPERATION} response is not JSON") from None
    found = parsed.get("roleCredentials") if isinstance(parsed, dict) else None
    if not isinstance(found, dict):
        raise ResponseParseError(f"The {OPERATION} response has no roleCredentials")
    strings = []
    for name in ("accessKeyId", "secretAccessKey", "sessionToken"):
        value = found.get(name)
        if not isinstance(value, str) or not value:
            raise ResponseParseError(f"The {OPERATION} response has no {name}")
        strings.append(value)
    expiration = found.get("expiration")
    if isinstance(expiration, bool) or not isinstance(expiration, (int, float)) or not math.isfinite(expiration):
        raise ResponseParseError(f"The {OPERATION} response has no valid expiration")
    return Credentials(strings[0], strings[1], strings[2], float(math.floor(expiration / 1000)))


def parse_error(response: HttpResponse) -> dict[str, Any]:
    """The ``ClientError.response`` of a portal error, as botocore's ``RestJSONParser`` reads it:
    ``Message`` from the body's ``message`` (or ``Message``); ``Code`` from the
    ``x-amzn-errortype`` header, else the body's ``code``/``Code``, else its ``__type``, else the
    status, each cut at ``:`` and after ``#``; ``RequestId`` from ``x-amzn-requestid``."""
    generic = generic_error(response)
    if generic is not None:
        error: dict[str, Any] = generic
        error["ResponseMetadata"] = {}
    else:
        body = _json_body(response.body)
        message = body.get("message", body.get("Message", ""))
        code = response.headers.get("x-amzn-errortype")
        if code is None:
            code = body.get("code", body.get("Code")) if ("code" in body or "Code" in body) else None
        if code is None:
            code = body.get("__type", str(response.status))
        if isinstance(code, str):
            code = code.split(":", 1)[0].rsplit("#", 1)[-1]
        error = {"Error": {"Message": message, "Code": code}, "ResponseMetadata": {}}
        if "x-amzn-requestid" in response.headers:
            error["ResponseMetadata"]["RequestId"] = response.headers["x-amzn-requestid"]
    error["ResponseMetadata"]["HTTPStatusCode"] = response.status
    error["ResponseMetadata"]["HTTPHeaders"] = dict(response.headers)
    return error


def _json_body(body: bytes) -> dict[str, Any]:
    """botocore's ``_parse_body_as_json``: empty is ``{}``, text that is no JSON is its ``message``."""
    if not body:
        return {}
    text = body.decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        return {"message": text}
    return parsed if isinstance(parsed, dict) else {}
