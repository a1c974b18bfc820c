"""Keys that are simply there: in the environment, or in a profile of the shared files.

botocore's ``EnvProvider``, ``SharedCredentialProvider`` and ``ConfigProvider``: a key id without
its secret is an error, not a reason to look further (``PartialCredentialsError``); the token is
``AWS_SECURITY_TOKEN`` or ``AWS_SESSION_TOKEN`` (``aws_security_token`` / ``aws_session_token`` in
the files), whichever comes first; ``AWS_CREDENTIAL_EXPIRATION`` makes the environment's keys
temporary, read again from the environment when they are due.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from .._errors import CredentialRetrievalError
from . import Credentials
from ._effects import Fetching
from ._expiry import expiry_of
from ._settings import Section


def _first(values: Mapping[str, object], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = values.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def from_environment(env: Mapping[str, str]) -> Credentials | None:
    """``AWS_ACCESS_KEY_ID`` and the rest, or None when the key id is not set."""
    access_key = env.get("AWS_ACCESS_KEY_ID", "")
    if not access_key:
        return None
    secret_key = env.get("AWS_SECRET_ACCESS_KEY", "")
    if not secret_key:
        raise CredentialRetrievalError("env", "partial credentials found, missing: AWS_SECRET_ACCESS_KEY")
    token = _first(env, ("AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"))
    expiration = env.get("AWS_CREDENTIAL_EXPIRATION") or None  # empty is absent, as botocore reads it
    return Credentials(access_key, secret_key, token, None if expiration is None else expiry_of(expiration, "env"))


class Environment(NamedTuple):
    """The environment as a provider (the first of the chain, and ``credential_source = Environment``)."""

    env: Mapping[str, str]
    method: str = "env"

    def __repr__(self) -> str:
        return "Environment()"  # the environment holds the keys

    def fetch(self) -> Fetching[Credentials | None]:
        return from_environment(self.env)
        yield  # a generator that needs no effect


def from_section(section: Section, method: str) -> Credentials | None:
    """A profile's static keys, or None when it has no ``aws_access_key_id``."""
    access_key = _first(section, ("aws_access_key_id",))
    if access_key is None:
        return None
    secret_key = _first(section, ("aws_secret_access_key",))
    if secret_key is None:
        raise CredentialRetrievalError(method, "partial credentials found, missing: aws_secret_access_key")
    return Credentials(access_key, secret_key, _first(section, ("aws_security_token", "aws_session_token")))


class ProfileKeys(NamedTuple):
    """A profile's keys in one of the files (``shared-credentials-file`` or ``config-file``)."""

    section: Section
    method: str

    def __repr__(self) -> str:
        return f"ProfileKeys(method={self.method!r})"  # the section holds the keys

    def fetch(self) -> Fetching[Credentials | None]:
        return from_section(self.section, self.method)
        yield  # a generator that needs no effect
