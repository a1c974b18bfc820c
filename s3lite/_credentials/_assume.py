"""Roles assumed with STS: ``role_arn`` profiles (``source_profile`` or ``credential_source``) and
web identity (``AWS_WEB_IDENTITY_TOKEN_FILE`` + ``AWS_ROLE_ARN``, or the profile's
``web_identity_token_file``): botocore's ``AssumeRoleProvider`` and ``AssumeRoleWithWebIdentityProvider``.

The requests themselves are :mod:`._sts`'s; this module decides which role, with which source
credentials and which parameters, and refuses what s3lite cannot do (``mfa_serial``: there is
no one to type the code).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._errors import CredentialRetrievalError
from . import Credentials
from ._effects import Fetching, Provider, ReadFile
from ._refresh import MANDATORY_WINDOW
from ._settings import Settings, expand_home
from ._sts import assume_role, assume_role_with_web_identity

ASSUME_ROLE = "assume-role"
WEB_IDENTITY = "assume-role-with-web-identity"


def assumes_role(section: Mapping[str, object]) -> bool:
    """A profile that assume-role handles: ``role_arn`` without ``web_identity_token_file``
    (that one is web identity's, whatever the chain's order: botocore's ``_has_assume_role_config_vars``)."""
    return "role_arn" in section and "web_identity_token_file" not in section


class AssumeRole:
    """``sts:AssumeRole`` of a profile's ``role_arn``, with credentials from its source.

    The source's own credentials are kept and fetched again only when they are due (botocore asks
    its source for frozen credentials at every refresh, which refreshes them the same way)."""

    method = ASSUME_ROLE

    def __init__(
        self, settings: Settings, profile: str, source: Provider | None, source_name: str, params: dict[str, Any]
    ) -> None:
        self._settings = settings
        self._profile = profile
        self._source = source
        #: what the source is called in an error: the credential_source's name, or the profile's
        self._source_name = source_name
        self._params = params
        self._source_credentials: Credentials | None = None

    def __repr__(self) -> str:
        return f"AssumeRole(role_arn={self._params['RoleArn']!r})"

    def fetch(self) -> Fetching[Credentials | None]:
        source = self._source_credentials
        now = self._settings.clock()
        if source is None or (source.expires_at is not None and source.expires_at - now < MANDATORY_WINDOW):
            found = None if self._source is None else (yield from self._source.fetch())
            if found is None:
                raise CredentialRetrievalError(
                    self._source_name,
                    f"No credentials found in credential_source referenced in profile {self._profile}",
                )
            self._source_credentials = source = found
        return (yield from assume_role(self._settings, source, self._params))


def role_params(settings: Settings, profile: str) -> dict[str, Any]:
    """AssumeRole's parameters from ``profile``, as botocore's ``_get_role_config`` reads them."""
    values = settings.profiles.get(profile, {})
    if settings.value("mfa_serial", profile) is not None:
        raise CredentialRetrievalError(
            ASSUME_ROLE,
            f'the profile "{profile}" sets mfa_serial: s3lite cannot prompt for an MFA code; '
            "assume the role with the code yourself and pass the credentials, or use a credential_process",
        )
    # in the order botocore's fetcher has them: its extra arguments, then RoleArn (the body's order)
    params: dict[str, Any] = {}
    for key, param in (("role_session_name", "RoleSessionName"), ("external_id", "ExternalId")):
        value = settings.value(key, profile)
        if value is not None:
            params[param] = value
    duration = settings.value("duration_seconds", profile)
    if duration is not None:
        try:
            params["DurationSeconds"] = int(duration)
        except ValueError:
            pass  # botocore ignores a duration that is not a number (and STS then uses its default)
    params["RoleArn"] = values["role_arn"]
    return params


class WebIdentity:
    """``sts:AssumeRoleWithWebIdentity`` with the token read from its file at every fetch (the
    platform rotates the file: EKS's projected service account token)."""

    method = WEB_IDENTITY

    def __init__(self, settings: Settings, token_file: str, role_arn: str, role_session_name: str | None) -> None:
        self._settings = settings
        self._token_file = expand_home(token_file, settings.env)
        self._role_arn = role_arn
        self._session_name = role_session_name

    def __repr__(self) -> str:
        return f"WebIdentity(role_arn={self._role_arn!r}, token_file={self._token_file!r})"

    def fetch(self) -> Fetching[Credentials | None]:
        token = yield ReadFile(self._token_file)
        if token is None:
            raise CredentialRetrievalError(
                WEB_IDENTITY, f"the web identity token file {self._token_file} cannot be read"
            )
        try:
            text = token.decode("utf-8")
        except UnicodeDecodeError:
            raise CredentialRetrievalError(WEB_IDENTITY, "the web identity token file is not UTF-8") from None
        return (yield from assume_role_with_web_identity(self._settings, self._role_arn, text, self._session_name, {}))


#: web identity's profile keys and the environment variables that come first (botocore's _CONFIG_TO_ENV_VAR)
_WEB_IDENTITY_VARIABLES = {
    "web_identity_token_file": "AWS_WEB_IDENTITY_TOKEN_FILE",
    "role_arn": "AWS_ROLE_ARN",
    "role_session_name": "AWS_ROLE_SESSION_NAME",
}


def web_identity(settings: Settings, profile: str, *, env_vars: bool) -> WebIdentity | None:
    """The web identity provider of the environment (unless ``env_vars`` is False, as for a source
    profile) and ``profile``, or None without a token file."""

    def setting(key: str) -> str | None:
        variable = _WEB_IDENTITY_VARIABLES[key]
        if env_vars and variable in settings.env:
            return settings.env[variable]
        return settings.value(key, profile)

    token_file = setting("web_identity_token_file")
    if not token_file:
        return None
    role_arn = setting("role_arn")
    if not role_arn:
        raise CredentialRetrievalError(
            WEB_IDENTITY,
            "The provided profile or the current environment is configured to assume role with web identity "
            "but has no role ARN configured. Ensure that the profile has the role_arn configuration set or "
            "the AWS_ROLE_ARN env var is set.",
        )
    return WebIdentity(settings, token_file, role_arn, setting("role_session_name"))
